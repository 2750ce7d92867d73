#!/usr/bin/env bash
# The real OpenTelemetry Python SDK against the running service (issue #15): GenAI spans exported over OTLP/HTTP,
# plain and gzip, are checked through the API (conversations, messages, token buckets, exact costs); a re-export
# changes nothing; a non-GenAI span stores nothing; another tenant's key never touches this tenant.
#
# Starts `llmlog serve` (already built: .build/debug/llmlog, or $LLMLOG_BIN) on a throwaway embedded PostgreSQL in a
# temporary directory, creates two tenants with the CLI, and runs scripts/otlp_sdk_check.py with pinned
# opentelemetry-sdk and opentelemetry-exporter-otlp-proto-http in .build/otlp-sdk-venv, configured only through
# OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS (and OTEL_EXPORTER_OTLP_TRACES_COMPRESSION=gzip
# for the gzip pass), as an unmodified application would be. Exits non-zero on any failure; stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

OTEL_VERSION=1.45.2
BIN=${LLMLOG_BIN:-.build/debug/llmlog}
VENV=${OTLP_SDK_VENV:-.build/otlp-sdk-venv}

[ -x "$BIN" ] || { echo "otlp-sdk.sh: $BIN not found; run swift build first" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# 1. python3 with venv, and curl (apt when missing); the pinned SDK in a venv (reinstalled when the pin changes).
. scripts/lib/throwaway-service.sh
throwaway_packages
installed=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("opentelemetry-sdk"), m.version("opentelemetry-exporter-otlp-proto-http"))' 2>/dev/null || true)
if [ "$installed" != "$OTEL_VERSION $OTEL_VERSION" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "opentelemetry-sdk==$OTEL_VERSION" "opentelemetry-exporter-otlp-proto-http==$OTEL_VERSION"
fi
VENV=$(cd "$VENV" && pwd)

# 2. A temporary directory for the embedded cluster and logs (traversable: the server runs as postgres when root).
throwaway_workdir otlp-sdk

# 3. The service on a free loopback port; ready when /readyz answers 200.
throwaway_serve

# 4. Two tenants, made with the CLI on the same embedded cluster.
json_field() { "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
ours=$("$BIN" tenant create otlp-sdk --json 2>>"$work/cli.log")
theirs=$("$BIN" tenant create otlp-sdk-other --json 2>>"$work/cli.log")

# 5. The application's two settings, and the check.
export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="$base/v1/traces"
export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer $(json_field ingestKey <<<"$ours")"
unset OTEL_EXPORTER_OTLP_TRACES_COMPRESSION OTEL_EXPORTER_OTLP_COMPRESSION OTEL_EXPORTER_OTLP_ENDPOINT
"$VENV/bin/python" scripts/otlp_sdk_check.py "$base" "$(json_field adminKey <<<"$ours")" \
  "$(json_field ingestKey <<<"$theirs")" "$(json_field adminKey <<<"$theirs")"
