import Foundation
import LLMLogClient
import PGClient
import Synchronization
import Testing

@Suite struct BufferPolicyTests {
    func storedConversations(_ service: LiveService) async throws -> Set<UUID> {
        Set(
            try await service.owner.query("SELECT id FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)")
                .map { try $0.decode(UUID.self, column: 0) })
    }

    /// `.dropNewest`: past the capacity new events are dropped and counted; the first ones are sent.
    @Test func dropNewestKeepsTheFirst() async throws {
        let service = try await LiveService.make(suite: "client_buffer")
        try await service.start(port: 0)
        let llmlog = RunningClient.make(
            RunningClient.configuration(service) {
                $0.capacity = 10
                $0.fullBufferPolicy = .dropNewest
            })
        var ids: [UUID] = []
        for _ in 0..<15 { ids.append(await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o")) }
        let full = llmlog.statistics
        #expect(full.enqueued == 15 && full.dropped == 5 && full.pending == 10 && full.balanced)
        let running = RunningClient.run(llmlog)
        #expect(await llmlog.flush())
        #expect(try await storedConversations(service) == Set(ids.prefix(10)))
        #expect(llmlog.statistics.sent == 10 && llmlog.statistics.balanced)
        try await running.shutdown()
        try await service.close()
    }

    /// `.dropOldest`: the oldest waiting events make room for new ones; the last ones are sent.
    @Test func dropOldestKeepsTheLast() async throws {
        let service = try await LiveService.make(suite: "client_buffer")
        try await service.start(port: 0)
        let llmlog = RunningClient.make(
            RunningClient.configuration(service) {
                $0.capacity = 10
                $0.fullBufferPolicy = .dropOldest
            })
        var ids: [UUID] = []
        for _ in 0..<15 { ids.append(await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o")) }
        #expect(llmlog.statistics.dropped == 5 && llmlog.statistics.pending == 10)
        let running = RunningClient.run(llmlog)
        #expect(await llmlog.flush())
        #expect(try await storedConversations(service) == Set(ids.suffix(10)))
        #expect(llmlog.statistics.sent == 10 && llmlog.statistics.balanced)
        try await running.shutdown()
        try await service.close()
    }

    /// `.wait`: a call with the buffer full suspends until the sender makes room; nothing is dropped. A caller
    /// cancelled while it waits loses only its own event (counted as dropped).
    @Test func waitSuspendsUntilThereIsRoom() async throws {
        let service = try await LiveService.make(suite: "client_buffer")
        try await service.start(port: 0)
        let llmlog = RunningClient.make(
            RunningClient.configuration(service) {
                $0.capacity = 5
                $0.fullBufferPolicy = .wait
            })
        let returned = Mutex<[UUID]>([])
        let producer = Task {
            for _ in 0..<8 {
                let id = await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o")
                returned.withLock { $0.append(id) }
            }
        }
        #expect(await eventually { llmlog.statistics.enqueued == 6 })
        try await Task.sleep(for: .milliseconds(50))  // give a wrongly returning call the chance to show
        #expect(returned.withLock { $0.count } == 5)
        #expect(llmlog.statistics.pending == 6 && llmlog.statistics.dropped == 0)

        let cancelled = Task { await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o") }
        #expect(await eventually { llmlog.statistics.enqueued == 7 })
        cancelled.cancel()
        let cancelledID = await cancelled.value
        #expect(llmlog.statistics.dropped == 1)

        let running = RunningClient.run(llmlog)
        await producer.value
        #expect(await llmlog.flush())
        let ids = returned.withLock { $0 }
        #expect(ids.count == 8)
        let stored = try await storedConversations(service)
        #expect(stored == Set(ids) && !stored.contains(cancelledID))
        let statistics = llmlog.statistics
        #expect(statistics.sent == 8 && statistics.dropped == 1 && statistics.balanced)
        try await running.shutdown()
        try await service.close()
    }
}
