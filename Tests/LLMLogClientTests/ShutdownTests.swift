import Foundation
import LLMLogClient
import PGClient
import Testing

@Suite struct ShutdownTests {
    /// A graceful shutdown right after logging still sends everything that was buffered.
    @Test func gracefulShutdownSendsEverythingPending() async throws {
        let service = try await LiveService.make(suite: "client_shutdown")
        try await service.start(port: 0)
        // A deadline far beyond what sending 301 events takes: this test is about what a shutdown sends, not how fast
        // (on a machine loaded by the other suites running in parallel, 10 s was missed now and then).
        let running = RunningClient.run(
            RunningClient.make(
                RunningClient.configuration(service) {
                    $0.maxBatchEvents = 50
                    $0.shutdownTimeout = .seconds(120)
                }))
        let llmlog = running.client
        let conversation = await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o")
        var ids: [UUID] = []
        for n in 0..<299 { ids.append(await llmlog.logMessage(conversationId: conversation, role: .user, content: "m\(n)")) }
        await llmlog.updateConversation(id: conversation, status: .completed)
        try await running.shutdown()

        let statistics = llmlog.statistics
        #expect(statistics.sent == 301 && statistics.pending == 0 && statistics.dropped == 0 && statistics.balanced)
        let stored = try await service.owner.query(
            """
            SELECT id FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) ORDER BY message_index
            """
        ).map { try $0.decode(UUID.self, column: 0) }
        #expect(stored == ids)
        let status = try await service.owner.query(
            """
            SELECT status FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId) AND id = \(conversation)
            """)[0].decode(String.self, column: 0)
        #expect(status == "COMPLETED")
        // After the client stopped, calls still return at once; their events are dropped and counted.
        await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o")
        #expect(llmlog.statistics.dropped == 1 && llmlog.statistics.balanced)
        try await service.close()
    }

    /// With the service unreachable, shutdown gives up at its deadline: run() returns, the unsent events are
    /// counted as dropped.
    @Test func shutdownStopsAtItsDeadline() async throws {
        let service = try await LiveService.make(suite: "client_shutdown")
        _ = try await service.reservePort()
        let running = RunningClient.run(RunningClient.make(RunningClient.configuration(service) { $0.shutdownTimeout = .milliseconds(500) }))
        let llmlog = running.client
        for _ in 0..<20 { await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o") }
        #expect(await eventually { llmlog.statistics.retries > 0 })
        let start = ContinuousClock.now
        try await running.shutdown()
        let took = ContinuousClock.now - start
        #expect(took < .seconds(5), "shutdown took \(took)")
        let statistics = llmlog.statistics
        #expect(statistics.dropped == 20 && statistics.sent == 0 && statistics.pending == 0 && statistics.balanced)
        try await service.close()
    }

    /// `shutdown()` without a ServiceGroup drains and ends `run()`.
    @Test func shutdownWithoutServiceGroup() async throws {
        let service = try await LiveService.make(suite: "client_shutdown")
        try await service.start(port: 0)
        let llmlog = RunningClient.make(RunningClient.configuration(service))
        let loop = Task { try await llmlog.run() }
        for _ in 0..<10 { await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o") }
        llmlog.shutdown()
        try await loop.value
        #expect(llmlog.statistics.sent == 10 && llmlog.statistics.balanced)
        let count = try await service.owner.query("SELECT count(*) FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)")[0]
            .decode(Int.self, column: 0)
        #expect(count == 10)
        try await service.close()
    }
}
