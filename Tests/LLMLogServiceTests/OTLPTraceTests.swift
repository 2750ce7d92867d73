import Foundation
import HTTPTypes
import HummingbirdTesting
import LLMLogService
import NIOCore
import OTLPProto
import PGClient
import SwiftProtobuf
import Testing

/// `POST /v1/traces`: GenAI spans over OTLP/HTTP (protobuf and JSON, plain and gzip) become conversations and
/// priced messages. Every mapped attribute is read back through the API; costs are computed here from the price
/// rows in the database.
@Suite struct OTLPTraceTests {
    static let suite = "otlptraces"
    typealias Detail = ProviderIngestTests.Detail

    /// Posts `bytes` to /v1/traces.
    static func post(
        _ service: TestService, _ bytes: [UInt8], contentType: String = "application/x-protobuf", gzip: Bool = false,
        key: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(key ?? service.tenant.ingestKey)"]
        if !contentType.isEmpty { headers[.contentType] = contentType }
        var body = bytes
        if gzip {
            headers[.contentEncoding] = "gzip"
            body = OTLPFixtures.gzip(bytes)
        }
        return try await service.send(.post, "/v1/traces", headers, ByteBuffer(bytes: body))
    }

    static func post(_ service: TestService, _ export: ExportRequest, gzip: Bool = false, key: String? = nil) async throws -> ExportResponse {
        let response = try await post(service, try export.serializedBytes(), gzip: gzip, key: key)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        #expect(response.headers[.contentType] == "application/x-protobuf")
        return try ExportResponse(serializedBytes: Data(buffer: response.body))
    }

    static func messageCount(_ service: TestService) async throws -> Int {
        try await service.database.query("SELECT count(*) FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId)")[0]
            .decode(Int.self, column: 0)
    }

    static func conversationCount(_ service: TestService) async throws -> Int {
        try await service.database.query("SELECT count(*) FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)")[0]
            .decode(Int.self, column: 0)
    }

