import Foundation
import Logging
import PGClient
import ServiceLifecycle

/// Keeps the message search index behind the writer: takes queued messages in batches (`SearchIndexStatements`),
/// right away while a backlog lasts and every `interval` once the queue is empty, so a message is searchable about
/// `interval` after its write was acknowledged. While this instance's writer has a backlog of its own, each batch
/// is followed by a pause of four times its duration: indexing then takes at most a fifth of one connection and
/// ingest keeps the database, at the price of search lagging until the burst ends. Several instances index side by
/// side (rows are taken with SKIP LOCKED); a batch cut short by a crash stays queued.
public struct SearchIndexer: Service {
    let pool: PGPool
    let interval: Duration
    let batchSize: Int
    /// How many write operations wait in this instance's writer (0 when it keeps up).
    let writerBacklog: @Sendable () -> Int
    let metrics: ServiceMetrics?
    let logger: Logger

    public init(
        pool: PGPool, interval: Duration, batchSize: Int = 1000, writerBacklog: @escaping @Sendable () -> Int = { 0 },
        metrics: ServiceMetrics? = nil, logger: Logger
    ) {
        self.pool = pool
        self.interval = interval
        self.batchSize = batchSize
        self.writerBacklog = writerBacklog
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let started = ContinuousClock.now
                do {
                    let taken = try await indexBatch()
                    if taken == batchSize {
                        if writerBacklog() > 0 { try await Task.sleep(for: (ContinuousClock.now - started) * 4) }
                        continue
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("search indexing failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Indexes one batch now; how many queued messages it took.
    @discardableResult
    public func indexBatch() async throws -> Int {
        let (taken, indexed) = try await pool.withAllTenants { try await SearchIndexStatements.indexBatch($0, limit: batchSize) }
        metrics?.recordSearchIndexed(taken: taken, indexed: indexed)
        return taken
    }

    /// Indexes until the queue is empty (what other transactions hold is left to them); how many messages were taken.
    @discardableResult
    public func indexQueued() async throws -> Int {
        var total = 0
        while true {
            let taken = try await indexBatch()
            total += taken
            if taken < batchSize { return total }
        }
    }
}
