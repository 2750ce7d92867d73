import Foundation
import Logging
import PGClient
import ServiceLifecycle
import Synchronization

/// The group-commit writer. Requests queue their writes; a loop takes everything queued (up to `maxBatch`
/// operations), writes it in one transaction, and answers each request only after that transaction committed.
/// While a flush runs, new requests gather for the next one, so the batch grows with the load.
///
/// - Lanes: `lanes` loops flush at once, each on its own connection. A conversation's writes always go to the same
///   lane (by its id), so they stay in arrival order and two lanes never wait for each other's conversation locks;
///   each lane adds into rollup rows of its own (the `lane` column), so they never wait for each other at all.
///   Overlapping flushes let one lane's statements and commit run while another prepares, and let PostgreSQL
///   commit them in one WAL flush.
/// - Bounded queue: past `queueCapacity` operations a request is refused at once with 503 + Retry-After.
/// - Fair share: one tenant may have at most `tenantQueueLimit` operations queued; past it its requests get 429 +
///   Retry-After while other tenants' writes are still admitted (and wait behind at most that many of its).
/// - A flush that fails on a lost connection (or a serialization failure or deadlock) is retried on a fresh
///   connection for up to `retryWindow`; retrying is safe because a flush stores nothing twice (see
///   FlushTransaction). After the window, its requests get 503.
/// - A flush that fails for any other reason is split in halves until the failing operations stand alone: they get
///   their own error, the rest of the flush commits (a poison write costs ~2·log2(n) extra transactions, not n).
/// - Graceful shutdown: new requests get 503, everything already accepted is written, then `run()` returns.
public final class IngestWriter: Service, Sendable {
    /// Writer settings.
    public struct Options: Sendable {
        /// Most operations written in one transaction.
        public var maxBatch = 1000
        /// How long a lane lingers for more requests when fewer than `maxBatch` are queued.
        public var flushInterval: Duration = .milliseconds(1)
        /// Most operations queued and not yet written.
        public var queueCapacity = 20_000
        /// How long a failing flush is retried before its requests get 503.
        public var retryWindow: Duration = .seconds(5)
        /// Flushes that run at once (each needs a connection of the writer's pool).
        public var lanes = 4
        /// Most operations one tenant may have queued; nil: a quarter of `queueCapacity`.
        public var tenantQueueLimit: Int?
        /// The rollup lane number of this writer's lane 0: instances on one database claim disjoint lane numbers
        /// (`InstanceSlot`), so two instances never add into the same rollup rows and never wait for each other.
        public var laneBase = 0
        public init() {}

        /// The per-tenant share in force.
        public var effectiveTenantQueueLimit: Int { max(1, tenantQueueLimit ?? queueCapacity / 4) }
    }

    struct Submission {
        let tenantId: UUID
        let operations: [WriteOperation]
        let continuation: CheckedContinuation<[WriteOutcome], Never>
    }

    struct Lane {
        var queue: [Submission] = []
        var queuedOperations = 0
        var wakeup: CheckedContinuation<Void, Never>?
    }

    struct State: ~Copyable {
        var lanes: [Lane]
        var queuedOperations = 0
        var queuedByTenant: [UUID: Int] = [:]
        var stopping = false
    }

    let pool: PGPool
    /// The price table the writer prices messages with.
    public let prices: PriceBook
    let options: Options
    /// Limits on what a write may leave stored (merged metadata).
    let limits: IngestLimits
    let logger: Logger
    /// Where flush sizes and latencies, ingested messages and tokens are counted.
    let metrics: ServiceMetrics?
    private let state: Mutex<State>

    public init(
        pool: PGPool, prices: PriceBook, options: Options = Options(), limits: IngestLimits = IngestLimits(),
        metrics: ServiceMetrics? = nil, logger: Logger
    ) {
        self.pool = pool
        self.prices = prices
        self.limits = limits
        var options = options
        options.lanes = max(1, options.lanes)
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.state = Mutex(State(lanes: Array(repeating: Lane(), count: options.lanes)))
    }

