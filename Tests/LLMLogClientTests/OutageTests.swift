import Foundation
import LLMLogClient
import PGClient
import Testing

@Suite struct OutageTests {
    /// With the service not listening, 1000 calls return at once (none waits for the network: nothing could be
    /// sent), and once the service starts on that port every event is stored exactly once, in order.
    @Test func callsReturnAtOnceWhileTheServiceIsDownAndNothingIsLost() async throws {
        let service = try await LiveService.make(suite: "client_outage")
        let port = try await service.reservePort()
        let running = RunningClient.run(RunningClient.make(RunningClient.configuration(service)))
        let llmlog = running.client

        let clock = ContinuousClock()
        var durations: [Duration] = []
        let start = clock.now
        var callStart = clock.now
        let conversation = await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o-mini")
        durations.append(clock.now - callStart)
        var ids: [UUID] = []
        for n in 0..<999 {
            callStart = clock.now
            ids.append(
                await llmlog.logMessage(
                    conversationId: conversation, role: .user, content: "m\(n)",
                    usage: TokenUsage(input: 10, output: 5)))
            durations.append(clock.now - callStart)
        }
        let total = clock.now - start
        let before = llmlog.statistics
        #expect(before.sent == 0 && before.enqueued == 1000 && before.pending == 1000)
        durations.sort()
        // Nothing was sent (no server listens), so no call waited for the network; the bounds below only guard
        // against a call blocking on something else, loose enough for a loaded 2-core CI machine.
        #expect(durations[durations.count / 2] < .milliseconds(1), "median \(durations[durations.count / 2])")
        #expect(durations[durations.count * 99 / 100] < .milliseconds(50), "p99 \(durations[durations.count * 99 / 100])")
        #expect(total < .seconds(2), "1000 calls took \(total)")

        // The sender has met the closed port at least once before the service comes.
        #expect(await eventually { llmlog.statistics.retries > 0 })
        try await service.start(port: port)
        #expect(await llmlog.flush(timeout: .seconds(60)))

        let stored = try await service.owner.query(
            """
            SELECT id FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) AND conversation_id = \(conversation)
            ORDER BY message_index
            """
        ).map { try $0.decode(UUID.self, column: 0) }
        #expect(stored == ids)  // all, once each, in enqueue order
        let after = llmlog.statistics
        #expect(after.sent == 1000 && after.failed == 0 && after.dropped == 0 && after.balanced)
        try await running.shutdown()
        try await service.close()
    }

    /// The database goes down for a while (the service answers 503) and comes back: the client retries the same
    /// events; none is lost, none doubled, the order holds.
    @Test func databaseOutageLosesNothingAndDoublesNothing() async throws {
        // Its own cluster: stopping the shared one would disturb the other suites.
        let cluster = try await PGLocalCluster.startTemporary(settings: ["fsync": "off"])
        defer { cluster.stop() }
        let service = try await LiveService.make(suite: "client_db_outage", database: cluster.configuration())
        try await service.start(port: 0)
        let running = RunningClient.run(RunningClient.make(RunningClient.configuration(service)))
        let llmlog = running.client

        let conversation = await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o")
        var ids: [UUID] = []
        for n in 0..<50 { ids.append(await llmlog.logMessage(conversationId: conversation, role: .user, content: "before \(n)")) }
        #expect(await llmlog.flush())
        #expect(llmlog.statistics.sent == 51)

        try await cluster.stopKeepingData()
        let clock = ContinuousClock()
        var slowest = Duration.zero
        for n in 0..<100 {
            let start = clock.now
            ids.append(await llmlog.logMessage(conversationId: conversation, role: .assistant, content: "during \(n)"))
            slowest = max(slowest, clock.now - start)
        }
        #expect(slowest < .milliseconds(250), "slowest call \(slowest)")  // a 503 round trip with retries takes seconds
        #expect(await eventually { llmlog.statistics.retries > 0 })  // the service answered 503 at least once
        #expect(llmlog.statistics.sent == 51)
        try await cluster.startAgain()
        #expect(await llmlog.flush(timeout: .seconds(60)))

        let (count, distinct, messages) = try await service.owner.query(
            """
            SELECT count(*), count(DISTINCT id), (SELECT message_count FROM llm_conversations
                   WHERE tenant_id = \(service.tenant.tenantId) AND id = \(conversation))
            FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId)
            """)[0].decode((Int, Int, Int).self)
        #expect(count == 150 && distinct == 150 && messages == 150)
        let stored = try await service.owner.query(
            """
            SELECT id FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) ORDER BY message_index
            """
        ).map { try $0.decode(UUID.self, column: 0) }
        #expect(stored == ids)
        let statistics = llmlog.statistics
        #expect(statistics.sent == 151 && statistics.failed == 0 && statistics.dropped == 0 && statistics.balanced)
        try await running.shutdown()
        try await service.close()
    }
}
