#!/usr/bin/env bash
# Spans per second that POST /v1/traces sustains next to POST /v1/batch, in one run on one service (issue #15).
#
# Starts `llmlog serve` ($LLMLOG_BIN, default .build/release/llmlog) on a throwaway embedded PostgreSQL with no rate
# limit, creates a tenant with the CLI, then alternates wrk runs (ROUNDS times each): OTLP/JSON exports of SPANS GenAI
# spans (each its own trace, so its own conversation, with usage, content capture off) against batches of the same
# stored result (SPANS conversation.create + message.create pairs). Every request carries new ids (made in Lua).
# Settings: SECONDS_EACH (15), SPANS (100), CONNECTIONS (4), ROUNDS (2). Needs wrk (apt).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LLMLOG_BIN:-.build/release/llmlog}
SECS=${SECONDS_EACH:-15}; SPANS=${SPANS:-100}; CONNS=${CONNECTIONS:-4}; ROUNDS=${ROUNDS:-2}
[ -x "$BIN" ] || { echo "otlp-throughput.sh: $BIN not found; run swift build -c release --product llmlog first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "otlp-throughput.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }

BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
. scripts/lib/throwaway-service.sh
throwaway_workdir otlp-throughput
export LLMLOG_RATE_LIMIT_PER_SECOND=0

cat >"$work/common.lua" <<'EOF'
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local prefix = string.format("%08x", math.random(0, 0x7fffffff))
counter = 0
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function nextn() counter = counter + 1; return counter end
function hex32(n) return string.format("%s%04x%020x", prefix, tid, n) end
function uuid(n) return string.format("%s-%04x-4000-8000-%012x", prefix, tid, n) end
N = tonumber(os.getenv("SPANS"))
KEY = os.getenv("KEY")
done = function(summary, latency, requests)
  io.write(string.format("WRK requests=%d duration_us=%d status_errors=%d p50_us=%d p99_us=%d\n", summary.requests,
    summary.duration, summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
EOF
cat >"$work/traces.lua" <<EOF
dofile("$work/common.lua")
EOF
cat >>"$work/traces.lua" <<'EOF'
request = function()
  local parts = {}
  local now = os.time() * 1000000000
  for i = 1, N do
    local n = nextn()
    parts[i] = '{"traceId":"' .. hex32(n) .. '","spanId":"' .. string.format("%016x", n + 1) .. '","name":"chat gpt-5-mini","kind":3,'
      .. '"startTimeUnixNano":"' .. string.format("%d", now - 2000000000) .. '","endTimeUnixNano":"' .. string.format("%d", now - 1000000000) .. '",'
      .. '"attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},'
      .. '{"key":"gen_ai.request.model","value":{"stringValue":"gpt-5-mini"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1200"}},'
      .. '{"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"1000"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"300"}}]}'
  end
  local body = '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"load"}}]},"scopeSpans":[{"spans":['
    .. table.concat(parts, ",") .. ']}]}]}'
  return wrk.format("POST", "/v1/traces", {["Authorization"] = "Bearer " .. KEY, ["Content-Type"] = "application/json"}, body)
end
EOF
cat >"$work/batch.lua" <<EOF
dofile("$work/common.lua")
EOF
cat >>"$work/batch.lua" <<'EOF'
request = function()
  local parts = {}
  for i = 1, N do
    local conv = uuid(nextn())
    parts[#parts + 1] = '{"id":"c' .. conv .. '","type":"conversation.create","body":{"id":"' .. conv .. '","type":"CHAT","provider":"openai","model":"gpt-5-mini"}}'
    parts[#parts + 1] = '{"id":"m' .. conv .. '","type":"message.create","body":{"conversationId":"' .. conv .. '","role":"ASSISTANT","content":"",'
      .. '"inputTokens":200,"cachedInputTokens":1000,"outputTokens":300,"processingTime":1000}}'
  end
  return wrk.format("POST", "/v1/batch", {["Authorization"] = "Bearer " .. KEY, ["Content-Type"] = "application/json"},
    '{"events":[' .. table.concat(parts, ",") .. ']}')
end
EOF

throwaway_serve
KEY=$("$BIN" tenant create throughput --json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["ingestKey"])')
export KEY SPANS
echo "$(basename "$BIN") ($BIN), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c$CONNS -d${SECS}s, $SPANS spans a request"
for _ in $(seq 1 "$ROUNDS"); do
  for route in traces batch; do
    line=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s -s "$work/$route.lua" "http://127.0.0.1:$port" | grep '^WRK')
    python3 - "$route" "$SPANS" "$line" <<'PY'
import sys
route, spans, line = sys.argv[1], int(sys.argv[2]), sys.argv[3]
f = dict(kv.split("=") for kv in line.split()[1:])
requests, seconds = int(f["requests"]), int(f["duration_us"]) / 1e6
label = "POST /v1/traces" if route == "traces" else "POST /v1/batch "
print(f"{label}: {requests * spans / seconds:7.0f} spans/s ({requests} requests in {seconds:.1f} s, {f['status_errors']} non-2xx, "
      f"p50 {int(f['p50_us']) / 1000:.0f} ms, p99 {int(f['p99_us']) / 1000:.0f} ms)")
PY
  done
done
