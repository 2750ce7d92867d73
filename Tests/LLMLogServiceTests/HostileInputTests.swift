import Foundation
import HTTPTypes
import HummingbirdTesting
import LLMLogService
import NIOCore
import PGClient
import Testing

/// A corpus of more than 2,000 hostile requests — truncated and random bodies, wrong types, huge and negative
/// numbers, deep and huge metadata, invalid UTF-8, NUL bytes, unknown enum values, bad query parameters and path ids —
/// each answered with the right 4xx naming the field, and nothing partially written. Injection strings and unicode
/// edge cases are stored verbatim.
@Suite struct HostileInputTests {
    static let suite = "hostile"

    struct Case {
        let method: HTTPRequest.Method
        let uri: String
        let body: [UInt8]?
        let status: Int
        /// The `error.field` expected; nil: any (or none, for 2xx).
        let field: String?
        var key: String? = nil
        var contentType: String? = "application/json"
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func everyHostileRequestGetsItsExact4xxAndWritesNothing() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            let messages = "/v1/conversations/\(conversation.id)/messages"
            let admin = service.tenant.adminKey
            var cases: [Case] = []

            // 1. Every truncation of five valid bodies (the whole body is the one success, left out).
            let fullConversation =
                #"{"id": "\#(UUID())", "userId": "u-1", "type": "CHAT", "title": "t", "documentId": "d", "provider": "openai", "model": "gpt-4o", "metadata": {"a": [1, {"b": null}]}, "createdAt": "2026-11-29T10:00:00.000Z"}"#
            let fullMessage =
                #"{"id": "\#(UUID())", "role": "ASSISTANT", "content": "hi \"there\"", "inputTokens": 1, "outputTokens": 2, "totalTokens": 3, "cachedInputTokens": 0, "cacheCreationInputTokens": 0, "reasoningTokens": 0, "cost": 0.01, "processingTime": 5, "finishReason": "stop", "temperature": 0.5, "maxTokens": 10, "errorMessage": null, "metadata": {}, "createdAt": "2026-11-29T10:00:00.000Z"}"#
            let fullUpdate =
                #"{"status": "COMPLETED", "title": "x", "errorMessage": "e", "metadata": {"k": "v"}, "totalTokensUsed": 5, "totalCost": 0.5}"#
            let fullToken = #"{"userId": "user-1", "ttlSeconds": 60}"#
            for (uri, method, body, key) in [
                ("/v1/conversations", HTTPRequest.Method.post, fullConversation, nil as String?),
                (messages, .post, fullMessage, nil), ("/v1/conversations/\(conversation.id)", .patch, fullUpdate, nil),
                ("/v1/tokens", .post, fullToken, admin),
            ] {
                let all = Self.bytes(body)
                for length in 0..<all.count {
                    cases.append(Case(method: method, uri: uri, body: Array(all[..<length]), status: 400, field: "body", key: key))
                }
            }
            // A batch cut anywhere is a 400 of the whole body (events are decoded one by one only once the JSON parses).
            let batch = Self.bytes(
                #"{"events": [{"id": "e1", "type": "conversation.create", "body": {"type": "CHAT", "provider": "p", "model": "m"}}, {"id": "e2", "type": "message.create", "body": {"conversationId": "\#(conversation.id)", "role": "USER", "content": "c"}}]}"#
            )
            for length in 0..<batch.count {
                cases.append(Case(method: .post, uri: "/v1/batch", body: Array(batch[..<length]), status: 400, field: "body"))
            }

