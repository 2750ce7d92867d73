import Foundation
import PGClient

/// One flush: every operation of a group written in one transaction, each with its own outcome.
///
/// Reads first (insert new conversations, lock every touched conversation, find retried message ids and taken
/// indexes), then asks `FlushPlan` — the write rules, in memory — for each operation's outcome and what to write,
/// then writes (messages, conversation totals, rollups): a fixed number of statements per flush whatever its size. A retried write with the same id and body is answered from what is stored and adds
/// nothing; with another body it is a 409. Running the same flush twice therefore stores everything once.
struct FlushTransaction {
    typealias ConversationKey = FlushPlan.ConversationKey
    typealias IndexKey = FlushPlan.IndexKey

    let operations: [WriteOperation]
    let prices: PriceBook
    /// Limits that apply to what a write leaves stored (a conversation's merged metadata).
    let limits: IngestLimits
    /// The writer lane: the rollup rows this flush adds into.
    let lane: Int
    let now: Date
    /// What the reads found, for the plan.
    private var snapshot = FlushPlan.Snapshot()
    /// The conversations this flush creates or updates: only these are read with title, error message and metadata.
    private let conversationsWithDetails: Set<ConversationKey>

    init(operations: [WriteOperation], prices: PriceBook, limits: IngestLimits = IngestLimits(), lane: Int = 0, now: Date) {
        self.operations = operations
        self.prices = prices
        self.limits = limits
        self.lane = lane
        self.now = now
        self.conversationsWithDetails = FlushPlan.conversationsWithDetails(operations)
    }

    /// Runs the flush as one transaction on `connection`, in two round trips (libpq pipeline mode): BEGIN and
    /// every read, then every write and COMMIT; in between, `FlushPlan` decides. Rolls back and rethrows the first
    /// failing statement's error. The statements are prepared once per connection (their text never changes; the
    /// rows travel as arrays).
    mutating func run(on connection: PGConnection) async throws -> [WriteOutcome] {
        do {
            try await read(connection)
            let plan = FlushPlan(operations: operations, snapshot: snapshot, prices: prices, limits: limits, now: now)
            try await write(plan, connection)
            return plan.results
        } catch {
            _ = try? await connection.query(FlushStatements.rollback)
            throw error
        }
    }

    // MARK: reads (the statements: FlushStatements)

    private mutating func read(_ connection: PGConnection) async throws {
        let newConversations = newConversationsQuery(), stored = storedMessagesQuery(), taken = takenIndexesQuery()
        let statements = [TenantScope.allTenantsQuery, newConversations, lockQuery(), stored, taken]
            .compactMap { $0?.prepared() }
        let queries = [FlushStatements.begin] + statements
        var results = try await connection.pipeline(queries).makeIterator()
        func next() throws -> PGResult { try results.next()!.get() }
        _ = try next()
        _ = try next()
        if newConversations != nil { try readNewConversations(next()) }
        try readLocked(next())
        if stored != nil { try readStoredMessages(next()) }
        if taken != nil { try readTakenIndexes(next()) }
    }

    private func write(_ plan: FlushPlan, _ connection: PGConnection) async throws {
        let statements =
            ([insertMessagesQuery(plan.messageRows)].compactMap { $0 } + conversationsQueries(plan.changedConversations)
            + RollupTable.add(hourly: plan.hourlyRollups, daily: plan.dailyRollups, lane: lane)).map { $0.prepared() }
        let queries = statements + [FlushStatements.commit]
        for result in try await connection.pipeline(queries) { _ = try result.get() }
    }

    /// Inserts the conversations this flush creates (new ids only; key order, so concurrent flushes never deadlock).
    private func newConversationsQuery() -> PGQuery? {
        var seen: Set<ConversationKey> = []
        var states: [ConversationState] = []
        for case .createConversation(let tenantId, let id, let request, let hash, let receivedAt) in operations
        where seen.insert(ConversationKey(tenantId: tenantId, id: id)).inserted {
            states.append(ConversationState(tenantId: tenantId, id: id, creating: request, requestHash: hash, receivedAt: receivedAt))
        }
        guard !states.isEmpty else { return nil }
        return ConversationTable.insertNew(
            states.sorted {
                ConversationKey(tenantId: $0.tenantId, id: $0.record.id) < ConversationKey(tenantId: $1.tenantId, id: $1.record.id)
            })
    }

