import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// A client-given id makes every write idempotent: same body → same answer and nothing written twice;
/// another body → 409.
@Suite struct IdempotencyTests {
    static let suite = "idempotency"

    func counts(_ service: TestService) async throws -> (conversations: Int, messages: Int, rollupMessages: Int64, rollupConversations: Int64) {
        let tenant = service.tenant.tenantId
        let conversations = try await service.database.query("SELECT count(*) FROM llm_conversations WHERE tenant_id = \(tenant)")[0].decode(
            Int.self, column: 0)
        let messages = try await service.database.query("SELECT count(*) FROM llm_messages WHERE tenant_id = \(tenant)")[0].decode(
            Int.self, column: 0)
        let rollups = try await service.database.query(
            """
            SELECT coalesce(sum(messages), 0), coalesce(sum(conversations), 0) FROM llm_usage_hourly WHERE tenant_id = \(tenant)
            """)[0].decode((Int64, Int64).self)
        return (conversations, messages, rollups.0, rollups.1)
    }

    @Test func retriedWritesAreStoredOnce() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversationID = UUID(), messageID = UUID()
            let create = TestService.json([
                "id": conversationID.uuidString, "type": "CHAT", "provider": "openai", "model": "gpt-4o-mini", "userId": "u",
            ])
            let first = try await service.request(.post, "/v1/conversations", json: create)
            let second = try await service.request(.post, "/v1/conversations", json: create)
            #expect(first.status == .created && second.status == .created)
            #expect(try first.decode(ConversationRecord.self) == second.decode(ConversationRecord.self))

            let message = TestService.json([
                "id": messageID.uuidString, "role": "ASSISTANT", "content": "answer",
                "inputTokens": 100, "outputTokens": 20, "createdAt": "2026-11-29T10:00:00.123456Z",
            ])
            let path = "/v1/conversations/\(conversationID)/messages"
            let m1 = try await service.request(.post, path, json: message)
            let m2 = try await service.request(.post, path, json: message)
            #expect(m1.status == .created && m2.status == .created)
            #expect(try m1.decode(MessageRecord.self) == m2.decode(MessageRecord.self))
            #expect(m1.object["createdAt"] as? String == "2026-11-29T10:00:00.123456Z")

            let patch = #"{"status": "COMPLETED", "title": "done"}"#
            let p1 = try await service.request(.patch, "/v1/conversations/\(conversationID)", json: patch)
            let p2 = try await service.request(.patch, "/v1/conversations/\(conversationID)", json: patch)
            #expect(p1.status == .ok && p2.status == .ok)
            #expect(try p1.decode(ConversationRecord.self).completedAt == p2.decode(ConversationRecord.self).completedAt)

            let stored = try await counts(service)
            #expect(stored.conversations == 1 && stored.messages == 1 && stored.rollupMessages == 1 && stored.rollupConversations == 1)
            let conversation = try await service.request(.patch, "/v1/conversations/\(conversationID)", json: "{}").decode(ConversationRecord.self)
            #expect(conversation.messageCount == 1 && conversation.totalTokensUsed == 120)
            let completedCount = try await service.database.query(
                """
                SELECT sum(completed), sum(active) FROM llm_usage_hourly WHERE tenant_id = \(service.tenant.tenantId)
                """)[0].decode((Int64, Int64).self)
            #expect(completedCount == (1, 0))
        }
    }

    @Test func sameIdOtherBodyIsAConflict() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversationID = UUID(), messageID = UUID()
            _ = try await service.request(
                .post, "/v1/conversations",
                json: TestService.json(
                    ["id": conversationID.uuidString, "type": "CHAT", "provider": "openai", "model": "gpt-4o"]))
            let other = try await service.request(
                .post, "/v1/conversations",
                json: TestService.json(
                    ["id": conversationID.uuidString, "type": "CHAT", "provider": "openai", "model": "gpt-4.1"]))
            #expect(other.status == .conflict)
            #expect(other.errorField == "id" && other.errorCode == "idempotency_conflict")

            let path = "/v1/conversations/\(conversationID)/messages"
            _ = try await service.request(.post, path, json: TestService.json(["id": messageID.uuidString, "role": "USER", "content": "a"]))
            let changed = try await service.request(
                .post, path, json: TestService.json(["id": messageID.uuidString, "role": "USER", "content": "b"]))
            #expect(changed.status == .conflict)
            #expect(changed.errorField == "id")
            let stored = try await counts(service)
            #expect(stored.conversations == 1 && stored.messages == 1)
        }
    }

    @Test func retriedBatchCreatesNothingTwice() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversationID = UUID()
            let batch = TestService.json([
                "events": [
                    [
                        "id": "c1", "type": "conversation.create",
                        "body": ["id": conversationID.uuidString, "type": "CHAT", "provider": "openai", "model": "gpt-4o-mini"],
                    ],
                    ["id": "m1", "type": "message.create", "body": ["conversationId": conversationID.uuidString, "role": "USER", "content": "q"]],
                    [
                        "id": "m2", "type": "message.create",
                        "body": ["conversationId": conversationID.uuidString, "role": "ASSISTANT", "content": "a", "outputTokens": 7],
                    ],
                    ["id": "u1", "type": "conversation.update", "body": ["conversationId": conversationID.uuidString, "status": "COMPLETED"]],
                ]
            ])
            let first = try await service.request(.post, "/v1/batch", json: batch)
            let second = try await service.request(.post, "/v1/batch", json: batch)
            #expect(first.status.code == 207)
            let statuses = (first.object["results"] as? [[String: Any]])?.map { $0["status"] as? Int }
            #expect(statuses == [201, 201, 201, 200])
            let firstIDs = (first.object["results"] as? [[String: Any]])?.map { $0["resourceId"] as? String }
            let secondIDs = (second.object["results"] as? [[String: Any]])?.map { $0["resourceId"] as? String }
            #expect(firstIDs == secondIDs)
            let stored = try await counts(service)
            #expect(stored.conversations == 1 && stored.messages == 2 && stored.rollupMessages == 2)
        }
    }
}
