import Foundation
import LLMLogClient
import PGClient
import Testing

@Suite struct DeliveryTests {
    /// The seed's flow (create, messages, update) arrives through `POST /v1/batch`, in order, stored once.
    @Test func createMessagesAndUpdateAreStoredOnce() async throws {
        let service = try await LiveService.make(suite: "client_delivery")
        try await service.start(port: 0)
        let running = RunningClient.run(RunningClient.make(RunningClient.configuration(service)))
        let llmlog = running.client

        let conversation = await llmlog.createConversation(
            type: .resumeAnalysis, provider: "openai", model: "gpt-4o",
            userId: "u-1", title: "résumé", metadata: ["source": "test", "n": 3])
        var messageIDs: [UUID] = []
        for n in 0..<5 {
            messageIDs.append(
                await llmlog.logMessage(
                    conversationId: conversation, role: n % 2 == 0 ? .user : .assistant, content: "message \(n) ✓",
                    usage: TokenUsage(input: Int64(100 + n), cachedInput: 10, output: Int64(20 * n)),
                    processingTime: .milliseconds(1500 + n), finishReason: n % 2 == 0 ? nil : "stop", temperature: 0.5))
        }
        await llmlog.updateConversation(id: conversation, status: .completed, totalTokensUsed: 999, totalCost: Decimal(string: "0.125"))
        #expect(await llmlog.flush(timeout: .seconds(30)))

        let row = try await service.owner.query(
            """
            SELECT status, message_count, user_id, title, type, reported_total_tokens FROM llm_conversations
            WHERE tenant_id = \(service.tenant.tenantId) AND id = \(conversation)
            """)
        #expect(row.count == 1)
        let (status, count, user, title, type, reported) = try row[0].decode((String, Int, String?, String?, String, Int64?).self)
        #expect(status == "COMPLETED" && count == 5 && user == "u-1" && title == "résumé" && type == "RESUME_ANALYSIS" && reported == 999)

        let messages = try await service.owner.query(
            """
            SELECT id, message_index, content, input_tokens, cached_input_tokens, processing_time FROM llm_messages
            WHERE tenant_id = \(service.tenant.tenantId) AND conversation_id = \(conversation) ORDER BY message_index
            """
        ).map { try $0.decode((UUID, Int, String, Int64?, Int64?, Int?).self) }
        #expect(messages.map(\.0) == messageIDs)  // the client's ids, in enqueue order
        #expect(messages.map(\.1) == [0, 1, 2, 3, 4])
        #expect(messages.map(\.2) == (0..<5).map { "message \($0) ✓" })
        #expect(messages.map(\.3) == (0..<5).map { Int64(100 + $0) })
        #expect(messages.allSatisfy { $0.4 == 10 })
        #expect(messages.map(\.5) == (0..<5).map { 1500 + $0 })

        let statistics = llmlog.statistics
        #expect(statistics.enqueued == 7 && statistics.sent == 7 && statistics.failed == 0 && statistics.dropped == 0)
        #expect(statistics.retries == 0 && statistics.pending == 0)
        try await running.shutdown()
        try await service.close()
    }

    /// 4xx results (unknown conversation 404, same id with another body 409) are final: counted, never retried,
    /// and they do not hold up the events after them.
    @Test func refusedEventsAreCountedAndNotRetried() async throws {
        let service = try await LiveService.make(suite: "client_delivery")
        try await service.start(port: 0)
        let running = RunningClient.run(RunningClient.make(RunningClient.configuration(service)))
        let llmlog = running.client

        let conversation = await llmlog.createConversation(type: .chat, provider: "anthropic", model: "claude-sonnet-4-5")
        let first = await llmlog.logMessage(conversationId: conversation, role: .user, content: "first")
        await llmlog.logMessage(conversationId: UUID(), role: .user, content: "nowhere")  // 404
        await llmlog.logMessage(conversationId: conversation, role: .user, content: "other", id: first)  // 409
        await llmlog.logMessage(conversationId: conversation, role: .user, content: "", maxTokens: -1)  // 400
        let last = await llmlog.logMessage(conversationId: conversation, role: .assistant, content: "last")
        #expect(await llmlog.flush())

        let statistics = llmlog.statistics
        #expect(statistics.sent == 3 && statistics.failed == 3 && statistics.retries == 0 && statistics.balanced)
        let stored = try await service.owner.query(
            """
            SELECT id, content FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) ORDER BY message_index
            """
        ).map { try $0.decode((UUID, String).self) }
        #expect(stored.map(\.0) == [first, last])
        #expect(stored.map(\.1) == ["first", "last"])
        try await running.shutdown()
        try await service.close()
    }

    /// A wrong key is refused for the whole batch: failed, not retried.
    @Test func badKeyFailsWithoutRetrying() async throws {
        let service = try await LiveService.make(suite: "client_delivery")
        try await service.start(port: 0)
        let running = RunningClient.run(RunningClient.make(RunningClient.configuration(service) { $0.apiKey = "llmlog_ik_wrong" }))
        await running.client.createConversation(type: .chat, provider: "openai", model: "gpt-4o")
        await running.client.createConversation(type: .chat, provider: "openai", model: "gpt-4o")
        #expect(await running.client.flush())
        let statistics = running.client.statistics
        #expect(statistics.failed == 2 && statistics.sent == 0 && statistics.retries == 0 && statistics.balanced)
        try await running.shutdown()
        try await service.close()
    }
}
