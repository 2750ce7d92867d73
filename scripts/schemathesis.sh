#!/usr/bin/env bash
# Fuzzes the running service against its own OpenAPI document with schemathesis (issue #6 §2).
#
# Starts `llmlog serve` (already built: .build/debug/llmlog, or $LLMLOG_BIN) on a throwaway embedded PostgreSQL
# in a temporary directory, creates a tenant and an operator key with the CLI, and runs a pinned schemathesis
# against http://127.0.0.1:PORT/openapi.yaml once per credential (admin key, ingest key, operator key) with a
# bounded number of examples per operation and a fixed seed. Checks: no 5xx, and status codes, content types,
# headers and bodies as the document says. Exits non-zero on any failure; stops everything it started.
#
# Settings (environment): SCHEMATHESIS_MAX_EXAMPLES (30), SCHEMATHESIS_SEED (20261129),
# SCHEMATHESIS_TIME_LIMIT (seconds for each pass, 240), SCHEMATHESIS_VENV (.build/schemathesis-venv),
# SCHEMATHESIS_REPORT_DIR (where the JUnit reports go; default: the temporary directory, removed at exit);
# for exploring: SCHEMATHESIS_CHECKS (comma-separated, or `all`) and SCHEMATHESIS_EXTRA_ARGS (split on spaces,
# added to every pass, e.g. "--mode positive --include-operation-id ingestOpenAI").
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
BIN=${LLMLOG_BIN:-.build/debug/llmlog}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-30}
SEED=${SCHEMATHESIS_SEED:-20261129}
TIME_LIMIT=${SCHEMATHESIS_TIME_LIMIT:-240}
VENV=${SCHEMATHESIS_VENV:-.build/schemathesis-venv}
CHECKS=${SCHEMATHESIS_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance}

[ -x "$BIN" ] || { echo "schemathesis.sh: $BIN not found; run swift build first" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# 1. python3 with venv and pip, and curl (apt when missing), then a venv with the pinned schemathesis (kept in
#    .build/, reinstalled when the pin changes).
. scripts/lib/throwaway-service.sh
throwaway_packages
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
VENV=$(cd "$VENV" && pwd)
"$VENV/bin/schemathesis" --version

# 2. A temporary directory for the embedded cluster, logs and reports; the server runs as `postgres` when we
#    are root, so the directory must be traversable.
throwaway_workdir schemathesis
REPORTS=${SCHEMATHESIS_REPORT_DIR:-$work/reports}
mkdir -p "$REPORTS"
REPORTS=$(cd "$REPORTS" && pwd)

# 3. The service on a free loopback port; ready when /readyz answers 200.
throwaway_serve

# 4. Credentials, made with the CLI on the same embedded cluster (it finds the running server).
json_field() { "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
tenant_json=$("$BIN" tenant create schemathesis --json 2>>"$work/cli.log")
admin_key=$(json_field adminKey <<<"$tenant_json")
ingest_key=$(json_field ingestKey <<<"$tenant_json")
operator_key=$("$BIN" operator-key create --json 2>>"$work/cli.log" | json_field key)

# 5. One schemathesis pass per credential. Each pass is bounded by --max-examples per operation and by a wall
#    clock limit; its JUnit report gives the numbers for the summary.
failed=0
run_pass() {
  local name=$1 key=$2; shift 2
  echo "=== schemathesis: $name ==="
  local status=0
  # Run from the temporary directory: schemathesis keeps a replay cache (.schemathesis/) in the working directory.
  (cd "$work" && timeout --signal=INT --kill-after=20 "$TIME_LIMIT" \
    "$VENV/bin/schemathesis" run "$base/openapi.yaml" \
      --checks "$CHECKS" \
      --max-examples "$MAX_EXAMPLES" \
      --seed "$SEED" \
      --header "Authorization: Bearer $key" \
      --workers 1 \
      `# one worker: hypothesis parses lambda sources with ast in each worker thread, which Python 3.11 crashes on` \
      --request-timeout 30 \
      --generation-database none \
      --suppress-health-check all \
      --no-color \
      --output-sanitize true \
      --report junit --report-junit-path "$REPORTS/$name.xml" \
      "$@" ${SCHEMATHESIS_EXTRA_ARGS:-}) 2>&1 | tee "$work/$name.out" || status=$?
  if [ "$status" != 0 ]; then
    echo "schemathesis pass $name failed (exit $status)" >&2
    failed=1
  fi
}
run_pass admin "$admin_key"
run_pass ingest "$ingest_key" --include-tag ingest
run_pass operator "$operator_key" --include-operation-id createTenant --include-operation-id adminAnalytics \
  --include-operation-id usageAnalytics

# 6. Summary. Operations: what each pass tested; test cases: what schemathesis generated; requests and 5xx: what
#    the service itself counted (its /metrics, every request this script sent), a cross-check of not_a_server_error.
operations=0 cases=0
for name in admin ingest operator; do
  out="$work/$name.out"
  [ -f "$out" ] || continue
  tested=$(grep -E '^\s+Tested: [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+' || true)
  generated=$(grep -E '^\s+[0-9]+ generated' "$out" | tail -1 | grep -oE '^\s+[0-9]+' | tr -d ' ' || true)
  operations=$((operations + ${tested:-0})); cases=$((cases + ${generated:-0}))
done
metrics=$(curl -s "$base/metrics")
requests=$(awk '/^llmlog_http_requests_total\{/ { sum += $NF } END { printf "%d", sum }' <<<"$metrics")
server_errors=$(awk '/^llmlog_http_requests_total\{/ && /status="5[0-9][0-9]"/ { sum += $NF } END { printf "%d", sum }' <<<"$metrics")
failures=$("$VENV/bin/python" - "$REPORTS" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET
total = 0
for path in glob.glob(os.path.join(sys.argv[1], "*.xml")):
    root = ET.parse(path).getroot()
    for suite in ([root] if root.tag == "testsuite" else root.iter("testsuite")):
        total += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
print(total)
PY
)
[ "$server_errors" = 0 ] || { echo "the service counted $server_errors responses with a 5xx status" >&2; failed=1; }
echo "schemathesis summary: $operations operations tested in 3 passes, $cases test cases, $requests requests served, $server_errors 5xx, $failures failures"
exit "$failed"