    /// A chat span with every attribute of the current conventions.
    static func fullSpan(trace: Data, id: Data, conversation: String) -> Span {
        OTLPFixtures.span(
            trace: trace, id: id, name: "chat claude-sonnet-4-5",
            attributes: [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "anthropic"),
                ("gen_ai.request.model", "claude-sonnet-4-5"),
                ("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.conversation.id", conversation),
                ("user.id", "u-42"),
                ("llmlog.conversation.type", "RESUME_ANALYSIS"),
                ("gen_ai.request.temperature", 0.25),
                ("gen_ai.request.max_tokens", 1024),
                ("gen_ai.response.finish_reasons", ["tool_use"]),
                ("gen_ai.usage.input_tokens", 1500),
                ("gen_ai.usage.cache_read.input_tokens", 800),
                ("gen_ai.usage.cache_creation.input_tokens", 200),
                ("gen_ai.usage.output_tokens", 350),
                ("gen_ai.system_instructions", OTLPFixtures.json([["type": "text", "content": "You are careful."]])),
                (
                    "gen_ai.input.messages",
                    OTLPFixtures.json([
                        ["role": "user", "parts": [["type": "text", "content": "Weather in Paris?"]]],
                        ["role": "assistant", "parts": [["type": "tool_call", "id": "call_1", "name": "weather", "arguments": ["city": "Paris"]]]],
                        ["role": "tool", "parts": [["type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"]]],
                    ])
                ),
                (
                    "gen_ai.output.messages",
                    OTLPFixtures.json([
                        [
                            "role": "assistant", "finish_reason": "tool_use",
                            "parts": [
                                ["type": "text", "content": "It is rainy."],
                                ["type": "tool_call", "id": "call_2", "name": "forecast", "arguments": ["city": "Paris"]],
                            ],
                        ]
                    ])
                ),
            ], endAgo: 120, duration: 2.345)
    }

    @Test func everyAttributeOfTheCurrentConventionsOverProtobuf() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let trace = OTLPFixtures.traceId(), spanId = OTLPFixtures.spanId()
            let span = Self.fullSpan(trace: trace, id: spanId, conversation: "session-7")
            let answer = try await Self.post(service, OTLPFixtures.export([span]))
            #expect(!answer.hasPartialSuccess || answer.partialSuccess.rejectedSpans == 0)

            // A conversation id that is not a UUID names a UUID v5 in the tenant.
            let expectedId = UUID.v5(
                namespace: UUID(uuidString: "9a4d6c1e-3b7f-4e20-8c5a-1f2e3d4c5b6a")!,
                name: "\(service.tenant.tenantId.uuidString.lowercased())/session-7")
            let detail = try await ProviderIngestTests.detail(service, expectedId.uuidString.lowercased())
            let conversation = detail.conversation
            #expect(conversation.provider == "anthropic")
            #expect(conversation.model == "claude-sonnet-4-5-20250929")
            #expect(conversation.userId == "u-42")
            #expect(conversation.type == "RESUME_ANALYSIS")
            #expect(conversation.status == .active)
            #expect(abs(conversation.createdAt.timeIntervalSince1970 - Double(span.startTimeUnixNano) / 1e9) < 0.000_002)

            #expect(detail.messages.map(\.role) == [.system, .user, .assistant, .tool, .assistant])
            #expect(detail.messages.map(\.content) == ["You are careful.", "Weather in Paris?", "", "rainy, 57°F", "It is rainy."])
            let toolCall = ProviderIngestTests.array(ProviderIngestTests.object(detail.messages[2].metadata)["toolCalls"])
            #expect(toolCall.count == 1)
            let reply = detail.messages[4]
            #expect(reply.finishReason == "tool_use")
            #expect(reply.temperature == 0.25)
            #expect(reply.maxTokens == 1024)
            #expect(reply.processingTime == 2345)
            #expect(abs(reply.createdAt.timeIntervalSince1970 - Double(span.endTimeUnixNano) / 1e9) < 0.000_002)
            let metadata = ProviderIngestTests.object(reply.metadata)
            #expect(metadata["traceId"] == .string(OTLPFixtures.hex(trace)))
            #expect(metadata["spanId"] == .string(OTLPFixtures.hex(spanId)))
            #expect(metadata["serviceName"] == .string("test-app"))
            #expect(ProviderIngestTests.array(metadata["toolCalls"]).count == 1)
            // Cache reads and writes are inside gen_ai.usage.input_tokens: 1500 − 800 − 200 uncached.
            #expect(reply.inputTokens == 500 && reply.cachedInputTokens == 800 && reply.cacheCreationInputTokens == 200)
            #expect(reply.outputTokens == 350 && reply.reasoningTokens == 0)
            let price = try await ProviderIngestTests.price(service, "anthropic", pattern: "claude-sonnet-4-5%")
            let cost = price.cost(input: 500, cached: 800, cacheCreation: 200, output: 350)
            #expect(reply.cost == cost)
            #expect(conversation.totalCost == cost)
        }
    }

    @Test func olderAttributeNamesAndEventsOverOTLPJSON() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let trace = OTLPFixtures.traceId(), spanId = OTLPFixtures.spanId()
            let end = UInt64((Date().timeIntervalSince1970 - 30) * 1_000_000) * 1000
            // OTLP/JSON as the specification writes it: hex ids, 64-bit integers as strings, enums as integers.
            let body = """
                {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-app"}},
                  {"key": "enduser.id", "value": {"stringValue": "u-7"}}]},
                 "scopeSpans": [{"scope": {"name": "old-instrumentation"}, "spans": [{
                  "traceId": "\(OTLPFixtures.hex(trace).uppercased())", "spanId": "\(OTLPFixtures.hex(spanId))",
                  "name": "chat gpt-5-mini", "kind": 3, "startTimeUnixNano": "\(end - 800_000_000)", "endTimeUnixNano": "\(end)",
                  "attributes": [
                    {"key": "gen_ai.system", "value": {"stringValue": "openai"}},
                    {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-5-mini"}},
                    {"key": "gen_ai.usage.prompt_tokens", "value": {"intValue": "1200"}},
                    {"key": "gen_ai.usage.completion_tokens", "value": {"intValue": 90}},
                    {"key": "gen_ai.usage.reasoning_tokens", "value": {"intValue": "40"}},
                    {"key": "gen_ai.usage.cache_read_input_tokens", "value": {"intValue": "1000"}},
                    {"key": "gen_ai.request.max_tokens", "value": {"intValue": "256"}},
                    {"key": "some.future.field", "value": {"stringValue": "ignored"}}],
                  "events": [
                    {"name": "gen_ai.system.message", "timeUnixNano": "\(end)", "attributes": [{"key": "content", "value": {"stringValue": "Be brief."}}]},
                    {"name": "gen_ai.user.message", "timeUnixNano": "\(end)", "attributes": [{"key": "content", "value": {"stringValue": "Hi"}}]},
                    {"name": "gen_ai.choice", "timeUnixNano": "\(end)", "attributes": [
                      {"key": "finish_reason", "value": {"stringValue": "stop"}},
                      {"key": "message", "value": {"stringValue": "{\\"role\\": \\"assistant\\", \\"content\\": \\"Hello!\\"}"}}]}],
                  "status": {"code": 1},
                  "unknownSpanField": true}]}]}]}
                """
            let response = try await Self.post(service, Array(body.utf8), contentType: "application/json")
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body) == "{}")

            // Without gen_ai.conversation.id the trace is the conversation.
            let detail = try await ProviderIngestTests.detail(service, OTLPFixtures.uuid(trace).uuidString.lowercased())
            #expect(detail.conversation.provider == "openai" && detail.conversation.model == "gpt-5-mini")
            #expect(detail.conversation.userId == "u-7")
            #expect(detail.conversation.type == "CHAT")
            #expect(detail.messages.map(\.role) == [.system, .user, .assistant])
            #expect(detail.messages.map(\.content) == ["Be brief.", "Hi", "Hello!"])
            let reply = detail.messages[2]
            #expect(reply.finishReason == "stop" && reply.maxTokens == 256 && reply.processingTime == 800)
            #expect(reply.inputTokens == 200 && reply.cachedInputTokens == 1000 && reply.outputTokens == 50 && reply.reasoningTokens == 40)
            #expect(ProviderIngestTests.object(reply.metadata)["serviceName"] == .string("json-app"))
            let price = try await ProviderIngestTests.price(service, "openai", pattern: "gpt-5-mini")
            #expect(reply.cost == price.cost(input: 200, cached: 1000, output: 50, reasoning: 40))
        }
    }

    @Test func aResentExportAndAResentHistoryStoreNothingTwice() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let trace = OTLPFixtures.traceId()
            let first = Self.fullSpan(trace: trace, id: OTLPFixtures.spanId(), conversation: "resend")
            let export = OTLPFixtures.export([first])
            _ = try await Self.post(service, export)
            let messages = try await Self.messageCount(service)
            #expect(messages == 5)
            // The exporter retries the whole request: 200, nothing new; gzip the second time.
            let again = try await Self.post(service, export, gzip: true)
            #expect(!again.hasPartialSuccess)
            #expect(try await Self.messageCount(service) == messages)

            // The next call resends the history with the previous reply in it: only the new messages are logged.
            let second = OTLPFixtures.span(
                trace: trace,
                attributes: [
                    ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "anthropic"),
                    ("gen_ai.response.model", "claude-sonnet-4-5-20250929"), ("gen_ai.conversation.id", "resend"),
                    ("gen_ai.usage.input_tokens", 10), ("gen_ai.usage.output_tokens", 5),
                    ("gen_ai.system_instructions", OTLPFixtures.json([["type": "text", "content": "You are careful."]])),
                    (
                        "gen_ai.input.messages",
                        OTLPFixtures.json([
                            ["role": "user", "parts": [["type": "text", "content": "Weather in Paris?"]]],
                            [
                                "role": "assistant",
                                "parts": [["type": "tool_call", "id": "call_1", "name": "weather", "arguments": ["city": "Paris"]]],
                            ],
                            ["role": "tool", "parts": [["type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"]]],
                            ["role": "assistant", "parts": [["type": "text", "content": "It is rainy."]]],
                            ["role": "user", "parts": [["type": "text", "content": "Thanks"]]],
                        ])
                    ),
                    (
                        "gen_ai.output.messages",
                        OTLPFixtures.json([["role": "assistant", "parts": [["type": "text", "content": "You're welcome."]]]])
                    ),
                ], endAgo: 30)
            _ = try await Self.post(service, OTLPFixtures.export([second]))
            #expect(try await Self.messageCount(service) == messages + 2)
            _ = try await Self.post(service, OTLPFixtures.export([first, second]))
            #expect(try await Self.messageCount(service) == messages + 2)
            #expect(try await Self.conversationCount(service) == 1)
        }
    }

    @Test func contentCaptureOffStillLogsEachCallAndErrorsMarkTheConversationFailed() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let trace = OTLPFixtures.traceId()
            let usage: [(String, Any)] = [
                ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"),
                ("gen_ai.request.model", "gpt-5-mini"), ("gen_ai.usage.input_tokens", 100),
                ("gen_ai.usage.output_tokens", 20),
            ]
            let one = OTLPFixtures.span(trace: trace, attributes: usage, endAgo: 50)
            let two = OTLPFixtures.span(trace: trace, attributes: usage, endAgo: 40, error: "upstream timeout")
            let answer = try await Self.post(service, OTLPFixtures.export([two, one]))
            #expect(!answer.hasPartialSuccess)
            let detail = try await ProviderIngestTests.detail(service, OTLPFixtures.uuid(trace).uuidString.lowercased())
            #expect(detail.messages.map(\.role) == [.assistant, .assistant])
            #expect(detail.messages.map(\.content) == ["", ""])
            #expect(detail.messages.allSatisfy { $0.inputTokens == 100 && $0.outputTokens == 20 })
            #expect(detail.conversation.status == .failed)
            #expect(detail.conversation.errorMessage == "upstream timeout")
            // The exporter's retry marks nothing again (the conversation is not touched).
            _ = try await Self.post(service, OTLPFixtures.export([two, one]))
            let again = try await ProviderIngestTests.detail(service, OTLPFixtures.uuid(trace).uuidString.lowercased())
            #expect(again.conversation.updatedAt == detail.conversation.updatedAt && again.messages.count == 2)

            // `error.type` alone marks it too.
            let other = OTLPFixtures.traceId()
            _ = try await Self.post(
                service, OTLPFixtures.export([OTLPFixtures.span(trace: other, attributes: usage + [("error.type", "RateLimitError")])]))
            let failed = try await ProviderIngestTests.detail(service, OTLPFixtures.uuid(other).uuidString.lowercased())
            #expect(failed.conversation.status == .failed && failed.conversation.errorMessage == "RateLimitError")
        }
    }

    @Test func nonGenAISpansAreIgnoredAndUnstorableSpansCounted() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let http = OTLPFixtures.span(trace: OTLPFixtures.traceId(), name: "GET /", attributes: [("http.request.method", "GET")])
            let tool = OTLPFixtures.span(trace: OTLPFixtures.traceId(), name: "execute_tool", attributes: [("gen_ai.operation.name", "execute_tool")])
            let empty = try await Self.post(service, OTLPFixtures.export([http, tool]))
            #expect(!empty.hasPartialSuccess)
            #expect(try await Self.conversationCount(service) == 0)

            let noModel = OTLPFixtures.span(trace: OTLPFixtures.traceId(), attributes: [("gen_ai.operation.name", "chat")])
            let badUsage = OTLPFixtures.span(
                trace: OTLPFixtures.traceId(),
                attributes: [
                    ("gen_ai.request.model", "gpt-5-mini"), ("gen_ai.usage.input_tokens", 10), ("gen_ai.usage.cache_read.input_tokens", 20),
                ])
            let good = OTLPFixtures.span(
                trace: OTLPFixtures.traceId(),
                attributes: [
                    ("gen_ai.request.model", "gpt-5-mini"), ("gen_ai.system", "openai"),
                ])
            let answer = try await Self.post(service, OTLPFixtures.export([noModel, badUsage, good, http]))
            #expect(answer.partialSuccess.rejectedSpans == 2)
            #expect(answer.partialSuccess.errorMessage.contains("gen_ai.request.model"))
            #expect(try await Self.conversationCount(service) == 1)

            // Text PostgreSQL cannot hold (U+0000), an unknown role: the span is rejected naming the attribute.
            let nul = OTLPFixtures.span(
                trace: OTLPFixtures.traceId(), id: OTLPFixtures.spanId(),
                attributes: [
                    ("gen_ai.request.model", "gpt-5-mini"),
                    ("gen_ai.input.messages", OTLPFixtures.json([["role": "user", "parts": [["type": "text", "content": "a\u{0}b"]]]])),
                ])
            let role = OTLPFixtures.span(
                trace: OTLPFixtures.traceId(),
                attributes: [
                    ("gen_ai.request.model", "gpt-5-mini"), ("gen_ai.input.messages", OTLPFixtures.json([["role": "narrator", "parts": []]])),
                ])
            let rejected = try await Self.post(service, OTLPFixtures.export([nul]))
            #expect(rejected.partialSuccess.rejectedSpans == 1)
            #expect(
                rejected.partialSuccess.errorMessage == "span \(OTLPFixtures.hex(nul.spanID)): gen_ai.input.messages[0].content: "
                    + "contains U+0000 (NUL), which cannot be stored; remove or escape it")
            let unknownRole = try await Self.post(service, OTLPFixtures.export([role]))
            #expect(unknownRole.partialSuccess.errorMessage.contains("gen_ai.input.messages[0].role"))
            #expect(try await Self.conversationCount(service) == 1)
        }
    }

    @Test func badBodiesAre400WithAStatusBodyAndNothingIsStored() async throws {
        var limits = IngestLimits()
        limits.maxBatchBodyBytes = 256 * 1024
        limits.maxBatchEvents = 3
        try await TestService.run(suite: Self.suite, limits: limits) { service in
            func status(_ response: TestResponse, protobuf: Bool) throws -> Google_Rpc_Status {
                protobuf
                    ? try Google_Rpc_Status(serializedBytes: Data(buffer: response.body))
                    : try Google_Rpc_Status(jsonUTF8Data: Data(buffer: response.body))
            }
            let garbage = try await Self.post(service, [0xff, 0xff, 0xff, 0x0f, 0x01])
            #expect(garbage.status == .badRequest)
            #expect(try status(garbage, protobuf: true).code == 3)
            let notJSON = try await Self.post(service, Array("{\"resourceSpans\": [".utf8), contentType: "application/json")
            #expect(notJSON.status == .badRequest && notJSON.headers[.contentType] == "application/json")
            #expect(try status(notJSON, protobuf: false).message.hasPrefix("body:"))
            let base64Id = """
                {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "AAECAwQFBgcICQoLDA0ODw==", "spanId": "0001020304050607"}]}]}]}
                """
            let badId = try await Self.post(service, Array(base64Id.utf8), contentType: "application/json")
            #expect(badId.status == .badRequest)
            #expect(try status(badId, protobuf: false).message.hasPrefix("resourceSpans[0].scopeSpans[0].spans[0].traceId:"))
            let xml = try await Self.post(service, Array("<spans/>".utf8), contentType: "application/xml")
            #expect(xml.status == .unsupportedMediaType)
            var badGzip = try await Self.post(service, [0x1f, 0x8b, 0x08, 0x00, 0x01], contentType: "application/x-protobuf")
            #expect(badGzip.status == .ok || badGzip.status == .badRequest)  // not declared gzip: read as protobuf
            var headers: HTTPFields = [
                .authorization: "Bearer \(service.tenant.ingestKey)", .contentType: "application/x-protobuf",
                .contentEncoding: "gzip",
            ]
            badGzip = try await service.send(.post, "/v1/traces", headers, ByteBuffer(bytes: [0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]))
            #expect(badGzip.status == .badRequest)
            // A decompression bomb: 64 KiB on the wire, 16 MiB inflated; stopped at the limit.
            let bomb = OTLPFixtures.gzip([UInt8](repeating: 0, count: 16 * 1024 * 1024))
            #expect(bomb.count < 64 * 1024)
            let bombed = try await service.send(.post, "/v1/traces", headers, ByteBuffer(bytes: bomb))
            #expect(bombed.status == .contentTooLarge)
            headers[.contentEncoding] = "br"
            #expect(try await service.send(.post, "/v1/traces", headers, ByteBuffer(bytes: [1])).status == .unsupportedMediaType)
            // More spans than a batch holds events: 413, nothing stored.
            let spans = (0..<4).map { _ in OTLPFixtures.span(trace: OTLPFixtures.traceId(), attributes: [("gen_ai.request.model", "gpt-5-mini")]) }
            let tooMany = try await Self.post(service, try OTLPFixtures.export(spans).serializedBytes())
            #expect(tooMany.status == .contentTooLarge)
            #expect(try status(tooMany, protobuf: true).message.hasPrefix("resourceSpans:"))
            #expect(try await Self.conversationCount(service) == 0)
        }
    }

    @Test func keysAreCheckedAndTenantsStayApart() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let export = OTLPFixtures.export([Self.fullSpan(trace: OTLPFixtures.traceId(), id: OTLPFixtures.spanId(), conversation: "shared-name")])
            let bytes = try export.serializedBytes() as [UInt8]
            #expect(
                try await service.send(.post, "/v1/traces", [.contentType: "application/x-protobuf"], ByteBuffer(bytes: bytes)).status
                    == .unauthorized)
            #expect(try await Self.post(service, bytes, key: "llmlog_ik_unknown").status == .unauthorized)
            let token = try await service.request(.post, "/v1/tokens", json: #"{"userId": "u-1", "ttlSeconds": 600}"#, key: service.tenant.adminKey)
            let userToken = try #require(token.object["token"] as? String)
            #expect(try await Self.post(service, bytes, key: userToken).status == .forbidden)
            // The admin key writes too.
            _ = try await Self.post(service, export, key: service.tenant.adminKey)
            let before = try await Self.messageCount(service)

            // Another tenant sends the very same spans (same conversation name, trace and span ids) with its key.
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(6))")
            _ = try await Self.post(service, export, key: other.ingestKey)
            #expect(try await Self.messageCount(service) == before)
            let theirs = try await service.database.query("SELECT count(*) FROM llm_messages WHERE tenant_id = \(other.tenantId)")[0]
                .decode(Int.self, column: 0)
            #expect(theirs == before)
            // Their conversation id is another UUID v5: the tenant is part of the name.
            let ours = try await service.database.query("SELECT id FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)")[0]
                .decode(UUID.self, column: 0)
            let their = try await service.database.query("SELECT id FROM llm_conversations WHERE tenant_id = \(other.tenantId)")[0]
                .decode(UUID.self, column: 0)
            #expect(ours != their)
        }
    }

    /// A full write queue is 503 with Retry-After (exporters retry it); answers fit the OpenAPI document.
    @Test func overloadAndAnswersAsDocumented() async throws {
        let document = try OpenAPIDocument.load()
        let span = OTLPFixtures.span(trace: OTLPFixtures.traceId(), attributes: [("gen_ai.request.model", "gpt-5-mini")])
        let json = """
            {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "\(OTLPFixtures.hex(span.traceID))", "spanId": "\(OTLPFixtures.hex(span.spanID))",
              "startTimeUnixNano": "\(span.startTimeUnixNano)", "endTimeUnixNano": "\(span.endTimeUnixNano)",
              "attributes": [{"key": "gen_ai.request.model", "value": {"stringValue": "gpt-5-mini"}}]}]}]}]}
            """
        try await TestService.run(suite: Self.suite) { service in
            let ok = try await Self.post(service, Array(json.utf8), contentType: "application/json")
            OpenAPIDocumentTests.expectConforms(document, ok, "POST", "/v1/traces", "200")
            let bad = try await Self.post(service, Array("[]".utf8), contentType: "application/json")
            OpenAPIDocumentTests.expectConforms(document, bad, "POST", "/v1/traces", "400")
        }
        var options = IngestWriter.Options()
        options.queueCapacity = 0
        try await TestService.run(suite: Self.suite, writerOptions: options) { service in
            let full = try await Self.post(service, Array(json.utf8), contentType: "application/json")
            OpenAPIDocumentTests.expectConforms(document, full, "POST", "/v1/traces", "503")
            #expect(full.headers[.retryAfter] != nil)
            let binary = try await Self.post(service, try OTLPFixtures.export([span]).serializedBytes())
            #expect(binary.status == .serviceUnavailable && binary.headers[.retryAfter] != nil)
            #expect(try Google_Rpc_Status(serializedBytes: Data(buffer: binary.body)).code == 14)
            // Nothing to write (no GenAI span): answered without the writer.
            let http = OTLPFixtures.span(trace: OTLPFixtures.traceId(), name: "GET /", attributes: [("http.request.method", "GET")])
            #expect(try await Self.post(service, try OTLPFixtures.export([http]).serializedBytes()).status == .ok)
        }
    }

    /// The conversation's attributes from the resource when the span lacks them; a UUID names the conversation itself.
    @Test func resourceAttributesAndAUUIDConversationId() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversationId = UUID()
            let span = OTLPFixtures.span(
                trace: OTLPFixtures.traceId(),
                attributes: [
                    ("gen_ai.operation.name", "text_completion"), ("gen_ai.request.model", "gpt-5-mini"),
                    ("gen_ai.usage.output_tokens", 7),
                ])
            let export = OTLPFixtures.export(
                [span],
                resource: [
                    ("service.name", "resource-app"), ("gen_ai.conversation.id", conversationId.uuidString),
                    ("gen_ai.provider.name", "OpenAI"), ("user.id", "u-resource"),
                ])
            _ = try await Self.post(service, export)
            let detail = try await ProviderIngestTests.detail(service, conversationId.uuidString.lowercased())
            #expect(detail.conversation.provider == "openai" && detail.conversation.userId == "u-resource")
            #expect(detail.conversation.type == "TEXT_COMPLETION")
            #expect(detail.messages.count == 1 && detail.messages[0].outputTokens == 7 && detail.messages[0].inputTokens == 0)
            #expect(ProviderIngestTests.object(detail.messages[0].metadata)["serviceName"] == .string("resource-app"))
        }
    }
}
