#!/usr/bin/env bash
# Drives the dashboard in a real headless browser (issue #16): Debian's chromium and chromium-driver (apt when
# missing) under a pinned Selenium from PyPI (a venv in .build/). Starts the built `llmlog serve` on a throwaway
# embedded PostgreSQL, creates two tenants and an operator key with the CLI and data through the HTTP API, then
# (scripts/dashboard_browser.py): logs in with an admin key, a user token and an operator key; checks the overview's
# data-values against GET /v1/analytics/usage for the same window; opens a conversation, searches, exports, logs
# out; checks a stored <script> never runs and another tenant's conversation is a 404 page. Screenshots (desktop,
# narrow, dark) go to DASHBOARD_SCREENSHOT_DIR (default: $TMPDIR/llmlog-dashboard-screenshots). Exits non-zero on
# any failure; stops everything it started.
#
# Settings (environment): LLMLOG_BIN (.build/debug/llmlog), DASHBOARD_VENV (.build/dashboard-browser-venv),
# DASHBOARD_SCREENSHOT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

SELENIUM_VERSION=4.27.1
BIN=${LLMLOG_BIN:-.build/debug/llmlog}
VENV=${DASHBOARD_VENV:-.build/dashboard-browser-venv}
SHOTS=${DASHBOARD_SCREENSHOT_DIR:-${TMPDIR:-/tmp}/llmlog-dashboard-screenshots}

[ -x "$BIN" ] || { echo "dashboard-browser.sh: $BIN not found; run swift build first" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# 1. The browser, its driver, python3 with venv, curl (apt when missing); a venv with the pinned Selenium.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
. scripts/lib/throwaway-service.sh
throwaway_packages "${need[@]}"
if [ "$("$VENV/bin/python" -c 'import selenium; print(selenium.__version__)' 2>/dev/null || true)" != "$SELENIUM_VERSION" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "selenium==$SELENIUM_VERSION"
fi
VENV=$(cd "$VENV" && pwd)

# 2. A temporary directory for the embedded cluster and logs (traversable: the cluster runs as `postgres` when we
#    are root).
throwaway_workdir dashboard
mkdir -p "$SHOTS"
SHOTS=$(cd "$SHOTS" && pwd)

# 3. The service on a free loopback port; ready when /readyz answers 200.
throwaway_serve
grep -q "dashboard: $base/dashboard" "$work/serve.log" || { echo "llmlog serve did not print the dashboard URL" >&2; exit 1; }

# 4. Credentials with the CLI, then the browser run.
"$BIN" tenant create acme --json >"$work/tenant-a.json" 2>>"$work/cli.log"
"$BIN" tenant create globex --json >"$work/tenant-b.json" 2>>"$work/cli.log"
"$BIN" operator-key create --json >"$work/operator.json" 2>>"$work/cli.log"
"$VENV/bin/python" scripts/dashboard_browser.py --base "$base" --tenant-a "$work/tenant-a.json" --tenant-b "$work/tenant-b.json" \
  --operator "$work/operator.json" --screenshots "$SHOTS"
echo "dashboard-browser: screenshots in $SHOTS"
