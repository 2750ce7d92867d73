import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

@Suite struct BatchAndConcurrencyTests {
    static let suite = "batch"

    @Test func mixedValidAndInvalidEvents() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversationID = UUID()
            let body = TestService.json([
                "events": [
                    [
                        "id": "ok-create", "type": "conversation.create",
                        "body": ["id": conversationID.uuidString, "type": "CHAT", "provider": "anthropic", "model": "claude-3-5-haiku-20241022"],
                    ],
                    [
                        "id": "bad-role", "type": "message.create",
                        "body": ["conversationId": conversationID.uuidString, "role": "BOT", "content": "x"],
                    ],
                    [
                        "id": "ok-message", "type": "message.create",
                        "body": ["conversationId": conversationID.uuidString, "role": "USER", "content": "hi"],
                    ],
                    [
                        "id": "unknown-conversation", "type": "message.create",
                        "body": ["conversationId": UUID().uuidString, "role": "USER", "content": "x"],
                    ],
                    ["id": "bad-type", "type": "conversation.delete", "body": [:]],
                    [
                        "id": "negative", "type": "message.create",
                        "body": ["conversationId": conversationID.uuidString, "role": "USER", "content": "x", "inputTokens": -1],
                    ],
                    ["id": "ok-update", "type": "conversation.update", "body": ["conversationId": conversationID.uuidString, "title": "t"]],
                ]
            ])
            let response = try await service.request(.post, "/v1/batch", json: body)
            #expect(response.status.code == 207)
            let results = response.object["results"] as? [[String: Any]] ?? []
            #expect(
                results.map { $0["id"] as? String } == [
                    "ok-create", "bad-role", "ok-message", "unknown-conversation", "bad-type", "negative", "ok-update",
                ])
            #expect(results.map { $0["status"] as? Int } == [201, 400, 201, 404, 400, 400, 200])
            func field(_ index: Int) -> String? { (results[index]["error"] as? [String: Any])?["field"] as? String }
            #expect(field(1) == "body.role")
            #expect(field(3) == "conversationId")
            #expect(field(4) == "type")
            #expect(field(5) == "body.inputTokens")
            let stored = try await service.database.query("SELECT count(*) FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId)")[0]
                .decode(Int.self, column: 0)
            #expect(stored == 1)
        }
    }

    @Test func batchOverTheLimitIsRefusedWhole() async throws {
        var limits = IngestLimits()
        limits.maxBatchEvents = 3
        try await TestService.run(suite: Self.suite, limits: limits) { service in
            let events = (0..<4).map {
                [
                    "id": "e\($0)", "type": "conversation.create",
                    "body": ["type": "CHAT", "provider": "openai", "model": "gpt-4o"],
                ] as [String: Any]
            }
            let response = try await service.request(.post, "/v1/batch", json: TestService.json(["events": events]))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorField == "events")
            let stored = try await service.database.query("SELECT count(*) FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)")[0]
                .decode(Int.self, column: 0)
            #expect(stored == 0)
        }
    }

    @Test func fiftyConcurrentMessagesGetIndexesZeroToFortyNine() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o-mini"}"#
            )
            .decode(ConversationRecord.self)
            let records = try await withThrowingTaskGroup(of: MessageRecord.self) { group in
                for n in 0..<50 {
                    group.addTask {
                        let body = TestService.json([
                            "role": "ASSISTANT", "content": "m\(n)", "inputTokens": n * 10, "outputTokens": n, "processingTime": 100 + n,
                        ])
                        let response = try await service.request(.post, "/v1/conversations/\(conversation.id)/messages", json: body)
                        guard response.status == .created else { throw APIError.internalError }
                        return try response.decode(MessageRecord.self)
                    }
                }
                var records: [MessageRecord] = []
                for try await record in group { records.append(record) }
                return records
            }
            #expect(records.map(\.messageIndex).sorted() == Array(0..<50))
            let final = try await service.request(.patch, "/v1/conversations/\(conversation.id)", json: "{}").decode(ConversationRecord.self)
            #expect(final.messageCount == 50)
            #expect(final.totalTokensUsed == records.compactMap(\.totalTokens).reduce(0, +))
            #expect(final.totalTokensUsed == (0..<50).reduce(Int64(0)) { $0 + Int64($1 * 11) })
            #expect(final.totalCost == records.compactMap(\.cost).reduce(0, +))
            let stored = try await service.database.query(
                """
                SELECT count(DISTINCT message_index), min(message_index), max(message_index)
                FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) AND conversation_id = \(conversation.id)
                """)[0].decode((Int, Int, Int).self)
            #expect(stored == (50, 0, 49))
        }
    }

    @Test func explicitIndexesAreUniquePerConversation() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            let path = "/v1/conversations/\(conversation.id)/messages"
            #expect(try await service.request(.post, path, json: #"{"role": "USER", "content": "a", "messageIndex": 3}"#).status == .created)
            let taken = try await service.request(.post, path, json: #"{"role": "USER", "content": "b", "messageIndex": 3}"#)
            #expect(taken.status == .conflict && taken.errorField == "messageIndex")
            let next = try await service.request(.post, path, json: #"{"role": "USER", "content": "c"}"#).decode(MessageRecord.self)
            #expect(next.messageIndex == 4)
            // The last index there is; after it the server has none left to assign (and says so, no crash).
            let last = try await service.request(.post, path, json: #"{"role": "USER", "content": "d", "messageIndex": 2147483646}"#)
            #expect(last.status == .created)
            let exhausted = try await service.request(.post, path, json: #"{"role": "USER", "content": "e"}"#)
            #expect(exhausted.status == .conflict && exhausted.errorCode == "message_index_exhausted")
            let tooBig = try await service.request(.post, path, json: #"{"role": "USER", "content": "f", "messageIndex": 2147483647}"#)
            #expect(tooBig.status == .badRequest && tooBig.errorField == "messageIndex")
        }
    }
}