    private mutating func readNewConversations(_ inserted: PGResult) throws {
        for row in inserted {
            let (tenantId, id) = try row.decode((UUID, UUID).self)
            snapshot.newlyInserted.insert(ConversationKey(tenantId: tenantId, id: id))
        }
    }

    /// Locks every conversation the flush touches. Title, error message and metadata (up to ~130 KB a row) are
    /// read only for the conversations this flush creates or updates: a message needs only the counters, and
    /// 1,000 messages to 1,000 conversations must not pull 1,000 metadata objects into memory.
    private func lockQuery() -> PGQuery {
        var keys = conversationsWithDetails
        for case .createMessage(let tenantId, let conversationId, _, _, _, _) in operations {
            keys.insert(ConversationKey(tenantId: tenantId, id: conversationId))
        }
        // Locked in key order, so concurrent flushes never deadlock; one primary-key probe per key.
        let sorted = keys.sorted(by: <)
        return FlushStatements.lockConversations(
            tenants: sorted.map(\.tenantId), ids: sorted.map(\.id), withDetails: sorted.map(conversationsWithDetails.contains))
    }

    private mutating func readLocked(_ rows: PGResult) throws {
        for row in rows {
            var state = try ConversationTable.decode(row)
            let key = ConversationKey(tenantId: state.tenantId, id: state.record.id)
            state.detailsLoaded = conversationsWithDetails.contains(key)
            snapshot.conversations[key] = state
            // Read in the flush, so a tenant's switch applies to every write after it, on every instance.
            if try FlushStatements.contentFree(row) { snapshot.contentFreeTenants.insert(state.tenantId) }
        }
    }

    /// Finds the messages of this flush already stored (retries): each id once, however often the flush repeats
    /// it, and only what the idempotency decision needs — never content or metadata, whose size the client chose.
    private func storedMessagesQuery() -> PGQuery? {
        var keys: Set<ConversationKey> = []
        for case .createMessage(let tenantId, _, let id, _, _, _) in operations { keys.insert(ConversationKey(tenantId: tenantId, id: id)) }
        guard !keys.isEmpty else { return nil }
        let sorted = keys.sorted(by: <)
        return FlushStatements.storedMessages(tenants: sorted.map(\.tenantId), ids: sorted.map(\.id))
    }

    private mutating func readStoredMessages(_ stored: PGResult) throws {
        for row in stored {
            let stored = try FlushStatements.storedMessage(row)
            snapshot.storedMessages[ConversationKey(tenantId: stored.tenantId, id: stored.replay.id)] = (stored.replay, stored.requestHash)
        }
    }

    /// Finds which of the explicitly requested message indexes are taken already.
    private func takenIndexesQuery() -> PGQuery? {
        var tenants: [UUID] = [], conversationIds: [UUID] = [], indexes: [Int32] = []
        for case .createMessage(let tenantId, let conversationId, _, let request, _, _) in operations {
            if let index = request.messageIndex {
                tenants.append(tenantId)
                conversationIds.append(conversationId)
                indexes.append(Int32(index))
            }
        }
        guard !indexes.isEmpty else { return nil }
        return FlushStatements.takenIndexes(tenants: tenants, conversationIds: conversationIds, indexes: indexes)
    }

    private mutating func readTakenIndexes(_ taken: PGResult) throws {
        for row in taken {
            let taken = try FlushStatements.takenIndex(row)
            snapshot.takenIndexes.insert(
                IndexKey(conversation: ConversationKey(tenantId: taken.tenantId, id: taken.conversationId), index: taken.index))
        }
    }

    // MARK: writes

    private func insertMessagesQuery(_ rows: [StoredMessage]) -> PGQuery? {
        rows.isEmpty ? nil : MessageTable.insert(rows)
    }

    /// Writes the changed conversations back (see `ConversationTable.writeBack`): an upsert on the primary key rather
    /// than UPDATE … FROM, so every row is found through the key's index (the join was planned as a scan of the
    /// conversations with the key list rescanned per row, ~100 ms per flush at 1,000 conversations). Conversations
    /// read with their details (created or updated in this flush) are written whole; the others, which only messages
    /// touched, get their counters only.
    private func conversationsQueries(_ states: [ConversationState]) -> [PGQuery] {
        let whole = states.filter(\.detailsLoaded), counters = states.filter { !$0.detailsLoaded }
        return (whole.isEmpty ? [] : [ConversationTable.writeBack(whole, details: true)])
            + (counters.isEmpty ? [] : [ConversationTable.writeBack(counters, details: false)])
    }
}
