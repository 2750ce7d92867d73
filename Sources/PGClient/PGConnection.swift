import Logging
import NIOPosix
import Synchronization

/// An open connection. Its operations are async and never block the caller's thread: each runs on a thread
/// PGClient owns. One operation at a time: using a connection from two tasks at once is an error (`misuse`).
/// Cancelling the awaiting task cancels the running statement (`PQcancel`) and leaves the connection usable.
public final class PGConnection: Sendable {
    let raw: PGRawConnection
    let executor: NIOThreadPool
    private let ownsExecutor: Bool
    private let busy = Atomic<Bool>(false)
    /// The logger for this connection's notices and events.
    public let logger: Logger

    init(raw: PGRawConnection, executor: NIOThreadPool, ownsExecutor: Bool, logger: Logger) {
        self.raw = raw
        self.executor = executor
        self.ownsExecutor = ownsExecutor
        self.logger = logger
    }

    /// Opens a standalone connection with a thread of its own. Close it with `close()`.
    /// For services, use a `PGPool`.
    public static func connect(
        _ configuration: PGConnectionConfiguration, logger: Logger = Logger(label: "pgclient")
    ) async throws -> PGConnection {
        let executor = NIOThreadPool(numberOfThreads: 1)
        executor.start()
        do {
            let raw = try await executor.runIfActive { () throws(PGError) -> PGRawConnection in
                try PGRawConnection.connect(configuration, logger: logger)
            }
            return PGConnection(raw: raw, executor: executor, ownsExecutor: true, logger: logger)
        } catch {
            try? await executor.shutdownGracefully()
            throw error
        }
    }

    /// The server process id serving this connection.
    public var backendPID: Int32 { raw.backendPID }

    /// Runs one statement with bound parameters; returns its rows (binary format).
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGResult {
        try await run { raw, operation throws(PGError) in try raw.execute(query, operation: operation) }
    }

    /// Runs SQL text holding one or more statements, without parameters (migrations, DDL).
    public func executeScript(_ sql: String) async throws {
        try await run { raw, operation throws(PGError) in try raw.executeScript(sql, operation: operation) }
    }

    /// Sends many statements in one round trip (libpq pipeline mode) and returns each one's outcome in order.
    /// Not a transaction by itself: wrap it in `withTransaction` for all-or-nothing.
    public func pipeline(_ queries: [PGQuery]) async throws -> [Result<PGResult, PGError>] {
        try await run { raw, operation throws(PGError) in try raw.pipeline(queries, operation: operation) }
    }

    /// Closes the connection and, for a standalone connection, its thread.
    public func close() async {
        try? await executor.runIfActive { self.raw.close() }
        if ownsExecutor { try? await executor.shutdownGracefully() }
    }

    /// Runs `body` on the executor, with cancellation wired to `PQcancel` and misuse detection.
    func run<T: Sendable>(
        _ body: @escaping @Sendable (PGRawConnection, UInt64) throws(PGError) -> T
    ) async throws(PGError) -> T {
        guard !busy.exchange(true, ordering: .acquiring) else {
            throw PGError.misuse("a PGConnection was used by two tasks at once")
        }
        defer { busy.store(false, ordering: .releasing) }
        if Task.isCancelled { throw PGError.cancelled }
        let raw = self.raw
        let operation = raw.prepareOperation()
        do {
            return try await withTaskCancellationHandler {
                try await executor.runIfActive { () throws(PGError) -> T in try body(raw, operation) }
            } onCancel: {
                if raw.requestCancel(operation) {
                    PGCanceller.shared.submit { _ in raw.sendCancel(operation) }
                }
            }
        } catch let error as PGError {
            throw error
        } catch is CancellationError {
            throw PGError.cancelled
        } catch {
            throw PGError(kind: .poolClosed, message: "the connection's executor is shut down")
        }
    }
}

/// The one thread that sends cancel requests (`PQcancel` blocks while it connects to the server).
enum PGCanceller {
    static let shared: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()
}
