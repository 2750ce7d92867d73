import Foundation
import PGClient
import Synchronization

/// The search index's and the export's figures: how fast the service's search indexer works through a backlog (the
/// batched run's, and the whole analytics dataset queued at once, as the migration queues an existing database), and
/// how fast a tenant's messages export streams, with the service's memory sampled while it does.
extension BenchRun {
    /// Waits until the search queue is empty (the running service's indexer takes it); the seconds it took.
    func waitForSearchIndex(_ owner: PGPool, timeout: Duration = .seconds(3600)) async throws -> Double {
        let start = ContinuousClock.now
        while try await owner.query("SELECT EXISTS (SELECT 1 FROM llm_search_queue)")[0].decode(Bool.self) {
            guard ContinuousClock.now - start < timeout else { throw BenchError("the search queue was not empty after \(timeout)") }
            try await Task.sleep(for: .milliseconds(200))  // polling the queue; the indexer has no completion signal
        }
        return (ContinuousClock.now - start).seconds
    }

    /// Messages waiting in the search queue.
    func searchBacklog(_ owner: PGPool) async throws -> Int {
        try await owner.query("SELECT count(*) FROM llm_search_queue")[0].decode(Int.self)
    }

    /// Queues every message of the analytics dataset for the search indexer and waits until it has indexed them.
    func indexDataset(_ report: inout Report, owner: PGPool, tenants: [UUID]) async throws {
        step("search index: the dataset's messages queued, the service's indexer works through them")
        try await owner.query(
            "INSERT INTO llm_search_queue (tenant_id, message_id) SELECT tenant_id, id FROM llm_messages WHERE tenant_id = ANY(\(tenants)) AND content <> ''"
        )
        let queued = try await searchBacklog(owner)
        let seconds = try await waitForSearchIndex(owner)
        report["analytics_search_index_s"] = seconds
        report["analytics_search_index_messages_per_s"] = Double(queued) / max(seconds, 0.001)
        try await owner.query("VACUUM ANALYZE llm_message_search")
        try await owner.query("VACUUM ANALYZE llm_search_queue")
    }

    /// Streams the messages export of `days` days of a tenant, sampling the service's memory; rate and growth.
    func measureExport(_ report: inout Report, http: BenchHTTP, base: String, key: String, from: Date, service: ChildProcess) async throws {
        let formatter = ISO8601DateFormatter()
        let url = base + "/v1/export/messages?from=\(formatter.string(from: from))"
        step("export: GET /v1/export/messages from \(formatter.string(from: from))")
        let before = try service.currentRSS()
        let peak = Peak(before)
        let sampler = Task {
            while !Task.isCancelled {
                if let rss = try? service.currentRSS() { peak.record(rss) }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let answer = try await http.stream(url, key: key)
        sampler.cancel()
        guard answer.status == 200 else { throw BenchError("export answered \(answer.status)") }
        report["export_messages"] = Double(answer.lines)
        report["export_messages_per_s"] = Double(answer.lines) / answer.elapsed.seconds
        report["export_mb"] = Double(answer.bytes) / 1_048_576
        report["export_rss_growth_mb"] = Double(peak.value - before) / 1_048_576
    }
}

/// The largest value recorded, from any task.
final class Peak: Sendable {
    private let state: Mutex<Int>
    init(_ initial: Int) { state = Mutex(initial) }
    func record(_ value: Int) { state.withLock { $0 = max($0, value) } }
    var value: Int { state.withLock { $0 } }
}
