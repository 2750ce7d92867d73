import Foundation
import Logging
import PGClient
import ServiceLifecycle
import Synchronization

/// The group-commit writer. Requests queue their writes; one loop takes everything queued (up to `maxBatch`
/// operations), writes it in one transaction, and answers each request only after that transaction committed.
/// While a flush runs, new requests gather for the next one, so the batch grows with the load.
///
/// - Bounded queue: past `queueCapacity` operations a request is refused at once with 503 + Retry-After.
/// - A flush that fails on a lost connection (or a serialization failure) is retried on a fresh connection for
///   up to `retryWindow`; retrying is safe because a flush stores nothing twice (see FlushTransaction).
///   After the window, its requests get 503.
/// - A flush that fails for any other reason is split: each operation runs alone and gets its own answer.
/// - Graceful shutdown: new requests get 503, everything already accepted is written, then `run()` returns.
public final class IngestWriter: Service, Sendable {
    /// Writer settings.
    public struct Options: Sendable {
        /// Most operations written in one transaction.
        public var maxBatch = 1000
        /// How long the loop lingers for more requests when fewer than `maxBatch` are queued.
        public var flushInterval: Duration = .milliseconds(1)
        /// Most operations queued and not yet written.
        public var queueCapacity = 20_000
        /// How long a failing flush is retried before its requests get 503.
        public var retryWindow: Duration = .seconds(5)
        public init() {}
    }

    struct Submission {
        let operations: [WriteOperation]
        let continuation: CheckedContinuation<[WriteOutcome], Never>
    }

    struct State: ~Copyable {
        var queue: [Submission] = []
        var queuedOperations = 0
        var wakeup: CheckedContinuation<Void, Never>?
        var stopping = false
    }

    let pool: PGPool
    /// The price table the writer prices messages with.
    public let prices: PriceBook
    let options: Options
    let logger: Logger
    /// Where flush sizes and latencies, ingested messages and tokens are counted.
    let metrics: ServiceMetrics?
    private let state = Mutex(State())

    public init(pool: PGPool, prices: PriceBook, options: Options = Options(), metrics: ServiceMetrics? = nil, logger: Logger) {
        self.pool = pool
        self.prices = prices
        self.options = options
        self.metrics = metrics
        self.logger = logger
    }

    /// Operations queued and not yet written (for metrics).
    public var queueDepth: Int { state.withLock { $0.queuedOperations } }

    /// Writes the operations (in order, in as few flushes as the batch size allows) and returns each one's outcome
    /// after its transaction committed.
    public func submit(_ operations: [WriteOperation]) async -> [WriteOutcome] {
        if operations.isEmpty { return [] }
        return await withCheckedContinuation { continuation in
            let refusal: APIError? = state.withLock { state in
                if state.stopping { return APIError.unavailable("the service is shutting down", retryAfter: 1) }
                if state.queuedOperations + operations.count > options.queueCapacity {
                    return APIError.unavailable("the write queue is full", retryAfter: 1)
                }
                state.queue.append(Submission(operations: operations, continuation: continuation))
                state.queuedOperations += operations.count
                let wakeup = state.wakeup
                state.wakeup = nil
                wakeup?.resume()
                return nil
            }
            if let refusal { continuation.resume(returning: operations.map { _ in .failure(refusal) }) }
        }
    }

    /// Writes one operation.
    public func submit(_ operation: WriteOperation) async -> WriteOutcome {
        await submit([operation])[0]
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while let batch = await nextBatch() {
                await flush(batch)
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Refuses new writes; the loop writes what was accepted and ends.
    public func stop() {
        let wakeup = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopping = true
            let wakeup = state.wakeup
            state.wakeup = nil
            return wakeup
        }
        wakeup?.resume()
    }

    /// Waits for work; returns the next group of submissions, or nil once stopping with nothing left.
    private func nextBatch() async -> [Submission]? {
        while true {
            let (isEmpty, stopping) = state.withLock { ($0.queue.isEmpty, $0.stopping) }
            if isEmpty {
                if stopping { return nil }
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.queue.isEmpty || state.stopping { return true }
                        state.wakeup = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
                continue
            }
            let queued = state.withLock { $0.queuedOperations }
            if (queued < options.maxBatch) && (options.flushInterval > .zero) && !stopping {
                try? await Task.sleep(for: options.flushInterval)
            }
            return state.withLock { state in
                var taken: [Submission] = []
                var count = 0
                while let first = state.queue.first, taken.isEmpty || count + first.operations.count <= options.maxBatch {
                    taken.append(state.queue.removeFirst())
                    count += first.operations.count
                }
                state.queuedOperations -= count
                return taken
            }
        }
    }

    private func flush(_ submissions: [Submission]) async {
        let operations = submissions.flatMap(\.operations)
        let start = ContinuousClock.now
        let outcomes = await writeWithRetry(operations)
        metrics?.recordFlush(operations: operations.count, duration: ContinuousClock.now - start)
        metrics?.recordIngested(outcomes)
        var offset = 0
        for submission in submissions {
            let count = submission.operations.count
            submission.continuation.resume(returning: Array(outcomes[offset..<(offset + count)]))
            offset += count
        }
    }

    /// One transaction for all; retried on connection loss; split into single operations on other failures.
    func writeWithRetry(_ operations: [WriteOperation]) async -> [WriteOutcome] {
        let start = ContinuousClock.now
        var delay = Duration.milliseconds(50)
        while true {
            do {
                return try await writeOnce(operations)
            } catch let error as PGError where Self.isTransient(error) {
                if ContinuousClock.now - start > options.retryWindow {
                    logger.error("database unavailable; failing writes", metadata: ["error": "\(error)", "operations": "\(operations.count)"])
                    return operations.map { _ in .failure(.unavailable("the database is unavailable", retryAfter: 2)) }
                }
                logger.warning("flush failed, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(1))
            } catch {
                if operations.count == 1 {
                    logger.error("write failed", metadata: ["error": "\(error)"])
                    return [.failure(Self.apiError(for: error))]
                }
                logger.warning("flush failed; writing its operations one by one", metadata: ["error": "\(error)"])
                var outcomes: [WriteOutcome] = []
                for operation in operations { outcomes += await writeWithRetry([operation]) }
                return outcomes
            }
        }
    }

    private func writeOnce(_ operations: [WriteOperation]) async throws -> [WriteOutcome] {
        let prices = self.prices
        return try await pool.withTransaction { connection in
            try await TenantScope.allTenants(connection)  // the writer serves every tenant
            var flush = FlushTransaction(operations: operations, prices: prices, now: Date().roundedToMicroseconds)
            return try await flush.run(on: connection)
        }
    }

    static func isTransient(_ error: PGError) -> Bool {
        error.isConnectionError || error.kind == .poolTimeout || error.code?.isRetryableTransactionFailure == true
    }

    /// The answer for a write that failed alone with a database error.
    static func apiError(for error: Error) -> APIError {
        guard let error = error as? PGError else { return .internalError }
        switch error.code {
        case .uniqueViolation?: return .conflict("conflict", "the write conflicts with stored data")
        case .foreignKeyViolation?: return .notFound("conversation", field: "conversationId")
        case .checkViolation?, .notNullViolation?, .invalidTextRepresentation?, .characterNotInRepertoire?, .untranslatableCharacter?:
            return .invalid("body", "a value was rejected by the database")
        default: return .internalError
        }
    }
}
