"""Drives the llmlog dashboard in headless Chromium (called by scripts/dashboard-browser.sh).

Seeds two tenants through the HTTP API (one message holding a <script> that would set document.title), then, in
the browser: logs in with an admin key, a user token and an operator key; compares every headline data-value of
the overview with GET /v1/analytics/usage for the same window; opens a conversation, searches, exports (with the
session cookie), logs out; checks the stored script never ran and another tenant's conversation is a 404 page.
Screenshots: desktop, narrow and dark-scheme views of the pages.
"""
import argparse
import datetime as dt
import json
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from selenium.common.exceptions import WebDriverException


def gone(element):
    """True once `element` left the document. Chromedriver reports that as StaleElementReference, or, while the next
    page replaces the DOM, as an inspector error ("Node with given id does not belong to the document"): both mean
    the old page is gone."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True

PWNED = "pwned-by-stored-script"
SCRIPT = "<script>document.title='%s'</script><img src=x onerror=\"document.title='%s'\"> hello, world" % (PWNED, PWNED)


def api(base, method, path, key, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if key:
        request.add_header("Authorization", "Bearer " + key)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text and response.headers.get_content_type() == "application/json" else text)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def seed(base, key, users, title_prefix, count):
    """`count` conversations over the last 30 days, with priced messages; returns their ids (newest last)."""
    now = dt.datetime.now(dt.timezone.utc)
    models = [("anthropic", "claude-sonnet-4-5-20250929"), ("openai", "gpt-4o"), ("openai", "gpt-4o-mini")]
    types = ["CHAT", "RESUME_ANALYSIS", "SUMMARY"]
    ids = []
    for n in range(count):
        created = now - dt.timedelta(days=(n * 7) % 29, hours=n % 5, minutes=n)
        provider, model = models[n % len(models)]
        status, conversation = api(base, "POST", "/v1/conversations", key, {
            "type": types[n % len(types)], "provider": provider, "model": model, "userId": users[n % len(users)],
            "title": "%s conversation %d" % (title_prefix, n), "createdAt": created.isoformat().replace("+00:00", "Z")})
        assert status == 201, (status, conversation)
        cid = conversation["id"]
        content = SCRIPT if n == 0 else "Question %d about quarterly zebra migration" % n
        for index, (role, text) in enumerate([("USER", content), ("ASSISTANT", "Answer %d: zebras migrate in herds." % n)]):
            body = {"role": role, "content": text, "createdAt": (created + dt.timedelta(seconds=index)).isoformat().replace("+00:00", "Z")}
            if role == "ASSISTANT":
                body.update({"inputTokens": 1200 + 37 * n, "cachedInputTokens": 300 * (n % 3), "outputTokens": 250 + 11 * n,
                             "processingTime": 800 + 97 * n, "finishReason": "stop"})
            status, message = api(base, "POST", "/v1/conversations/%s/messages" % cid, key, body)
            assert status == 201, (status, message)
        api(base, "PATCH", "/v1/conversations/" + cid, key, {"status": "FAILED" if n % 7 == 3 else "COMPLETED"})
        ids.append(cid)
    return ids


class Browser:
    def __init__(self, base, shots):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                         "--hide-scrollbars", "--force-device-scale-factor=1"]:
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(30)
        self.base = base
        self.shots = shots

    def get(self, path):
        self.driver.get(self.base + path)

    def submit(self, button_css, then_css):
        """Clicks a submit button or link and waits until the next page shows `then_css` (the old page is gone)."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, button_css).click()
        WebDriverWait(self.driver, 15).until(lambda _: gone(old))
        return WebDriverWait(self.driver, 15).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, then_css)))

    def shot(self, name, width=1280, dark=False):
        """A full-page screenshot at `width` CSS pixels (narrow widths as a phone), light or dark scheme."""
        cdp = self.driver.execute_cdp_cmd
        cdp("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
        metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}
        cdp("Emulation.setDeviceMetricsOverride", metrics)
        if width < 600:
            self.driver.save_screenshot("%s/%s-first-screen.png" % (self.shots, name))  # what a phone shows first
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        cdp("Emulation.setDeviceMetricsOverride", dict(metrics, height=min(max(height, 600), 6000)))
        self.driver.save_screenshot("%s/%s.png" % (self.shots, name))
        cdp("Emulation.clearDeviceMetricsOverride", {})
        cdp("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})

    def login(self, key):
        self.get("/dashboard")
        field = self.driver.find_element(By.CSS_SELECTOR, "input[name=key]")
        field.send_keys(key)
        self.submit("form[action='/dashboard/login'] button[type=submit]", "[data-metric=cost]")
        cookie = self.driver.get_cookie("llmlog_session")
        assert cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie
        assert key not in cookie["value"] and key not in self.driver.page_source

    def logout(self):
        self.submit("form[action='/dashboard/logout'] button", "input[name=key]")
        assert self.driver.get_cookie("llmlog_session") is None

    def session_get(self, path):
        request = urllib.request.Request(self.base + path)
        request.add_header("Cookie", "llmlog_session=" + self.driver.get_cookie("llmlog_session")["value"])
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type"), response.read().decode()


def check_overview(browser, key, days):
    browser.get("/dashboard?days=%d" % days)
    status, usage = api(browser.base, "GET", "/v1/analytics/usage?days=%d" % days, key)
    assert status == 200, usage
    checked = 0
    for element in browser.driver.find_elements(By.CSS_SELECTOR, "[data-metric]"):
        metric, value = element.get_attribute("data-metric"), element.get_attribute("data-value")
        expected = usage["totals"][metric]
        if expected is None:
            assert value == "", (metric, value)
        else:
            assert abs(float(value) - float(expected)) <= 1e-9 * max(1.0, abs(float(expected))), (metric, value, expected)
        checked += 1
    assert checked >= 10, checked
    return usage


def main():
    parser = argparse.ArgumentParser()
    for name in ["--base", "--tenant-a", "--tenant-b", "--operator", "--screenshots"]:
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    base = args.base
    tenant_a, tenant_b = json.load(open(args.tenant_a)), json.load(open(args.tenant_b))
    operator_key = json.load(open(args.operator))["key"]

    started = time.time()
    ids_a = seed(base, tenant_a["ingestKey"], ["alice", "bob", "carol", None], "Acme", 36)
    ids_b = seed(base, tenant_b["ingestKey"], ["zed"], "Globex", 6)
    status, token = api(base, "POST", "/v1/tokens", tenant_a["adminKey"], {"userId": "alice", "ttlSeconds": 3600})
    assert status == 201, token
    user_token = token["token"]
    print("seeded in %.1f s" % (time.time() - started))
    # Search is indexed behind the writer: wait (with a deadline) until the seeded script message is found.
    while True:
        status, found = api(base, "GET", "/v1/conversations?q=hello%20world", tenant_a["adminKey"])
        if status == 200 and found["conversations"]:
            break
        assert time.time() - started < 60, "the seeded messages were not searchable within a minute: %s %s" % (status, found)
        time.sleep(0.1)
    print("searchable %.1f s after the seeding began" % (time.time() - started))

    browser = Browser(base, args.screenshots)
    try:
        driver = browser.driver
        browser.get("/dashboard")
        browser.shot("login")

        # Admin key: the overview equals the usage API for each window.
        browser.login(tenant_a["adminKey"])
        for days in [1, 7, 30, 90]:
            check_overview(browser, tenant_a["adminKey"], days)
        browser.get("/dashboard?days=30")
        assert driver.find_elements(By.CSS_SELECTOR, "svg rect.bar title"), "no hover titles on the chart"
        assert "Top users" in driver.page_source
        browser.shot("overview-desktop")
        browser.shot("overview-narrow", width=390)
        browser.shot("overview-dark", dark=True)
        browser.get("/dashboard?days=1")
        browser.shot("overview-1-day")

        # Conversations: list, search, a conversation with the stored script (shown as text, never run).
        browser.get("/dashboard/conversations")
        rows = driver.find_elements(By.CSS_SELECTOR, "tr[data-conversation-id]")
        assert len(rows) == 36, len(rows)
        browser.shot("conversations-desktop")
        browser.shot("conversations-narrow", width=390)
        search = driver.find_element(By.CSS_SELECTOR, "input[name=q]")
        search.send_keys("HELLO, WORLD")
        browser.submit("form.filters button[type=submit]", "main")
        found = [row.get_attribute("data-conversation-id") for row in driver.find_elements(By.CSS_SELECTOR, "tr[data-conversation-id]")]
        assert found == [ids_a[0]], found
        browser.submit("tr[data-conversation-id='%s'] a" % ids_a[0], "[data-message-id]")
        messages = driver.find_elements(By.CSS_SELECTOR, "[data-message-id]")
        assert len(messages) == 2, len(messages)
        assert "<script>document.title=" in messages[0].find_element(By.CSS_SELECTOR, "pre").text
        # An inline script would have run while the page was parsed, before get() returned (load event).
        assert driver.title != PWNED and PWNED not in driver.execute_script("return document.title"), driver.title
        browser.shot("conversation-desktop")
        browser.shot("conversation-narrow", width=390)

        # Another tenant's conversation is a 404 page.
        browser.get("/dashboard/conversations/" + ids_b[0])
        assert driver.find_elements(By.CSS_SELECTOR, "h1[data-status='404']"), driver.page_source[:300]
        browser.shot("not-found")

        # Exports with the session equal the API's exports.
        status, kind, ndjson = browser.session_get("/dashboard/export/conversations?type=CHAT")
        assert status == 200 and kind == "application/x-ndjson", (status, kind)
        status, api_ndjson = api(base, "GET", "/v1/export/conversations?type=CHAT", tenant_a["adminKey"])
        assert ndjson == api_ndjson and len(ndjson.splitlines()) == 12, len(ndjson.splitlines())
        status, kind, csv = browser.session_get("/dashboard/export/messages?format=csv")
        assert kind.startswith("text/csv") and csv.startswith("id,conversationId,role,content"), kind
        browser.get("/dashboard/conversations")
        assert len(driver.find_elements(By.CSS_SELECTOR, "a[href^='/dashboard/export/']")) == 4
        browser.logout()

        # A user token: its own conversations only, overview equal to its usage API.
        browser.login(user_token)
        check_overview(browser, user_token, 30)
        browser.get("/dashboard/conversations")
        rows = driver.find_elements(By.CSS_SELECTOR, "tr[data-conversation-id]")
        assert len(rows) == 9, len(rows)
        bob_conversation = ids_a[1]
        browser.get("/dashboard/conversations/" + bob_conversation)
        assert driver.find_elements(By.CSS_SELECTOR, "h1[data-status='404']"), "a user opened another user's conversation"
        browser.get("/dashboard")
        browser.shot("overview-user")
        browser.logout()

        # A user without conversations: empty windows are said in words.
        status, nobody = api(base, "POST", "/v1/tokens", tenant_a["adminKey"], {"userId": "nobody", "ttlSeconds": 600})
        browser.login(nobody["token"])
        browser.get("/dashboard?days=7")
        assert "No cost in the last 7 days." in driver.page_source and not driver.find_elements(By.CSS_SELECTOR, "svg")
        browser.shot("overview-empty")
        browser.logout()

        # The operator: every tenant, with the per-tenant table.
        browser.login(operator_key)
        check_overview(browser, operator_key, 30)
        assert "By tenant" in driver.page_source and "globex" in driver.page_source
        browser.shot("overview-operator")
        browser.logout()

        # A bad key is refused on the form.
        browser.get("/dashboard")
        driver.find_element(By.CSS_SELECTOR, "input[name=key]").send_keys("llmlog_ak_wrong")
        browser.submit("form button[type=submit]", "p.error")
        assert "not accepted" in driver.page_source
        browser.shot("login-refused")
    finally:
        browser.driver.quit()
    print("dashboard browser checks passed in %.1f s" % (time.time() - started))


if __name__ == "__main__":
    main()
