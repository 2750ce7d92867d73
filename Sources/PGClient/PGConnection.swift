import Logging
import Synchronization

/// An open connection. Its operations are async and never block the caller's thread: each runs on a thread
/// PGClient owns. One operation at a time: using a connection from two tasks at once is an error (`misuse`).
/// Cancelling the awaiting task cancels the running statement (`PQcancel`) and leaves the connection usable.
public final class PGConnection: Sendable {
    let raw: PGRawConnection
    /// The connection's own thread. Run a task on it (`withTaskExecutorPreference(connection.executor)`) and its
    /// queries need no thread switch; `PGPool.withConnection` does that for you.
    public let executor: PGThreadExecutor
    private let busy = Atomic<Bool>(false)
    /// The logger for this connection's notices and events.
    public let logger: Logger

    init(raw: PGRawConnection, executor: PGThreadExecutor, logger: Logger) {
        self.raw = raw
        self.executor = executor
        self.logger = logger
    }

    /// Opens a connection on a new thread of its own. Close it with `close()`. For services, use a `PGPool`.
    public static func connect(
        _ configuration: PGConnectionConfiguration, logger: Logger = Logger(label: "pgclient")
    ) async throws -> PGConnection {
        let executor = PGThreadExecutor(name: "pgclient-connection")
        do {
            let raw = try await executor.run { () throws(PGError) -> PGRawConnection in
                try PGRawConnection.connect(configuration, logger: logger)
            }
            return PGConnection(raw: raw, executor: executor, logger: logger)
        } catch {
            await executor.shutdown()
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

    /// Closes the connection and ends its thread.
    public func close() async {
        let raw = self.raw
        executor.submit { raw.close() }
        await executor.shutdown()
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
                try await executor.run { () throws(PGError) -> T in try body(raw, operation) }
            } onCancel: {
                if raw.requestCancel(operation) {
                    PGCanceller.shared.submit { raw.sendCancel(operation) }
                }
            }
        } catch let error as PGError {
            throw error
        } catch {
            throw PGError(kind: .client, message: "unexpected error: \(error)")
        }
    }
}

/// The one thread that sends cancel requests (`PQcancel` blocks while it connects to the server).
enum PGCanceller {
    static let shared = PGThreadExecutor(name: "pgclient-cancel")
}