    /// Operations queued and not yet written (for metrics).
    public var queueDepth: Int { state.withLock { $0.queuedOperations } }

    /// Writes the operations and returns each one's outcome, in order, after its transaction committed. Operations
    /// of one conversation are written in the order given; those of different conversations may go to different
    /// lanes and commit separately. Each lane's share is admitted on its own, so with the queue nearly full some
    /// operations of one call can be refused (503) while the others are written.
    public func submit(_ operations: [WriteOperation]) async -> [WriteOutcome] {
        if operations.isEmpty { return [] }
        let firstLane = lane(of: operations[0])
        if operations.allSatisfy({ lane(of: $0) == firstLane }) { return await enqueue(operations, lane: firstLane) }
        var groups: [Int: [(position: Int, operation: WriteOperation)]] = [:]
        for (position, operation) in operations.enumerated() { groups[lane(of: operation), default: []].append((position, operation)) }
        return await withTaskGroup(of: [(Int, WriteOutcome)].self) { group in
            for (lane, members) in groups {
                group.addTask {
                    let outcomes = await self.enqueue(members.map(\.operation), lane: lane)
                    return Array(zip(members.map(\.position), outcomes))
                }
            }
            var outcomes = [WriteOutcome](repeating: .failure(.internalError), count: operations.count)
            for await answered in group { for (position, outcome) in answered { outcomes[position] = outcome } }
            return outcomes
        }
    }

    /// Writes one operation.
    public func submit(_ operation: WriteOperation) async -> WriteOutcome {
        await submit([operation])[0]
    }

    /// The rollup lane number of this writer's lane 0 (see `Options.laneBase`).
    public var laneBase: Int { options.laneBase }

    /// The lane of an operation: by its conversation id.
    private func lane(of operation: WriteOperation) -> Int {
        let conversation: UUID
        switch operation {
        case .createConversation(_, let id, _, _, _), .updateConversation(_, let id, _, _): conversation = id
        case .createMessage(_, let conversationId, _, _, _, _): conversation = conversationId
        }
        return Self.lane(ofConversation: conversation, lanes: options.lanes)
    }

    /// A conversation's lane: its id's last byte modulo the number of lanes (in SQL,
    /// `get_byte(uuid_send(id), 15) % lanes`); its rollup counts are in rows with this `lane`.
    public static func lane(ofConversation id: UUID, lanes: Int) -> Int {
        Int(id.uuid.15) % lanes
    }

