import Logging
import ServiceLifecycle
import Synchronization

/// A pool of connections with an async API, run as a swift-service-lifecycle `Service`.
///
/// - At most `maxConnections` are open; a task that finds none free waits up to `acquireTimeout`, then gets
///   `PGError.poolTimeout` (never an endless wait). Cancelling a waiting task ends its wait.
/// - libpq's blocking calls run on the pool's own threads (one per connection), never on Swift's cooperative
///   pool. `withConnection` runs its body on the leased connection's thread, so its queries need no thread switch.
/// - A connection that broke is not returned to the pool; an idle one is checked before its next use and
///   reconnected if the server went away (a PostgreSQL restart needs no service restart).
/// - `run()` returns after graceful shutdown, once every leased connection came back and all are closed.
public final class PGPool: Service, Sendable {
    /// Pool settings.
    public struct Options: Sendable {
        /// Most connections open at once (each has a thread of its own).
        public var maxConnections: Int
        /// How long `withConnection` waits for a free connection before throwing `poolTimeout`.
        public var acquireTimeout: Duration
        /// Called with every `PGError` that `withConnection` (and so every query through the pool) throws, including
        /// acquire failures such as `poolTimeout`: a hook for error metrics. It must be quick and must not block.
        public var errorObserver: (@Sendable (PGError) -> Void)?

        public init(maxConnections: Int = 10, acquireTimeout: Duration = .seconds(10)) {
            precondition(maxConnections > 0, "maxConnections must be positive")
            self.maxConnections = maxConnections
            self.acquireTimeout = acquireTimeout
        }
    }

    /// Counts for metrics and tests.
    public struct Statistics: Sendable, Equatable {
        public var open: Int
        public var idle: Int
        public var waiting: Int
        public var inUse: Int { open - idle }
    }

    public let configuration: PGConnectionConfiguration
    public let options: Options
    let logger: Logger
    let state = Mutex(PoolState())

    /// Makes a pool; no connection is opened until the first use.
    public init(configuration: PGConnectionConfiguration, options: Options = Options(), logger: Logger = Logger(label: "pgclient.pool")) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    /// Current counts.
    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, idle: $0.idle.count, waiting: $0.waiters.count) }
    }

    /// Leases a connection for the duration of `body` and returns it to the pool afterwards. `body` runs on the
    /// connection's own thread (task executor preference), so each of its queries runs without a thread switch.
    public func withConnection<R>(_ body: (PGConnection) async throws -> R) async throws -> R {
        let connection: PGConnection
        do {
            connection = try await acquire()
        } catch {
            options.errorObserver?(error)
            throw error
        }
        do {
            let value = try await withTaskExecutorPreference(connection.executor) { try await body(connection) }
            release(connection)
            return value
        } catch {
            release(connection)
            if let error = error as? PGError { options.errorObserver?(error) }
            throw error
        }
    }

    /// Runs `body` in a transaction on a leased connection: COMMIT on return, ROLLBACK on throw.
    public func withTransaction<R>(
        isolation: PGIsolationLevel = .readCommitted, readOnly: Bool = false, _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        try await withConnection { connection in
            try await connection.withTransaction(isolation: isolation, readOnly: readOnly, body)
        }
    }

    /// Runs one statement on a leased connection.
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGResult {
        try await withConnection { try await $0.query(query) }
    }

    /// Service entry point: waits for graceful shutdown (or cancellation), then closes the pool.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Stops handing out connections, fails the waiters, waits for leased connections to come back and closes all.
    public func close() async {
        let (waiters, idle) = state.withLock { state -> ([PoolState.Waiter], [PGConnection]) in
            state.closed = true
            let waiters = state.waiters
            let idle = state.idle
            state.waiters.removeAll()
            state.idle.removeAll()
            state.open -= idle.count
            return (waiters, idle)
        }
        for waiter in waiters { waiter.resume(.failure(PGError(kind: .poolClosed, message: "the pool is closed"))) }
        for connection in idle { await connection.close() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = state.withLock { state -> Bool in
                if state.open == 0 { return true }
                state.drained = continuation
                return false
            }
            if drained { continuation.resume() }
        }
    }
}
