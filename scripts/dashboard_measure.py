"""Rough timings of the dashboard and the exports against a running `llmlog serve` (not part of CI).

Loads N conversations of M messages into a tenant through POST /v1/batch (spread over the last 30 days), then
times over loopback: the overview (30 days), a conversation list page, text search (a rare and a common term)
and the messages export (rows per second, and the service's RSS before and at its peak during the export).

    python3 scripts/dashboard_measure.py --base http://127.0.0.1:8080 --admin-key … --ingest-key … --pid PID
"""
import argparse
import datetime as dt
import http.cookiejar
import json
import random
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request
import uuid

WORDS = "alpha beta gamma delta epsilon zebra quarterly report resume analysis migration herd summary answer".split()


def post(base, path, key, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    request.add_header("Authorization", "Bearer " + key)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status


def load(base, key, conversations, per_conversation):
    now = dt.datetime.now(dt.timezone.utc)
    events, sent = [], 0
    for n in range(conversations):
        cid = str(uuid.uuid4())
        created = now - dt.timedelta(seconds=random.randrange(30 * 86400 - 3600))
        events.append({"id": cid, "type": "conversation.create", "body": {
            "id": cid, "type": random.choice(["CHAT", "SUMMARY", "RESUME_ANALYSIS"]), "provider": "openai",
            "model": random.choice(["gpt-4o", "gpt-4o-mini"]), "userId": "user-%d" % (n % 200), "title": "Conversation %d" % n,
            "createdAt": created.isoformat().replace("+00:00", "Z")}})
        for i in range(per_conversation):
            text = " ".join(random.choice(WORDS) for _ in range(40))
            if n == conversations // 2 and i == 0:
                text += " xylophonic"
            events.append({"id": str(uuid.uuid4()), "type": "message.create", "body": {
                "conversationId": cid, "role": "ASSISTANT" if i % 2 else "USER", "content": text, "messageIndex": i,
                "inputTokens": 500 + i, "outputTokens": 100 + i, "processingTime": 300 + 10 * i,
                "createdAt": (created + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z")}})
        if len(events) >= 900:
            post(base, "/v1/batch", key, {"events": events})
            sent += len(events)
            events = []
    if events:
        post(base, "/v1/batch", key, {"events": events})


def session(base, key):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/dashboard").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    opener.open(base + "/dashboard/login", data=urllib.parse.urlencode({"csrf": csrf, "key": key}).encode())
    return opener


def timed(fetch, samples):
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--admin-key", required=True)
    parser.add_argument("--ingest-key", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--messages-per-conversation", type=int, default=20)
    args = parser.parse_args()
    base = args.base
    started = time.time()
    load(base, args.ingest_key, args.conversations, args.messages_per_conversation)
    total = args.conversations * args.messages_per_conversation
    print("loaded %d messages in %.1f s" % (total, time.time() - started))
    opener = session(base, args.admin_key)

    def get(path, bearer=False):
        if bearer:
            request = urllib.request.Request(base + path)
            request.add_header("Authorization", "Bearer " + args.admin_key)
            return urllib.request.urlopen(request, timeout=60).read()
        return opener.open(base + path, timeout=60).read()

    for name, path, bearer in [("overview 30 days", "/dashboard?days=30", False), ("overview 90 days", "/dashboard?days=90", False),
                               ("conversation list page", "/dashboard/conversations", False),
                               ("search, rare term (1 hit)", "/v1/conversations?q=xylophonic", True),
                               ("search, common term", "/v1/conversations?q=zebra", True)]:
        p50, worst = timed(lambda: get(path, bearer), 15)
        print("%-28s p50 %7.1f ms  max %7.1f ms" % (name, p50, worst))

    before = rss_kb(args.pid)
    peak = [before]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(args.pid))
            done.wait(0.05)
    watcher = threading.Thread(target=watch)
    watcher.start()
    request = urllib.request.Request(base + "/v1/export/messages")
    request.add_header("Authorization", "Bearer " + args.admin_key)
    started = time.perf_counter()
    lines = size = 0
    with urllib.request.urlopen(request, timeout=600) as response:
        for line in response:
            lines += 1
            size += len(line)
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    print("export: %d messages, %.1f MB in %.2f s = %.0f messages/s; service RSS %d MB before, %d MB peak (+%d MB)"
          % (lines, size / 1e6, seconds, lines / seconds, before // 1024, peak[0] // 1024, (peak[0] - before) // 1024))


if __name__ == "__main__":
    main()