    private func enqueue(_ operations: [WriteOperation], lane: Int) async -> [WriteOutcome] {
        let tenantId = operations[0].tenantId  // one caller's operations: one tenant
        return await withCheckedContinuation { continuation in
            let refusal: APIError? = state.withLock { state in
                if state.stopping { return APIError.unavailable("the service is shutting down", retryAfter: 1) }
                let tenantQueued = state.queuedByTenant[tenantId, default: 0]
                // A call larger than the share is admitted when the tenant has nothing queued (it cannot be split).
                if tenantQueued > 0 && tenantQueued + operations.count > options.effectiveTenantQueueLimit {
                    return APIError(
                        .tooManyRequests, code: "write_share_exceeded",
                        message: "this tenant has \(tenantQueued) writes queued (its share is \(options.effectiveTenantQueueLimit)); retry after 1 s",
                        retryAfterSeconds: 1)
                }
                if state.queuedOperations + operations.count > options.queueCapacity {
                    return APIError.unavailable("the write queue is full", retryAfter: 1)
                }
                state.lanes[lane].queue.append(Submission(tenantId: tenantId, operations: operations, continuation: continuation))
                state.lanes[lane].queuedOperations += operations.count
                state.queuedOperations += operations.count
                state.queuedByTenant[tenantId] = tenantQueued + operations.count
                let wakeup = state.lanes[lane].wakeup
                state.lanes[lane].wakeup = nil
                wakeup?.resume()
                return nil
            }
            if let refusal { continuation.resume(returning: operations.map { _ in .failure(refusal) }) }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<options.lanes {
                    group.addTask {
                        while let batch = await self.nextBatch(lane: lane) {
                            await self.flush(batch, lane: lane)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Refuses new writes; the lanes write what was accepted and end.
    public func stop() {
        let wakeups = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopping = true
            var wakeups: [CheckedContinuation<Void, Never>] = []
            for index in state.lanes.indices {
                if let wakeup = state.lanes[index].wakeup { wakeups.append(wakeup) }
                state.lanes[index].wakeup = nil
            }
            return wakeups
        }
        for wakeup in wakeups { wakeup.resume() }
    }

    /// Waits for work on a lane; returns its next group of submissions, or nil once stopping with nothing left.
    private func nextBatch(lane: Int) async -> [Submission]? {
        while true {
            let (isEmpty, stopping) = state.withLock { ($0.lanes[lane].queue.isEmpty, $0.stopping) }
            if isEmpty {
                if stopping { return nil }
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.lanes[lane].queue.isEmpty || state.stopping { return true }
                        state.lanes[lane].wakeup = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
                continue
            }
            let queued = state.withLock { $0.lanes[lane].queuedOperations }
            if (queued < options.maxBatch) && (options.flushInterval > .zero) && !stopping {
                try? await Task.sleep(for: options.flushInterval)
            }
            return state.withLock { state in
                var taken: [Submission] = []
                var count = 0
                while let first = state.lanes[lane].queue.first, taken.isEmpty || count + first.operations.count <= options.maxBatch {
                    taken.append(state.lanes[lane].queue.removeFirst())
                    count += first.operations.count
                    let left = state.queuedByTenant[first.tenantId, default: 0] - first.operations.count
                    state.queuedByTenant[first.tenantId] = left > 0 ? left : nil
                }
                state.lanes[lane].queuedOperations -= count
                state.queuedOperations -= count
                return taken
            }
        }
    }

    private func flush(_ submissions: [Submission], lane: Int) async {
        let operations = submissions.flatMap(\.operations)
        let start = ContinuousClock.now
        let outcomes = await writeWithRetry(operations, lane: lane)
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
    func writeWithRetry(_ operations: [WriteOperation], lane: Int) async -> [WriteOutcome] {
        let start = ContinuousClock.now
        var delay = Duration.milliseconds(50)
        while true {
            do {
                return try await writeOnce(operations, lane: lane)
            } catch let error as PGError where error.isRetryable {
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
                // Halves in order, so a conversation's writes keep their order; each half commits on its own.
                logger.warning(
                    "flush failed; splitting it to isolate the failing writes",
                    metadata: ["error": "\(error)", "operations": "\(operations.count)"])
                let middle = operations.count / 2
                return await writeWithRetry(Array(operations[..<middle]), lane: lane)
                    + writeWithRetry(Array(operations[middle...]), lane: lane)
            }
        }
    }

    private func writeOnce(_ operations: [WriteOperation], lane: Int) async throws -> [WriteOutcome] {
        let prices = self.prices, limits = self.limits, rollupLane = options.laneBase + lane
        return try await pool.withConnection { connection in
            var flush = FlushTransaction(
                operations: operations, prices: prices, limits: limits, lane: rollupLane, now: Date().roundedToMicroseconds)
            return try await flush.run(on: connection)  // its own transaction, over every tenant
        }
    }

    /// The answer for a write that failed alone with a database error.
    static func apiError(for error: Error) -> APIError {
        guard let error = error as? PGError else { return .internalError }
        switch error.code {
        case .uniqueViolation?: return .conflict("conflict", "the write conflicts with stored data")
        case .foreignKeyViolation?: return .notFound("conversation", field: "conversationId")
        case .numericValueOutOfRange?: return FlushPlan.counterOverflow("totalTokens")
        case .checkViolation?, .notNullViolation?, .invalidTextRepresentation?, .characterNotInRepertoire?, .untranslatableCharacter?:
            return .invalid("body", "a value was rejected by the database")
        default: return .internalError
        }
    }
}
