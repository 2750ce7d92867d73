import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// The seed's own flows, through HTTP: create, log SYSTEM/USER/ASSISTANT, complete; and the failure flow.
@Suite struct SeedFlowTests {
    static let suite = "seedflow"

    @Test func createLogCompleteFlow() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let created = try await service.request(
                .post, "/v1/conversations",
                json: TestService.json([
                    "userId": "user-1", "type": "RESUME_ANALYSIS", "provider": "anthropic", "model": "claude-sonnet-4-5-20250929",
                    "title": "Resume of A. Person", "documentId": "doc-9", "metadata": ["source": "upload", "pages": 2],
                ]))
            #expect(created.status == .created)
            let conversation = try created.decode(ConversationRecord.self)
            #expect(conversation.status == .active && conversation.messageCount == 0 && conversation.totalCost == 0)
            #expect(conversation.userId == "user-1" && conversation.documentId == "doc-9" && conversation.completedAt == nil)
            #expect(conversation.metadata == .object(["source": .string("upload"), "pages": .integer(2)]))
            // Every field is present in the JSON, absent ones as null.
            for key in [
                "id", "userId", "type", "title", "documentId", "provider", "model", "status", "totalTokensUsed", "totalCost",
                "messageCount", "errorMessage", "metadata", "createdAt", "updatedAt", "completedAt",
            ] {
                #expect(created.object.keys.contains(key), "\(key)")
            }

            let messages: [[String: Any]] = [
                ["role": "SYSTEM", "content": "You analyse resumes."],
                ["role": "USER", "content": "Here is my resume: …", "inputTokens": 1200],
                [
                    "role": "ASSISTANT", "content": "Strengths: …", "inputTokens": 1200, "outputTokens": 350, "cachedInputTokens": 800,
                    "processingTime": 2300, "finishReason": "end_turn", "temperature": 0.2, "maxTokens": 1024,
                ],
            ]
            var logged: [MessageRecord] = []
            for body in messages {
                let response = try await service.request(.post, "/v1/conversations/\(conversation.id)/messages", json: TestService.json(body))
                #expect(response.status == .created)
                logged.append(try response.decode(MessageRecord.self))
            }
            #expect(logged.map(\.messageIndex) == [0, 1, 2])
            #expect(logged.map(\.role) == [.system, .user, .assistant])
            #expect(logged[0].totalTokens == nil && logged[0].costSource == .computed && logged[0].cost == 0)
            #expect(logged[2].totalTokens == 2350)
            // claude-sonnet-4-5: 3.00 input, 0.30 cache read, 15.00 output per million tokens.
            #expect(logged[2].cost == Decimal(string: "0.00909")!)
            #expect(logged[2].finishReason == "end_turn" && logged[2].temperature == 0.2 && logged[2].maxTokens == 1024)

            let completed = try await service.request(.patch, "/v1/conversations/\(conversation.id)", json: #"{"status": "COMPLETED"}"#)
            #expect(completed.status == .ok)
            let final = try completed.decode(ConversationRecord.self)
            #expect(final.status == .completed && final.completedAt != nil)
            #expect(final.messageCount == 3)
            #expect(final.totalTokensUsed == 1200 + 2350)
            #expect(final.totalCost == logged.compactMap(\.cost).reduce(0, +))
        }
    }

    @Test func failureFlowKeepsTheErrorAndRefusesReopening() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "JOB_EXTRACTION", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            #expect(conversation.userId == nil)  // anonymous
            let failed = try await service.request(
                .patch, "/v1/conversations/\(conversation.id)",
                json: #"{"status": "FAILED", "errorMessage": "upstream 529 overloaded"}"#)
            #expect(failed.status == .ok)
            let record = try failed.decode(ConversationRecord.self)
            #expect(record.status == .failed && record.errorMessage == "upstream 529 overloaded" && record.completedAt != nil)
            // The same terminal status again is a no-op; leaving it is a conflict.
            let again = try await service.request(.patch, "/v1/conversations/\(conversation.id)", json: #"{"status": "FAILED"}"#)
            #expect(again.status == .ok)
            #expect(try again.decode(ConversationRecord.self).completedAt == record.completedAt)
            let reopen = try await service.request(.patch, "/v1/conversations/\(conversation.id)", json: #"{"status": "ACTIVE"}"#)
            #expect(reopen.status == .conflict)
            #expect(reopen.errorField == "status")
            let complete = try await service.request(.patch, "/v1/conversations/\(conversation.id)", json: #"{"status": "COMPLETED"}"#)
            #expect(complete.status == .conflict)
        }
    }

    @Test func reportedTotalsAreKeptApartFromDerivedOnes() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "COVER_LETTER_GENERATION", "provider": "openai", "model": "no-such-model"}"#
            )
            .decode(ConversationRecord.self)
            let patched = try await service.request(
                .patch, "/v1/conversations/\(conversation.id)",
                json: #"{"totalTokensUsed": 3500, "totalCost": 0.125, "status": "COMPLETED"}"#
            )
            .decode(ConversationRecord.self)
            #expect(patched.reportedTotalTokens == 3500 && patched.reportedTotalCost == Decimal(string: "0.125")!)
            #expect(patched.totalTokensUsed == 0 && patched.totalCost == 0)
            // Without message usage the rollups count the reported totals …
            let reported = try await service.database.query(
                """
                SELECT sum(reported_tokens), sum(reported_cost) FROM llm_usage_hourly WHERE tenant_id = \(service.tenant.tenantId)
                """)[0].decode((Int64, Decimal).self)
            #expect(reported == (3500, Decimal(string: "0.125")!))
            // … and once a message carries usage, they leave the rollups (never counted twice).
            let message = try await service.request(
                .post, "/v1/conversations/\(conversation.id)/messages",
                json: #"{"role": "ASSISTANT", "content": "x", "inputTokens": 10, "outputTokens": 5}"#)
            #expect(try message.decode(MessageRecord.self).costSource == .unpriced)
            #expect(try message.decode(MessageRecord.self).cost == nil)
            let after = try await service.database.query(
                """
                SELECT sum(reported_tokens), sum(reported_cost), sum(total_tokens), sum(unpriced_messages)
                FROM llm_usage_hourly WHERE tenant_id = \(service.tenant.tenantId)
                """)[0].decode((Int64, Decimal, Int64, Int64).self)
            #expect(after == (0, 0, 15, 1))
        }
    }
}
