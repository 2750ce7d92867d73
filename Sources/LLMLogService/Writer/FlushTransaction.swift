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
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    // MARK: reads
    //
    // Every lookup walks the flush's keys and probes the table once per key (a LATERAL subquery with LIMIT 1,
    // which the planner cannot turn into a join). As a plain join of the key list with the table, the planner
    // misjudged the row-level-security filter as selecting almost nothing and scanned the whole table once per
    // key (1.5–2.4 s per flush with 14,000 messages stored).

    private mutating func read(_ connection: PGConnection) async throws {
        let newConversations = newConversationsQuery(), stored = storedMessagesQuery(), taken = takenIndexesQuery()
        let statements = [TenantScope.allTenantsQuery, newConversations, lockQuery(), stored, taken].compactMap { $0?.prepared() }
        let queries = [PGQuery(unsafeSQL: "BEGIN ISOLATION LEVEL READ COMMITTED")] + statements
        var results = try await connection.pipeline(queries).makeIterator()
        func next() throws -> PGResult { try results.next()!.get() }
        _ = try next(); _ = try next()
        if newConversations != nil { try readNewConversations(next()) }
        try readLocked(next())
        if stored != nil { try readStoredMessages(next()) }
        if taken != nil { try readTakenIndexes(next()) }
    }

    private func write(_ plan: FlushPlan, _ connection: PGConnection) async throws {
        let statements = ([insertMessagesQuery(plan.messageRows)].compactMap { $0 } + conversationsQueries(plan.changedConversations)
            + rollupQueries(plan)).map { $0.prepared() }
        let queries = statements + ["COMMIT"]
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
        return ConversationTable.insertNew(states.sorted {
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
        let tenants = sorted.map(\.tenantId), ids = sorted.map(\.id), withDetails = sorted.map(conversationsWithDetails.contains)
        return """
            SELECT \(unsafeSQL: ConversationTable.lockedSelectList)
            FROM unnest(\(tenants)::uuid[], \(ids)::uuid[], \(withDetails)::bool[]) WITH ORDINALITY AS k(t, i, d, n)
            CROSS JOIN LATERAL (
                SELECT \(unsafeSQL: ConversationTable.selectList()) FROM llm_conversations c
                WHERE c.tenant_id = k.t AND c.id = k.i
                LIMIT 1 FOR UPDATE
            ) c
            ORDER BY k.n
            """
    }

    private mutating func readLocked(_ rows: PGResult) throws {
        for row in rows {
            var state = try ConversationTable.decode(row)
            let key = ConversationKey(tenantId: state.tenantId, id: state.record.id)
            state.detailsLoaded = conversationsWithDetails.contains(key)
            snapshot.conversations[key] = state
        }
    }

    /// Finds the messages of this flush already stored (retries): each id once, however often the flush repeats
    /// it, and only what the idempotency decision needs — never content or metadata, whose size the client chose.
    private func storedMessagesQuery() -> PGQuery? {
        var keys: Set<ConversationKey> = []
        for case .createMessage(let tenantId, _, let id, _, _, _) in operations { keys.insert(ConversationKey(tenantId: tenantId, id: id)) }
        guard !keys.isEmpty else { return nil }
        let sorted = keys.sorted(by: <)
        return """
            SELECT m.tenant_id, m.id, m.conversation_id, m.role, m.message_index, m.request_hash
            FROM unnest(\(sorted.map(\.tenantId))::uuid[], \(sorted.map(\.id))::uuid[]) AS k(t, i)
            CROSS JOIN LATERAL (
                SELECT tenant_id, id, conversation_id, role, message_index, request_hash
                FROM llm_messages m WHERE m.tenant_id = k.t AND m.id = k.i LIMIT 1
            ) m
            """
    }

    private mutating func readStoredMessages(_ stored: PGResult) throws {
        for row in stored {
            let (tenantId, id, conversationId, role, index, hash) = try row.decode((UUID, UUID, UUID, String, Int, Data).self)
            let replay = MessageReplay(id: id, conversationId: conversationId, role: try MessageRole(column: "role", role), messageIndex: index)
            snapshot.storedMessages[ConversationKey(tenantId: tenantId, id: id)] = (replay, hash)
        }
    }

    /// Finds which of the explicitly requested message indexes are taken already.
    private func takenIndexesQuery() -> PGQuery? {
        var tenants: [UUID] = [], conversationIds: [UUID] = [], indexes: [Int32] = []
        for case .createMessage(let tenantId, let conversationId, _, let request, _, _) in operations {
            if let index = request.messageIndex {
                tenants.append(tenantId); conversationIds.append(conversationId); indexes.append(Int32(index))
            }
        }
        guard !indexes.isEmpty else { return nil }
        return """
            SELECT k.t, k.c, k.x
            FROM unnest(\(tenants)::uuid[], \(conversationIds)::uuid[], \(indexes)::int4[]) AS k(t, c, x)
            CROSS JOIN LATERAL (
                SELECT 1 FROM llm_messages m
                WHERE m.tenant_id = k.t AND m.conversation_id = k.c AND m.message_index = k.x LIMIT 1
            ) m
            """
    }

    private mutating func readTakenIndexes(_ taken: PGResult) throws {
        for row in taken {
            let (tenantId, conversationId, index) = try row.decode((UUID, UUID, Int).self)
            snapshot.takenIndexes.insert(IndexKey(conversation: ConversationKey(tenantId: tenantId, id: conversationId), index: index))
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

    /// Adds the flush's deltas to the per-user hourly rollups, then to the tenant daily rollups (the same deltas
    /// without the user, by UTC day), in this lane's rows; both in key order, so writers that share rows (two
    /// instances, each with a lane 0) lock them in the same order.
    private func rollupQueries(_ plan: FlushPlan) -> [PGQuery] {
        guard !plan.hourlyRollups.isEmpty else { return [] }
        return [upsert(plan.hourlyRollups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: "llm_usage_hourly", userColumn: true),
                upsert(plan.dailyRollups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: "llm_usage_daily_tenant", userColumn: false)]
    }

    /// One upsert of `entries` into a rollup table (`table` is one of the two constants above, never input): the
    /// per-user table keys on `hour` and `user_id`, the tenant table on the UTC `day`.
    private func upsert(_ entries: [(key: RollupKey, delta: RollupDelta)], into table: String, userColumn: Bool) -> PGQuery {
        let keys = entries.map(\.key), deltas = entries.map(\.delta)
        let user = userColumn ? ", user_id" : ""
        let time = userColumn ? "hour" : "day", timeValue = userColumn ? "h" : "(h AT TIME ZONE 'UTC')::date"
        return """
            INSERT INTO \(unsafeSQL: table) AS r (tenant_id, \(unsafeSQL: time), provider, model, type\(unsafeSQL: user), lane, conversations, active,
                completed, failed, cancelled, reported_tokens, reported_cost, messages, input_tokens, cached_input_tokens,
                cache_creation_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost, unpriced_messages,
                processing_time_count, processing_time_sum, processing_time_histogram)
            SELECT t, \(unsafeSQL: timeValue), p, m, ty\(unsafeSQL: userColumn ? ", u" : ""), \(Int16(lane))::int2, cv, a, co, f, ca, rt, rc, ms, it, ci, cc, ot, rs, tt, cs, un, pc, ps, hg::int8[]
            FROM unnest(
                \(keys.map(\.tenantId))::uuid[], \(keys.map(\.hour))::timestamptz[], \(keys.map(\.provider))::text[],
                \(keys.map(\.model))::text[], \(keys.map(\.type))::text[], \(keys.map(\.userId))::text[],
                \(deltas.map(\.conversations))::int8[], \(deltas.map(\.active))::int8[], \(deltas.map(\.completed))::int8[],
                \(deltas.map(\.failed))::int8[], \(deltas.map(\.cancelled))::int8[], \(deltas.map(\.reportedTokens))::int8[],
                \(deltas.map(\.reportedCost))::numeric[], \(deltas.map(\.messages))::int8[], \(deltas.map(\.usage.input))::int8[],
                \(deltas.map(\.usage.cachedInput))::int8[], \(deltas.map(\.usage.cacheCreationInput))::int8[],
                \(deltas.map(\.usage.output))::int8[], \(deltas.map(\.usage.reasoning))::int8[], \(deltas.map(\.totalTokens))::int8[],
                \(deltas.map(\.cost))::numeric[], \(deltas.map(\.unpricedMessages))::int8[],
                \(deltas.map(\.processingTimeCount))::int8[], \(deltas.map(\.processingTimeSum))::int8[],
                \(deltas.map(\.histogramLiteral))::text[]
            ) AS x(t, h, p, m, ty, u, cv, a, co, f, ca, rt, rc, ms, it, ci, cc, ot, rs, tt, cs, un, pc, ps, hg)
            ON CONFLICT (tenant_id, \(unsafeSQL: time), provider, model, type\(unsafeSQL: user), lane) DO UPDATE SET
                conversations = r.conversations + EXCLUDED.conversations, active = r.active + EXCLUDED.active,
                completed = r.completed + EXCLUDED.completed, failed = r.failed + EXCLUDED.failed,
                cancelled = r.cancelled + EXCLUDED.cancelled, reported_tokens = r.reported_tokens + EXCLUDED.reported_tokens,
                reported_cost = r.reported_cost + EXCLUDED.reported_cost, messages = r.messages + EXCLUDED.messages,
                input_tokens = r.input_tokens + EXCLUDED.input_tokens,
                cached_input_tokens = r.cached_input_tokens + EXCLUDED.cached_input_tokens,
                cache_creation_input_tokens = r.cache_creation_input_tokens + EXCLUDED.cache_creation_input_tokens,
                output_tokens = r.output_tokens + EXCLUDED.output_tokens,
                reasoning_tokens = r.reasoning_tokens + EXCLUDED.reasoning_tokens,
                total_tokens = r.total_tokens + EXCLUDED.total_tokens, cost = r.cost + EXCLUDED.cost,
                unpriced_messages = r.unpriced_messages + EXCLUDED.unpriced_messages,
                processing_time_count = r.processing_time_count + EXCLUDED.processing_time_count,
                processing_time_sum = r.processing_time_sum + EXCLUDED.processing_time_sum,
                processing_time_histogram = llmlog_add_counts(r.processing_time_histogram, EXCLUDED.processing_time_histogram)
            """
    }
}
