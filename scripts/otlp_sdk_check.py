"""Exports GenAI spans with the real OpenTelemetry Python SDK to a running llmlog and checks what it stored.

Run by scripts/otlp-sdk.sh, which starts the service and sets OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and
OTEL_EXPORTER_OTLP_HEADERS (the ingest key), and passes in the base URL, this tenant's admin key and another
tenant's ingest and admin keys. Exits non-zero (with the reason) on any mismatch.
"""
import json
import os
import sys
import urllib.request
from decimal import Decimal

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

BASE, ADMIN_KEY, OTHER_INGEST_KEY, OTHER_ADMIN_KEY = sys.argv[1:5]
M = Decimal(1_000_000)
# Default prices per million tokens (sql 002_default_prices.sql): input, cache read, cache write, output.
PRICES = {
    "gpt-5-mini": (Decimal("0.25"), Decimal("0.025"), Decimal("0.25"), Decimal("2.00")),
    "claude-sonnet-4-5-20250929": (Decimal("3.00"), Decimal("0.30"), Decimal("3.75"), Decimal("15.00")),
}
checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"otlp-sdk: FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def cost(model, uncached, cache_read, cache_write, output):
    i, r, w, o = PRICES[model]
    return (uncached * i + cache_read * r + cache_write * w + output * o) / M