            // 2. Wrong types for every field.
            let wrongForString: [String] = ["7", "true", "[]", "{}"]
            let wrongForInteger: [String] = ["\"7\"", "true", "[]", "{}", "1.5", "-1", "1e30", "9223372036854775808", "1000000000001"]
            let wrongForNumber: [String] = ["\"0.5\"", "true", "[]", "{}"]
            func object(_ base: [String: String], _ field: String, _ value: String) -> [UInt8] {
                var fields = base
                fields[field] = value
                return Self.bytes("{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}")
            }
            let conversationBase = ["type": "\"CHAT\"", "provider": "\"openai\"", "model": "\"gpt-4o\""]
            for field in ["userId", "type", "title", "documentId", "provider", "model"] {
                for value in wrongForString {
                    cases.append(
                        Case(method: .post, uri: "/v1/conversations", body: object(conversationBase, field, value), status: 400, field: field))
                }
            }
            for field in ["type", "provider", "model"] {
                cases.append(Case(method: .post, uri: "/v1/conversations", body: object(conversationBase, field, "null"), status: 400, field: field))
            }
            for value in ["7", "\"not-a-uuid\"", "\"../../etc/passwd\""] {
                cases.append(Case(method: .post, uri: "/v1/conversations", body: object(conversationBase, "id", value), status: 400, field: "id"))
            }
            for value in ["7", "\"yesterday\"", "\"2026-13-45T00:00:00Z\"", "\"9999-01-01T00:00:00.000Z\"", "\"1969-12-31T23:59:59.000Z\""] {
                cases.append(
                    Case(method: .post, uri: "/v1/conversations", body: object(conversationBase, "createdAt", value), status: 400, field: "createdAt")
                )
            }
            for value in ["\"lower\"", "\"\"", "\"A-B\"", "\"" + String(repeating: "A", count: 65) + "\"", "\"CHAT'; DROP TABLE tenants;--\""] {
                cases.append(Case(method: .post, uri: "/v1/conversations", body: object(conversationBase, "type", value), status: 400, field: "type"))
            }
            for value in ["[]", "\"x\"", "7", String(repeating: "{\"a\": ", count: 40) + "1" + String(repeating: "}", count: 40)] {
                cases.append(
                    Case(method: .post, uri: "/v1/conversations", body: object(conversationBase, "metadata", value), status: 400, field: "metadata"))
            }
            cases.append(
                Case(
                    method: .post, uri: "/v1/conversations",
                    body: object(conversationBase, "metadata", "{\"big\": \"" + String(repeating: "x", count: 70_000) + "\"}"),
                    status: 413, field: "metadata"))
            let messageBase = ["role": "\"USER\"", "content": "\"c\""]
            for field in ["content", "finishReason", "errorMessage"] {
                for value in wrongForString {
                    cases.append(Case(method: .post, uri: messages, body: object(messageBase, field, value), status: 400, field: field))
                }
            }
            for field in [
                "inputTokens", "outputTokens", "totalTokens", "cachedInputTokens", "cacheCreationInputTokens", "reasoningTokens",
                "processingTime", "messageIndex", "maxTokens",
            ] {
                for value in wrongForInteger {
                    cases.append(Case(method: .post, uri: messages, body: object(messageBase, field, value), status: 400, field: field))
                }
            }
            for field in ["temperature", "cost"] {
                for value in wrongForNumber + ["-1", "1e20"] {
                    cases.append(Case(method: .post, uri: messages, body: object(messageBase, field, value), status: 400, field: field))
                }
                // Beyond Double's (and Decimal's) range the JSON parser itself refuses the number, before any field is known.
                cases.append(Case(method: .post, uri: messages, body: object(messageBase, field, "1e400"), status: 400, field: "body"))
            }
            for value in ["\"BOT\"", "\"user\"", "7", "null", "\"\""] {
                cases.append(Case(method: .post, uri: messages, body: object(messageBase, "role", value), status: 400, field: "role"))
            }
            cases.append(Case(method: .post, uri: messages, body: Self.bytes(#"{"role": "USER"}"#), status: 400, field: "content"))
            let updateBase = ["title": "\"t\""]
            for value in ["\"DONE\"", "\"completed\"", "7"] {
                cases.append(
                    Case(
                        method: .patch, uri: "/v1/conversations/\(conversation.id)", body: object(updateBase, "status", value), status: 400,
                        field: "status"))
            }
            for (field, values) in [
                ("totalTokensUsed", wrongForInteger), ("totalCost", wrongForNumber + ["-0.01"]), ("title", wrongForString),
                ("errorMessage", wrongForString),
            ] {
                for value in values {
                    cases.append(
                        Case(
                            method: .patch, uri: "/v1/conversations/\(conversation.id)", body: object(updateBase, field, value), status: 400,
                            field: field))
                }
            }
            for (field, value) in [("userId", "7"), ("ttlSeconds", "\"60\""), ("ttlSeconds", "-1"), ("ttlSeconds", "0"), ("ttlSeconds", "99999999")] {
                cases.append(
                    Case(method: .post, uri: "/v1/tokens", body: object(["userId": "\"u\""], field, value), status: 400, field: field, key: admin))
            }

            // 3. NUL anywhere, invalid UTF-8, lone surrogates, wrong media type, empty bodies.
            for (field, body) in [
                ("content", #"{"role": "USER", "content": "a\u0000b"}"#),
                ("finishReason", #"{"role": "USER", "content": "a", "finishReason": "s\u0000"}"#),
                ("metadata", #"{"role": "USER", "content": "a", "metadata": {"k\u0000": 1}}"#),
                ("metadata", #"{"role": "USER", "content": "a", "metadata": {"k": ["\u0000"]}}"#),
            ] {
                cases.append(Case(method: .post, uri: messages, body: Self.bytes(body), status: 400, field: field))
            }
            for field in ["title", "userId", "documentId"] {
                cases.append(
                    Case(method: .post, uri: "/v1/conversations", body: object(conversationBase, field, "\"x\\u0000y\""), status: 400, field: field))
            }
            for invalid in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]] {
                cases.append(
                    Case(
                        method: .post, uri: messages, body: Self.bytes(#"{"role": "USER", "content": ""#) + invalid + Self.bytes(#""}"#), status: 400,
                        field: "body"))
            }
            cases.append(Case(method: .post, uri: messages, body: Self.bytes(#"{"role": "USER", "content": "\ud800"}"#), status: 400, field: nil))
            cases.append(
                Case(
                    method: .post, uri: messages, body: Self.bytes(#"{"role": "USER", "content": "x"}"#), status: 415, field: "Content-Type",
                    contentType: "text/plain"))
            cases.append(Case(method: .post, uri: messages, body: [], status: 400, field: "body"))
            cases.append(Case(method: .post, uri: "/v1/batch", body: Self.bytes(#"{"events": {}}"#), status: 400, field: "events"))
            let tooMany = (0...1000).map {
                #"{"id": "e\#($0)", "type": "conversation.create", "body": {"type": "CHAT", "provider": "p", "model": "m"}}"#
            }
            cases.append(
                Case(
                    method: .post, uri: "/v1/batch", body: Self.bytes(#"{"events": [\#(tooMany.joined(separator: ","))]}"#), status: 413,
                    field: "events"))

            // 4. Query parameters and path ids.
            for query in [
                "cursor=garbage", "cursor=%00", "cursor=" + String(repeating: "A", count: 5000), "from=yesterday", "to=2026-13-45",
                "limit=0", "limit=201", "limit=abc", "limit=-5", "limit=1e3", "status=DONE", "type=lower",
            ] {
                let field = String(query.prefix { $0 != "=" })
                cases.append(Case(method: .get, uri: "/v1/conversations?" + query, body: nil, status: 400, field: field, key: admin))
            }
            for query in ["days=0", "days=366", "days=abc", "days=1.5", "days=-1", "days=%27%20OR%201%3D1"] {
                cases.append(Case(method: .get, uri: "/v1/analytics/usage?" + query, body: nil, status: 400, field: "days", key: admin))
                cases.append(Case(method: .get, uri: "/v1/admin/analytics?" + query, body: nil, status: 400, field: "days", key: admin))
            }
            cases.append(Case(method: .get, uri: "/v1/admin/analytics?limit=0", body: nil, status: 400, field: "limit", key: admin))
            cases.append(Case(method: .get, uri: "/v1/conversations/\(conversation.id)?limit=0", body: nil, status: 400, field: "limit", key: admin))
            cases.append(Case(method: .get, uri: "/v1/conversations/\(conversation.id)?after=-7", body: nil, status: 400, field: "after", key: admin))
            cases.append(Case(method: .get, uri: "/api/llm-analytics?action=drop", body: nil, status: 400, field: "action", key: admin))
            cases.append(
                Case(method: .get, uri: "/api/llm-analytics?action=conversation&id=..%2F..", body: nil, status: 400, field: "id", key: admin))
            for id in [
                "..", "%2E%2E", "not-a-uuid", "%27%20OR%201%3D1--", "00000000-0000-0000-0000-00000000000g", String(repeating: "a", count: 4000),
                "%00", "%E2%80%AE",
            ] {
                cases.append(Case(method: .get, uri: "/v1/conversations/\(id)", body: nil, status: 400, field: "id", key: admin))
                cases.append(Case(method: .patch, uri: "/v1/conversations/\(id)", body: Self.bytes(#"{"title": "x"}"#), status: 400, field: "id"))
                cases.append(
                    Case(
                        method: .post, uri: "/v1/conversations/\(id)/messages", body: Self.bytes(#"{"role": "USER", "content": "x"}"#), status: 400,
                        field: "conversationId"))
            }

            // 5. Random bytes (seeded): never JSON objects, so always a 400 of the body.
            var random = SeededGenerator(state: 0x5eed)
            for _ in 0..<720 {
                let length = Int.random(in: 1...64, using: &random)
                var body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                if body.first == UInt8(ascii: "{") { body[0] = UInt8(ascii: "[") }
                cases.append(Case(method: .post, uri: messages, body: body, status: 400, field: "body"))
            }

            #expect(cases.count >= 2000, "\(cases.count) cases")
            var failures = 0
            for testCase in cases {
                var headers: HTTPFields = [:]
                if let contentType = testCase.contentType { headers[.contentType] = contentType }
                let response = try await service.send(
                    testCase.method, testCase.uri,
                    {
                        var all = headers
                        all[.authorization] = "Bearer \(testCase.key ?? service.tenant.ingestKey)"
                        return all
                    }(), testCase.body.map { ByteBuffer(bytes: $0) })
                let ok =
                    Int(response.status.code) == testCase.status && (testCase.field == nil || response.errorField == testCase.field)
                    && response.errorCode != nil
                if !ok {
                    failures += 1
                    if failures <= 25 {
                        Issue.record(
                            "\(testCase.method) \(testCase.uri.prefix(80)) \(String(decoding: (testCase.body ?? []).prefix(120), as: UTF8.self)): expected \(testCase.status) \(testCase.field ?? "-"), got \(response.status.code) \(response.errorField ?? "-") \(response.errorCode ?? "-")"
                        )
                    }
                }
            }
            #expect(failures == 0, "\(failures) of \(cases.count) cases answered otherwise")
            print("hostile corpus: \(cases.count) requests, \(failures) unexpected answers")

            // Nothing partially written: still one conversation, no message, untouched.
            let (conversations, storedMessages, title) = try await service.database.query(
                """
                SELECT (SELECT count(*) FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)),
                       (SELECT count(*) FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId)),
                       (SELECT title FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId) AND id = \(conversation.id))
                """)[0].decode((Int, Int, String?).self)
            #expect(conversations == 1 && storedMessages == 0 && title == nil)
        }
    }

    /// Injection strings and unicode edge cases are data: stored and read back byte for byte.
    @Test func injectionStringsAndUnicodeAreStoredVerbatim() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let texts = [
                "'; DROP TABLE llm_messages; --", "Robert'); DROP TABLE students;--", "\" OR 1=1 --", "$1 $2 %s %n {{7*7}} ${jndi:ldap://x}",
                "😀👩‍👩‍👧‍👦🏳️‍🌈", "مرحبا بالعالم", "e\u{301}\u{301}", "\u{FEFF}bom", "\u{10FFFF}\u{FFFD}\u{FFFF}", "\u{202E}gnp.exe",
                "line\nbreak\ttab\r\n", String(repeating: "ü", count: 10_000), "\\u0000 is not a NUL", "</script><script>alert(1)</script>",
            ]
            let conversation = try await service.request(
                .post, "/v1/conversations",
                json: TestService.json(
                    ["type": "CHAT", "provider": "openai", "model": "gpt-4o", "title": texts[0], "userId": texts[4], "metadata": ["k": texts[1]]]))
            #expect(conversation.status == .created)
            let id = try #require(conversation.object["id"] as? String)
            for text in texts {
                let response = try await service.request(
                    .post, "/v1/conversations/\(id)/messages", json: TestService.json(["role": "USER", "content": text]))
                #expect(response.status == .created)
            }
            let stored = try await service.database.query(
                """
                SELECT content FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) ORDER BY message_index
                """
            ).map { try $0.decode(String.self, column: 0) }
            func scalars(_ strings: [String]) -> [[Unicode.Scalar]] { strings.map { Array($0.unicodeScalars) } }
            #expect(scalars(stored) == scalars(texts), "stored text differs")
            struct Detail: Decodable {
                struct Message: Decodable { let content: String }
                let title: String?
                let userId: String?
                let messages: [Message]
            }
            let detail = try await service.request(.get, "/v1/conversations/\(id)", key: service.tenant.adminKey).decode(Detail.self)
            #expect(scalars(detail.messages.map(\.content)) == scalars(texts), "answered text differs")
            #expect(scalars([detail.title ?? "", detail.userId ?? ""]) == scalars([texts[0], texts[4]]))
            let tables = try await service.database.query("SELECT count(*) FROM pg_tables WHERE tablename IN ('llm_messages', 'tenants')")[0].decode(
                Int.self, column: 0)
            #expect(tables == 2)
        }
    }
}
