import Foundation
import Hummingbird
import HummingbirdTesting
import LLMLogService
import NIOCore
import PGClient
import Testing

/// Every bad input is a 4xx naming its field, and writes nothing.
@Suite struct ValidationTests {
    static let suite = "validation"

    struct Case: CustomStringConvertible, Sendable {
        let body: String
        let status: Int
        let field: String
        var description: String { body }
    }

    static let conversationCases: [Case] = [
        Case(body: #"{"provider": "openai", "model": "gpt-4o"}"#, status: 400, field: "type"),
        Case(body: #"{"type": "resume_analysis", "provider": "openai", "model": "gpt-4o"}"#, status: 400, field: "type"),
        Case(body: #"{"type": "A_\#(String(repeating: "B", count: 64))", "provider": "openai", "model": "gpt-4o"}"#, status: 400, field: "type"),
        Case(body: #"{"type": "CHAT", "model": "gpt-4o"}"#, status: 400, field: "provider"),
        Case(body: #"{"type": "CHAT", "provider": "", "model": "gpt-4o"}"#, status: 400, field: "provider"),
        Case(body: #"{"type": "CHAT", "provider": "openai"}"#, status: 400, field: "model"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": 4}"#, status: 400, field: "model"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": "m", "id": "not-a-uuid"}"#, status: 400, field: "id"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": "m", "userId": ""}"#, status: 400, field: "userId"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": "m", "metadata": [1, 2]}"#, status: 400, field: "metadata"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": "m", "createdAt": "yesterday"}"#, status: 400, field: "createdAt"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": "m", "createdAt": "2099-01-01T00:00:00Z"}"#, status: 400, field: "createdAt"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": "m", "title": "a\u0000b"}"#, status: 400, field: "title"),
        Case(body: #"{"type": "CHAT", "provider": "openai", "model": "m", "metadata": {"k": "a\u0000"}}"#, status: 400, field: "metadata"),
        Case(body: #"{"type": "CHAT", "provider": "openai""#, status: 400, field: "body"),
        Case(body: #"[]"#, status: 400, field: "body"),
        Case(body: "", status: 400, field: "body"),
    ]

    static let messageCases: [Case] = [
        Case(body: #"{"content": "x"}"#, status: 400, field: "role"),
        Case(body: #"{"role": "BOT", "content": "x"}"#, status: 400, field: "role"),
        Case(body: #"{"role": "USER"}"#, status: 400, field: "content"),
        Case(body: #"{"role": "USER", "content": null}"#, status: 400, field: "content"),
        Case(body: #"{"role": "USER", "content": "x", "inputTokens": -5}"#, status: 400, field: "inputTokens"),
        Case(body: #"{"role": "USER", "content": "x", "outputTokens": 1.5}"#, status: 400, field: "outputTokens"),
        Case(body: #"{"role": "USER", "content": "x", "totalTokens": 99999999999999999999999}"#, status: 400, field: "totalTokens"),
        Case(body: #"{"role": "USER", "content": "x", "cachedInputTokens": "12"}"#, status: 400, field: "cachedInputTokens"),
        Case(body: #"{"role": "USER", "content": "x", "reasoningTokens": -1}"#, status: 400, field: "reasoningTokens"),
        Case(body: #"{"role": "USER", "content": "x", "cacheCreationInputTokens": -1}"#, status: 400, field: "cacheCreationInputTokens"),
        Case(body: #"{"role": "USER", "content": "x", "cost": -0.01}"#, status: 400, field: "cost"),
        Case(body: #"{"role": "USER", "content": "x", "processingTime": -3}"#, status: 400, field: "processingTime"),
        Case(body: #"{"role": "USER", "content": "x", "messageIndex": -1}"#, status: 400, field: "messageIndex"),
        Case(body: #"{"role": "USER", "content": "x", "temperature": -0.5}"#, status: 400, field: "temperature"),
        Case(body: #"{"role": "USER", "content": "x", "maxTokens": 1e20}"#, status: 400, field: "maxTokens"),
        Case(body: #"{"role": "USER", "content": "nul \u0000 inside"}"#, status: 400, field: "content"),
        Case(
            body: #"{"role": "USER", "content": "x", "finishReason": "\#(String(repeating: "r", count: 101))"}"#, status: 400, field: "finishReason"),
        Case(body: #"{"role": "USER", "content": "x", "metadata": {"a": {"b": {"c": {"d": {}}}}}}"#, status: 400, field: "metadata"),
    ]

    @Test(arguments: conversationCases)
    func conversationCreateErrors(_ testCase: Case) async throws {
        try await TestService.run(suite: Self.suite) { service in
            let response = try await service.request(.post, "/v1/conversations", json: testCase.body)
            #expect(Int(response.status.code) == testCase.status)
            #expect(response.errorField == testCase.field)
            let stored = try await service.database.query("SELECT count(*) FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)")[0]
                .decode(Int.self, column: 0)
            #expect(stored == 0)
        }
    }

    @Test(arguments: messageCases)
    func messageCreateErrors(_ testCase: Case) async throws {
        var limits = IngestLimits()
        limits.maxMetadataDepth = 3
        try await TestService.run(suite: Self.suite, limits: limits) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            let response = try await service.request(.post, "/v1/conversations/\(conversation.id)/messages", json: testCase.body)
            #expect(Int(response.status.code) == testCase.status)
            #expect(response.errorField == testCase.field)
            let stored = try await service.database.query("SELECT count(*) FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId)")[0]
                .decode(Int.self, column: 0)
            #expect(stored == 0)
        }
    }

    @Test func patchErrors() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            let path = "/v1/conversations/\(conversation.id)"
            let cases: [(String, String)] = [
                (#"{"status": "DONE"}"#, "status"), (#"{"totalTokensUsed": -1}"#, "totalTokensUsed"),
                (#"{"totalCost": -2}"#, "totalCost"), (#"{"errorMessage": "\u0000"}"#, "errorMessage"),
                (#"{"metadata": "text"}"#, "metadata"),
            ]
            for (body, field) in cases {
                let response = try await service.request(.patch, path, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorField == field, "\(body)")
            }
            let badID = try await service.request(.patch, "/v1/conversations/..%2F..%2Fetc", json: "{}")
            #expect(badID.status == .badRequest && badID.errorField == "id")
            let unknown = try await service.request(.patch, "/v1/conversations/\(UUID())", json: "{}")
            #expect(unknown.status == .notFound)
        }
    }

    @Test func sizeTypeAndEncodingLimits() async throws {
        var limits = IngestLimits()
        limits.maxContentBytes = 1000
        limits.maxBodyBytes = 4000
        try await TestService.run(suite: Self.suite, limits: limits) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            let path = "/v1/conversations/\(conversation.id)/messages"
            let long = try await service.request(
                .post, path, json: TestService.json(["role": "USER", "content": String(repeating: "x", count: 1001)]))
            #expect(long.status == .contentTooLarge && long.errorField == "content")
            let huge = try await service.request(
                .post, path, json: TestService.json(["role": "USER", "content": String(repeating: "x", count: 5000)]))
            #expect(huge.status == .contentTooLarge && huge.errorField == "body")
            let form = try await service.request(.post, path, json: "role=USER", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)
            // Invalid UTF-8 is refused as invalid JSON, not stored mangled.
            var headers: HTTPFields = [.authorization: "Bearer \(service.tenant.ingestKey)", .contentType: "application/json"]
            headers[.accept] = "application/json"
            var bytes = ByteBuffer(string: #"{"role": "USER", "content": "bad "#)
            bytes.writeBytes([0xC3, 0x28, 0xFF])
            bytes.writeString(#""}"#)
            let invalid = try await service.send(.post, path, headers, bytes)
            #expect(invalid.status == .badRequest && invalid.errorField == "body")
            // Unicode that is valid survives exactly: combining marks, emoji, RTL, a lone BOM.
            let text = "e\u{301} 👩🏽‍💻 مرحبا \u{FEFF} 𝔘"
            let stored = try await service.request(.post, path, json: TestService.json(["role": "USER", "content": text])).decode(MessageRecord.self)
            #expect(stored.content == text)
            let fromDatabase = try await service.database.query(
                "SELECT content FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) AND id = \(stored.id)")[0]
                .decode(String.self, column: 0)
            #expect(fromDatabase == text)
            // SQL in content is just text.
            let injection = "'); DROP TABLE llm_messages; --"
            let injected = try await service.request(.post, path, json: TestService.json(["role": "USER", "content": injection])).decode(
                MessageRecord.self)
            #expect(injected.content == injection)
        }
    }
}