def get(path, key=ADMIN_KEY, expect=200):
    request = urllib.request.Request(BASE + path, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    check(status == expect, f"GET {path}: {status}, expected {expect}: {body[:300]!r}")
    return json.loads(body, parse_float=Decimal) if status == 200 else None


def snapshot(key):
    """Every conversation of the tenant with all its messages, as the API answers them."""
    page = get("/v1/conversations?limit=200", key=key)
    return {c["id"]: get(f"/v1/conversations/{c['id']}?limit=200", key=key) for c in page["conversations"]}


def diff(a, b, path=""):
    """Where two snapshots differ (for the failure message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in diff(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]


def uuid_of(trace_id):
    h = f"{trace_id:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# The application: an SDK tracer whose finished spans are kept, so the very same spans can be exported again.
memory = InMemorySpanExporter()
provider = TracerProvider(resource=Resource.create({"service.name": "py-app"}))
provider.add_span_processor(SimpleSpanProcessor(memory))
tracer = provider.get_tracer("llmlog-otlp-sdk-check")


def export(spans, compression=None, headers=None):
    """Exports with an exporter configured from the environment, as an unmodified app's would be."""
    if compression:
        os.environ["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"] = compression
    else:
        os.environ.pop("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", None)
    saved = os.environ["OTEL_EXPORTER_OTLP_HEADERS"]
    if headers:
        os.environ["OTEL_EXPORTER_OTLP_HEADERS"] = headers
    try:
        exporter = OTLPSpanExporter()
        result = exporter.export(spans)
        exporter.shutdown()
    finally:
        os.environ["OTEL_EXPORTER_OTLP_HEADERS"] = saved
    check(result == SpanExportResult.SUCCESS, f"export ({compression or 'plain'}) answered {result}")


# 1. Plain: an OpenAI chat with the current conventions in a named session, inside an HTTP request span
#    (not GenAI), and an Anthropic call without content capture (no messages) in the same trace.
system = [{"type": "text", "content": "You are terse."}]
first_input = [{"role": "user", "parts": [{"type": "text", "content": "Capital of France?"}]}]
with tracer.start_as_current_span("POST /ask") as http_span:
    http_span.set_attribute("http.request.method", "POST")
    with tracer.start_as_current_span("chat gpt-5-mini", kind=trace.SpanKind.CLIENT) as span:
        span.set_attributes({
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-5-mini", "gen_ai.response.model": "gpt-5-mini",
            "gen_ai.conversation.id": "py-session-1", "user.id": "py-user",
            "gen_ai.request.temperature": 0.2, "gen_ai.request.max_tokens": 200,
            "gen_ai.response.finish_reasons": ["stop"],
            "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.cache_read.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 300,
            "gen_ai.system_instructions": json.dumps(system),
            "gen_ai.input.messages": json.dumps(first_input),
            "gen_ai.output.messages": json.dumps([{"role": "assistant", "finish_reason": "stop",
                                                   "parts": [{"type": "text", "content": "Paris."}]}]),
        })
    with tracer.start_as_current_span("chat claude-sonnet-4-5", kind=trace.SpanKind.CLIENT) as span:
        span.set_attributes({
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
            "gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.response.model": "claude-sonnet-4-5-20250929",
            "gen_ai.usage.input_tokens": 5000, "gen_ai.usage.cache_read.input_tokens": 3000,
            "gen_ai.usage.cache_creation.input_tokens": 1000, "gen_ai.usage.output_tokens": 700,
        })
    trace_id = http_span.get_span_context().trace_id
with tracer.start_as_current_span("GET /healthz") as lonely:
    lonely.set_attribute("http.request.method", "GET")
lonely_trace = lonely.get_span_context().trace_id
plain_spans = list(memory.get_finished_spans())
memory.clear()
export(plain_spans)

# 2. Gzip: the session's follow-up, with the older attribute names, resending the history (the previous reply
#    included), and failing.
with tracer.start_as_current_span("chat gpt-5-mini", kind=trace.SpanKind.CLIENT) as span:
    span.set_attributes({
        "gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-5-mini",
        "gen_ai.conversation.id": "py-session-1", "enduser.id": "py-user",
        "gen_ai.usage.prompt_tokens": 1300, "gen_ai.usage.completion_tokens": 0,
        "gen_ai.system_instructions": json.dumps(system),
        "gen_ai.input.messages": json.dumps(first_input + [
            {"role": "assistant", "parts": [{"type": "text", "content": "Paris."}]},
            {"role": "user", "parts": [{"type": "text", "content": "And of Italy?"}]}]),
        "error.type": "openai.APITimeoutError",
    })
    span.set_status(Status(StatusCode.ERROR, "request timed out"))
gzip_spans = list(memory.get_finished_spans())
export(gzip_spans, compression="gzip")

# 3. What the API answers.
stored = snapshot(ADMIN_KEY)
check(len(stored) == 2, f"two conversations, got {len(stored)}")
sessions = [c for c in stored.values() if c["provider"] == "openai"]
check(len(sessions) == 1, "one OpenAI session conversation")
session = sessions[0]
check(session["userId"] == "py-user" and session["type"] == "CHAT" and session["model"] == "gpt-5-mini", f"session fields {session}")
check(session["status"] == "FAILED" and session["errorMessage"] == "request timed out", "the failed span marks the session FAILED")
messages = session["messages"]
check([m["role"] for m in messages] == ["SYSTEM", "USER", "ASSISTANT", "USER", "ASSISTANT"], f"roles {[m['role'] for m in messages]}")
check([m["content"] for m in messages] == ["You are terse.", "Capital of France?", "Paris.", "And of Italy?", ""],
      f"contents {[m['content'] for m in messages]}")
reply = messages[2]
check((reply["inputTokens"], reply["cachedInputTokens"], reply["cacheCreationInputTokens"], reply["outputTokens"]) == (200, 1000, 0, 300),
      f"buckets of the first reply {reply}")
check(reply["finishReason"] == "stop" and reply["maxTokens"] == 200 and reply["temperature"] == Decimal("0.2"), "request settings")
check(reply["metadata"]["serviceName"] == "py-app", "service.name in metadata")
check(Decimal(reply["cost"]) == cost("gpt-5-mini", 200, 1000, 0, 300), f"cost {reply['cost']}")
second = messages[4]
check((second["inputTokens"], second["outputTokens"]) == (1300, 0), "older usage names")
check(Decimal(session["totalCost"]) == cost("gpt-5-mini", 200, 1000, 0, 300) + cost("gpt-5-mini", 1300, 0, 0, 0), "session total cost")

by_trace = stored.get(uuid_of(trace_id))
check(by_trace is not None, "the Anthropic call's conversation is its trace")
check(by_trace["provider"] == "anthropic" and by_trace["model"] == "claude-sonnet-4-5-20250929", "anthropic conversation")
check(len(by_trace["messages"]) == 1 and by_trace["messages"][0]["content"] == "", "content capture off: one empty reply")
anthropic = by_trace["messages"][0]
check((anthropic["inputTokens"], anthropic["cachedInputTokens"], anthropic["cacheCreationInputTokens"], anthropic["outputTokens"])
      == (1000, 3000, 1000, 700), f"anthropic buckets {anthropic}")
check(Decimal(anthropic["cost"]) == cost("claude-sonnet-4-5-20250929", 1000, 3000, 1000, 700), f"anthropic cost {anthropic['cost']}")
get(f"/v1/conversations/{uuid_of(lonely_trace)}", expect=404)  # the non-GenAI trace stored nothing

# 4. Re-exporting the same spans, plain and gzip, changes nothing.
export(plain_spans)
export(gzip_spans, compression="gzip")
again = snapshot(ADMIN_KEY)
check(again == stored, f"a re-export changed what is stored: {diff(stored, again)}")

# 5. Another tenant's key: the same spans land in that tenant only.
export(plain_spans + gzip_spans, headers=f"Authorization=Bearer {OTHER_INGEST_KEY}")
check(snapshot(ADMIN_KEY) == stored, "another tenant's export changed this tenant")
theirs = snapshot(OTHER_ADMIN_KEY)
check(len(theirs) == 2 and not set(theirs) & {c for c in stored if c != uuid_of(trace_id)}, "the other tenant has its own session")
for conversation_id in stored:
    if conversation_id not in theirs:
        get(f"/v1/conversations/{conversation_id}", key=OTHER_ADMIN_KEY, expect=404)

print(f"otlp-sdk: {checks} passed, 0 failed")
