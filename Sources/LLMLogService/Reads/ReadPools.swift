import Analytics
import Logging
import PGClient
import Synchronization

/// Where the reads that may lag go: conversation lists and details, analytics, exports and the dashboard (their
/// routes hold a `ReadPools`, never a pool). With a read replica configured (`LLMLOG_READ_DATABASE_URL`) they go to
/// it, else to the primary; this is the one place that decides. Everything that must see its own writes — ingest and
/// its replays, provider ingest history, key and session lookups, tokens, tenant settings, erasure and its export,
/// retention — holds the primary pool instead.
///
/// The replica is a hot standby: reads run in read-only transactions with the same `TenantScope` settings as on the
/// primary, so row-level security holds there exactly as it does on the primary. When a replica read fails because the
/// replica is unreachable, shutting down or full, the read runs again on the primary, the replica is marked down
/// (a warning is logged and `llmlog_read_fallback_total` counts every read the primary serves in its place), and
/// reads stay on the primary until the replica probe (`run()`, every `retryInterval`) reaches it again.
public final class ReadPools: Sendable {
    /// The primary's reading pool.
    public let primary: PGPool
    /// The replica's pool; nil: every read goes to the primary.
    public let replica: PGPool?
    /// How often the replica is probed, and so how long reads stay on the primary after it failed.
    public let retryInterval: Duration
    let metrics: ServiceMetrics
    let logger: Logger
    private let replicaDown = Mutex(false)

    /// Reads on `primary`, or on `replica` while it is reachable.
    public init(
        primary: PGPool, replica: PGPool? = nil, retryInterval: Duration = .seconds(5), metrics: ServiceMetrics = ServiceMetrics(),
        logger: Logger = Logger(label: "llmlog.reads")
    ) {
        self.primary = primary
        self.replica = replica
        self.retryInterval = retryInterval
        self.metrics = metrics
        self.logger = logger
        if replica != nil { metrics.recordReadFallback(count: 0) }  // present from the start, for alerts on its rate
    }

    /// What `/readyz` reports: nil without a replica, else whether reads go to it now.
    public var replicaState: ReplicaState? {
        guard replica != nil else { return nil }
        return replicaDown.withLock { $0 } ? .down : .up
    }

    /// Whether reads go to the replica (`up`) or fall back to the primary (`down`).
    public enum ReplicaState: String, Sendable, Codable {
        case up, down
    }

    /// `PGPool.read` on the pool this read belongs on: admitted by `share`, read-only, scoped to what `scope` may see;
    /// on the primary again when the replica fails it (the body only reads, so running it twice is harmless).
    func read<T: Sendable>(
        _ scope: AnalyticsScope, share: ReadShare?, timeout: Duration, isolation: PGIsolationLevel = .readCommitted,
        _ body: (PGConnection) async throws -> T
    ) async throws -> T {
        func routed() async throws -> T {
            if let replica, !replicaDown.withLock({ $0 }) {
                do {
                    return try await replica.scopedRead(scope, timeout: timeout, isolation: isolation, body)
                } catch let error as PGError where Self.replicaFailed(error) {
                    if Self.replicaUnavailable(error) { markDown(error) }
                }
            }
            if replica != nil { metrics.recordReadFallback() }
            return try await primary.scopedRead(scope, timeout: timeout, isolation: isolation, body)
        }
        guard let share else { return try await routed() }
        return try await share.admit(scope, routed)
    }

    /// The replica cannot serve reads now: not reachable, shutting down or starting, out of connections.
    static func replicaUnavailable(_ error: PGError) -> Bool {
        error.isConnectionError || error.code == .tooManyConnections
    }

    /// A replica failure the primary may answer instead: unavailable, or a read cancelled by a recovery conflict
    /// (a hot standby cancels queries that would hold back replay; the primary has no such conflict).
    static func replicaFailed(_ error: PGError) -> Bool {
        replicaUnavailable(error) || error.code?.isRetryableTransactionFailure == true
    }

    /// Sends reads to the primary until the probe reaches the replica again; logs the change once.
    func markDown(_ error: PGError) {
        let wasUp = replicaDown.withLock { down in
            defer { down = true }
            return !down
        }
        guard wasUp else { return }
        metrics.recordReadReplica(up: false, lagSeconds: nil)
        logger.warning(
            "read replica unavailable: reads go to the primary until it answers again",
            metadata: ["error": "\(error)", "retry_in": "\(retryInterval)"])
    }

    /// Sends reads to the replica again; logs the change once.
    func markUp() {
        let wasDown = replicaDown.withLock { down in
            defer { down = false }
            return down
        }
        if wasDown { logger.info("read replica reachable again: reads go to it") }
    }
}
