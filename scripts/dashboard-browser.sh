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
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3 python3-venv python3-pip)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi
if [ "$("$VENV/bin/python" -c 'import selenium; print(selenium.__version__)' 2>/dev/null || true)" != "$SELENIUM_VERSION" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "selenium==$SELENIUM_VERSION"
fi
VENV=$(cd "$VENV" && pwd)

# 2. A temporary directory for the embedded cluster and logs (traversable: the cluster runs as `postgres` when we
#    are root).
work=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-dashboard.XXXXXX")
chmod 755 "$work"
export LLMLOG_DATA_DIR="$work/data"
unset DATABASE_URL
mkdir -p "$SHOTS"
SHOTS=$(cd "$SHOTS" && pwd)
server_pid=

cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ -f "$LLMLOG_DATA_DIR/pg/postmaster.pid" ]; then
    pg_ctl=$(compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" | sort -V | tail -1 || true)
    if [ -n "$pg_ctl" ]; then
      if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_ctl" -D "$LLMLOG_DATA_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
      else "$pg_ctl" -D "$LLMLOG_DATA_DIR/pg" -m immediate stop >/dev/null 2>&1 || true; fi
    fi
  fi
  if [ "$status" != 0 ] && [ -f "$work/serve.log" ]; then
    echo "--- last lines of the service log ---" >&2
    tail -n 40 "$work/serve.log" | grep -v 'key:' >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 3. The service on a free loopback port; ready when /readyz answers 200.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$BIN" serve --port "$port" --log-level warning >"$work/serve.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ]; do
  kill -0 "$server_pid" 2>/dev/null || { echo "llmlog serve exited early" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "llmlog serve not ready after 120 s" >&2; exit 1; }
  sleep 0.2
done
grep -q "dashboard: $base/dashboard" "$work/serve.log" || { echo "llmlog serve did not print the dashboard URL" >&2; exit 1; }

# 4. Credentials with the CLI, then the browser run.
"$BIN" tenant create acme --json >"$work/tenant-a.json" 2>>"$work/cli.log"
"$BIN" tenant create globex --json >"$work/tenant-b.json" 2>>"$work/cli.log"
"$BIN" operator-key create --json >"$work/operator.json" 2>>"$work/cli.log"
"$VENV/bin/python" scripts/dashboard_browser.py --base "$base" --tenant-a "$work/tenant-a.json" --tenant-b "$work/tenant-b.json" \
  --operator "$work/operator.json" --screenshots "$SHOTS"
echo "dashboard-browser: screenshots in $SHOTS"
