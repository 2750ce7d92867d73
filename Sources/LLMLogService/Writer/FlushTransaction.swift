import Foundation
import PGClient

/// One flush: every operation of a group written in one transaction, each with its own outcome.
///
/// Reads first (insert new conversations, lock every touched conversation, find retried message ids and taken
/// indexes), then walks the operations in arrival order in memory (index assignment, pricing, status changes,
/// rollup deltas), then writes (messages, conversation totals, rollups): a fixed number of statements per flush
/// whatever its size. A retried write with the same id and body is answered from what is stored and adds
/// nothing; with another body it is a 409. Running the same flush twice therefore stores everything once.
struct FlushTransaction {
    let operations: [WriteOperation]
    let prices: PriceBook
    /// Limits that apply to what a write leaves stored (a conversation's merged metadata).
    let limits: IngestLimits
    /// The writer lane: the rollup rows this flush adds into.
    let lane: Int
    let now: Date

    private(set) var outcomes: [WriteOutcome?]
    private var conversations: [ConversationKey: ConversationState] = [:]
    private var newlyInserted: Set<ConversationKey> = []
    private var storedMessages: [ConversationKey: (replay: MessageReplay, requestHash: Data)] = [:]
    private var takenIndexes: Set<IndexKey> = []
    private var batchMessages: [ConversationKey: (record: MessageRecord, requestHash: Data)] = [:]
    private var messageRows: [(tenantId: UUID, record: MessageRecord, requestHash: Data, userId: String?)] = []
    /// Deltas of the per-user hourly rollup rows and of the tenant daily rows, kept in step by `addToRollups`.
    private var rollups: [RollupKey: RollupDelta] = [:]
    private var dailyRollups: [RollupKey: RollupDelta] = [:]
    /// The conversations this flush creates or updates: only these are read with title, error message and metadata.
    private let conversationsWithDetails: Set<ConversationKey>
    /// Which operation's answer is the final state of a conversation (filled after the walk).
    private var conversationAnswers: [(operation: Int, key: ConversationKey, created: Bool)] = []

    struct ConversationKey: Hashable, Comparable {
        let tenantId: UUID
        let id: UUID

        /// PostgreSQL's order of (tenant_id, id): rows are locked in it.
        static func < (a: ConversationKey, b: ConversationKey) -> Bool {
            a.tenantId == b.tenantId ? a.id.sortsBefore(b.id) : a.tenantId.sortsBefore(b.tenantId)
        }
    }

    struct IndexKey: Hashable {
        let conversation: ConversationKey
        let index: Int
    }

    init(operations: [WriteOperation], prices: PriceBook, limits: IngestLimits = IngestLimits(), lane: Int = 0, now: Date) {
        self.operations = operations
        self.prices = prices
        self.limits = limits
        self.lane = lane
        self.now = now
        self.outcomes = Array(repeating: nil, count: operations.count)
        var keys: Set<ConversationKey> = []
        for operation in operations {
            switch operation {
            case .createConversation(let tenantId, let id, _, _, _), .updateConversation(let tenantId, let id, _, _):
                keys.insert(ConversationKey(tenantId: tenantId, id: id))
            case .createMessage: break
            }
        }
        self.conversationsWithDetails = keys
    }

    /// Runs the flush as one transaction on `connection`, in two round trips (libpq pipeline mode): BEGIN and
    /// every read, then every write and COMMIT. Rolls back and rethrows the first failing statement's error.
    /// The statements are prepared once per connection (their text never changes; the rows travel as arrays).
    mutating func run(on connection: PGConnection) async throws -> [WriteOutcome] {
        do {
            try await read(connection)
            for (position, operation) in operations.enumerated() { apply(operation, at: position) }
            try await write(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
        for answer in conversationAnswers {
            guard let state = conversations[answer.key] else { continue }
            outcomes[answer.operation] = .success(.conversation(state.record, created: answer.created))
        }
        return outcomes.map { $0 ?? .failure(.internalError) }
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

    private func write(_ connection: PGConnection) async throws {
        let statements = ([insertMessagesQuery()].compactMap { $0 } + conversationsQueries() + rollupQueries()).map { $0.prepared() }
        let queries = statements + ["COMMIT"]
        for result in try await connection.pipeline(queries) { _ = try result.get() }
    }

    /// Inserts the conversations this flush creates (new ids only; key order, so concurrent flushes never deadlock).
    private func newConversationsQuery() -> PGQuery? {
        var seen: Set<ConversationKey> = []
        var tenants: [UUID] = [], ids: [UUID] = [], users: [String?] = [], types: [String] = [], titles: [String?] = []
        var documents: [String?] = [], providers: [String] = [], models: [String] = [], metadata: [PGJSON<JSONValue>] = []
        var hashes: [Data] = [], created: [Date] = []
        let creates = operations.compactMap { operation -> (UUID, UUID, ConversationCreateRequest, Data, Date)? in
            guard case .createConversation(let tenantId, let id, let request, let hash, let receivedAt) = operation else { return nil }
            return (tenantId, id, request, hash, receivedAt)
        }.sorted { ConversationKey(tenantId: $0.0, id: $0.1) < ConversationKey(tenantId: $1.0, id: $1.1) }
        for (tenantId, id, request, hash, receivedAt) in creates {
            guard seen.insert(ConversationKey(tenantId: tenantId, id: id)).inserted else { continue }
            tenants.append(tenantId); ids.append(id); users.append(request.userId); types.append(request.type)
            titles.append(request.title); documents.append(request.documentId); providers.append(request.provider)
            models.append(request.model); metadata.append(PGJSON(request.metadata ?? .emptyObject)); hashes.append(hash)
            created.append(request.createdAt ?? receivedAt)
        }
        guard !ids.isEmpty else { return nil }
        return """
            INSERT INTO llm_conversations (tenant_id, id, user_id, type, title, document_id, provider, model, metadata,
                                           request_hash, created_at, updated_at)
            SELECT t, i, u, ty, ti, d, p, m, md, h, c, c
            FROM unnest(\(tenants)::uuid[], \(ids)::uuid[], \(users)::text[], \(types)::text[], \(titles)::text[],
                        \(documents)::text[], \(providers)::text[], \(models)::text[], \(metadata)::jsonb[],
                        \(hashes)::bytea[], \(created)::timestamptz[]) AS x(t, i, u, ty, ti, d, p, m, md, h, c)
            ON CONFLICT (tenant_id, id) DO NOTHING
            RETURNING tenant_id, id
            """
    }

    private mutating func readNewConversations(_ inserted: PGResult) throws {
        for row in inserted {
            let (tenantId, id) = try row.decode((UUID, UUID).self)
            newlyInserted.insert(ConversationKey(tenantId: tenantId, id: id))
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
            SELECT \(unsafeSQL: ConversationState.lockedColumns)
            FROM unnest(\(tenants)::uuid[], \(ids)::uuid[], \(withDetails)::bool[]) WITH ORDINALITY AS k(t, i, d, n)
            CROSS JOIN LATERAL (
                SELECT \(unsafeSQL: ConversationState.columns) FROM llm_conversations c
                WHERE c.tenant_id = k.t AND c.id = k.i
                LIMIT 1 FOR UPDATE
            ) c
            ORDER BY k.n
            """
    }

    private mutating func readLocked(_ rows: PGResult) throws {
        for row in rows {
            var state = try ConversationState(row: row)
            let key = ConversationKey(tenantId: state.tenantId, id: state.record.id)
            state.detailsLoaded = conversationsWithDetails.contains(key)
            conversations[key] = state
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
            storedMessages[ConversationKey(tenantId: tenantId, id: id)] = (replay, hash)
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
            takenIndexes.insert(IndexKey(conversation: ConversationKey(tenantId: tenantId, id: conversationId), index: index))
        }
    }

    // MARK: the walk

    private mutating func apply(_ operation: WriteOperation, at position: Int) {
        switch operation {
        case .createConversation(let tenantId, let id, _, let hash, _):
            applyCreate(ConversationKey(tenantId: tenantId, id: id), hash: hash, at: position)
        case .updateConversation(let tenantId, let id, let request, _):
            applyUpdate(ConversationKey(tenantId: tenantId, id: id), request, at: position)
        case .createMessage(let tenantId, let conversationId, let id, let request, let hash, let receivedAt):
            let outcome = applyMessage(
                ConversationKey(tenantId: tenantId, id: conversationId), id: id, request, hash: hash, receivedAt: receivedAt)
            outcomes[position] = outcome
        }
    }

    private mutating func applyCreate(_ key: ConversationKey, hash: Data, at position: Int) {
        guard let state = conversations[key] else {
            outcomes[position] = .failure(.internalError)
            return
        }
        if newlyInserted.remove(key) != nil {
            var delta = RollupDelta()
            delta.conversations = 1
            delta.countStatus(state.record.status, 1)
            guard addToRollups(delta, at: state.rollupKey) else {
                outcomes[position] = .failure(Self.counterOverflow("conversations"))
                return
            }
            conversationAnswers.append((position, key, true))
        } else if state.requestHash == hash {
            conversationAnswers.append((position, key, false))
        } else {
            outcomes[position] = .failure(.conflict(
                "idempotency_conflict", "a conversation with this id exists with a different body", field: "id"))
        }
    }

    private mutating func applyUpdate(_ key: ConversationKey, _ request: ConversationUpdateRequest, at position: Int) {
        guard var state = conversations[key] else {
            outcomes[position] = .failure(.notFound("conversation", field: "conversationId"))
            return
        }
        var delta = RollupDelta()
        if let status = request.status, status != state.record.status {
            if state.record.status.isTerminal {
                outcomes[position] = .failure(.conflict(
                    "invalid_transition", "the conversation is \(state.record.status.rawValue); it cannot become \(status.rawValue)",
                    field: "status"))
                return
            }
            delta.countStatus(state.record.status, -1)
            delta.countStatus(status, 1)
            state.record.status = status
            if status.isTerminal { state.record.completedAt = now }
        }
        if let title = request.title { state.record.title = title }
        if let errorMessage = request.errorMessage { state.record.errorMessage = errorMessage }
        if case .object(let changes) = request.metadata, case .object(var current) = state.record.metadata {
            current.merge(changes) { $1 }
            // Each PATCH's metadata is checked by the route; what they add up to is checked here, so a conversation
            // cannot grow past the limit one key at a time.
            do throws(APIError) {
                try IngestValidation.metadata(.object(current), limits: limits)
            } catch {
                outcomes[position] = .failure(error)
                return
            }
            state.record.metadata = .object(current)
        }
        let reportedTokensBefore = state.effectiveReportedTokens, reportedCostBefore = state.effectiveReportedCost
        if let tokens = request.totalTokensUsed { state.record.reportedTotalTokens = tokens }
        if let cost = request.totalCost { state.record.reportedTotalCost = cost }
        delta.reportedTokens = state.effectiveReportedTokens - reportedTokensBefore  // both at most maxTokenCount
        delta.reportedCost = state.effectiveReportedCost - reportedCostBefore
        guard addToRollups(delta, at: state.rollupKey) else {
            outcomes[position] = .failure(Self.counterOverflow("totalTokensUsed"))
            return
        }
        state.record.updatedAt = now
        state.dirty = true
        conversations[key] = state
        conversationAnswers.append((position, key, false))
    }

    private mutating func applyMessage(
        _ key: ConversationKey, id: UUID, _ request: MessageCreateRequest, hash: Data, receivedAt: Date
    ) -> WriteOutcome {
        let messageKey = ConversationKey(tenantId: key.tenantId, id: id)
        let differentBody = APIError.conflict("idempotency_conflict", "a message with this id exists with a different body", field: "id")
        if let stored = storedMessages[messageKey] {
            guard stored.requestHash == hash, stored.replay.conversationId == key.id else { return .failure(differentBody) }
            return .success(.replayedMessage(stored.replay))
        }
        if let earlier = batchMessages[messageKey] {
            guard earlier.requestHash == hash, earlier.record.conversationId == key.id else { return .failure(differentBody) }
            return .success(.message(earlier.record, created: false))
        }
        guard var state = conversations[key] else { return .failure(.notFound("conversation", field: "conversationId")) }
        // Checked before anything of this flush changes: a message that cannot be counted fails alone.
        let usage = request.usage
        let totalTokens = request.totalTokens ?? (request.carriesUsage ? usage.total : nil)
        let (tokensAfter, tokensOverflow) = state.record.totalTokensUsed.addingReportingOverflow(totalTokens ?? 0)
        guard !tokensOverflow else { return .failure(Self.counterOverflow("totalTokens")) }
        guard state.record.messageCount < Int(Int32.max) else { return .failure(Self.counterOverflow("messageIndex")) }
        let index: Int
        if let requested = request.messageIndex.map(Int.init) {
            let indexKey = IndexKey(conversation: key, index: requested)
            guard takenIndexes.insert(indexKey).inserted else {
                return .failure(.conflict("message_index_taken", "this conversation already has a message at index \(requested)", field: "messageIndex"))
            }
            index = requested
            state.nextMessageIndex = max(state.nextMessageIndex, requested + 1)
        } else {
            // Skip indexes that explicit ones of this flush already took.
            while takenIndexes.contains(IndexKey(conversation: key, index: state.nextMessageIndex)) { state.nextMessageIndex += 1 }
            guard state.nextMessageIndex < Int(Int32.max) else {
                return .failure(.conflict("message_index_exhausted", "this conversation has no message index left; send messageIndex", field: "messageIndex"))
            }
            index = state.nextMessageIndex
            takenIndexes.insert(IndexKey(conversation: key, index: index))
            state.nextMessageIndex += 1
        }
        let createdAt = request.createdAt ?? receivedAt
        let cost: Decimal?
        let costSource: CostSource
        if let provided = request.cost {
            (cost, costSource) = (provided, .provided)
        } else if let price = prices.price(tenantId: key.tenantId, provider: state.record.provider, model: state.record.model, at: createdAt) {
            (cost, costSource) = (price.cost(of: usage), .computed)
        } else {
            (cost, costSource) = (nil, .unpriced)
        }
        let record = MessageRecord(
            id: id, conversationId: key.id, role: request.role, content: request.content, provider: state.record.provider,
            model: state.record.model, inputTokens: request.inputTokens, outputTokens: request.outputTokens, totalTokens: totalTokens,
            cachedInputTokens: request.cachedInputTokens, cacheCreationInputTokens: request.cacheCreationInputTokens,
            reasoningTokens: request.reasoningTokens, cost: cost, costSource: costSource, processingTime: request.processingTime,
            messageIndex: index, finishReason: request.finishReason, temperature: request.temperature, maxTokens: request.maxTokens,
            errorMessage: request.errorMessage, metadata: request.metadata ?? .emptyObject, createdAt: createdAt)

        // Conversation totals, and the reported totals leaving the rollups once real usage arrives.
        let reportedTokensBefore = state.effectiveReportedTokens, reportedCostBefore = state.effectiveReportedCost
        state.record.messageCount += 1  // below Int32.max, checked above
        state.record.totalTokensUsed = tokensAfter
        state.record.totalCost += cost ?? 0
        if request.carriesUsage { state.usageMessageCount += 1 }
        if costSource == .unpriced { state.unpricedMessageCount += 1 }
        state.record.updatedAt = now
        state.dirty = true
        var reported = RollupDelta()
        reported.reportedTokens = state.effectiveReportedTokens - reportedTokensBefore  // 0 or minus a stored total
        reported.reportedCost = state.effectiveReportedCost - reportedCostBefore

        var delta = RollupDelta()
        delta.messages = 1
        delta.usage = usage
        delta.totalTokens = totalTokens ?? 0
        delta.cost = cost ?? 0
        if costSource == .unpriced { delta.unpricedMessages = 1 }
        if let processingTime = request.processingTime { delta.addProcessingTime(processingTime) }
        let rollupKey = RollupKey(tenantId: key.tenantId, time: createdAt, provider: state.record.provider,
                                  model: state.record.model, type: state.record.type, userId: state.record.userId)
        let saved = (rollups, dailyRollups)
        guard addToRollups(reported, at: state.rollupKey), addToRollups(delta, at: rollupKey) else {
            (rollups, dailyRollups) = saved
            takenIndexes.remove(IndexKey(conversation: key, index: index))
            return .failure(Self.counterOverflow("totalTokens"))
        }
        conversations[key] = state
        batchMessages[messageKey] = (record, hash)
        messageRows.append((key.tenantId, record, hash, state.record.userId))
        return .success(.message(record, created: true))
    }

    /// Adds `delta` to the hourly row `key` and to its tenant daily row; false, changing nothing, when a counter
    /// would pass 2^63 − 1 (the operation then fails alone).
    private mutating func addToRollups(_ delta: RollupDelta, at key: RollupKey) -> Bool {
        guard let hourly = rollups[key, default: RollupDelta()].adding(delta),
              let daily = dailyRollups[key.dailyTenantKey, default: RollupDelta()].adding(delta)
        else { return false }
        rollups[key] = hourly
        dailyRollups[key.dailyTenantKey] = daily
        return true
    }

    /// The answer for a write whose counters would pass what PostgreSQL's bigint holds.
    static func counterOverflow(_ field: String) -> APIError {
        .conflict("counter_overflow", "a total this write adds to would pass 9223372036854775807", field: field)
    }

    // MARK: writes

    private func insertMessagesQuery() -> PGQuery? {
        guard !messageRows.isEmpty else { return nil }
        let rows = messageRows
        return """
            INSERT INTO llm_messages (tenant_id, id, conversation_id, role, content, provider, model, input_tokens,
                cached_input_tokens, cache_creation_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost,
                cost_source, processing_time, message_index, finish_reason, temperature, max_tokens, error_message,
                metadata, request_hash, created_at, user_id)
            SELECT * FROM unnest(
                \(rows.map(\.tenantId))::uuid[], \(rows.map(\.record.id))::uuid[], \(rows.map(\.record.conversationId))::uuid[],
                \(rows.map(\.record.role.rawValue))::text[], \(rows.map(\.record.content))::text[],
                \(rows.map(\.record.provider))::text[], \(rows.map(\.record.model))::text[],
                \(rows.map(\.record.inputTokens))::int8[], \(rows.map(\.record.cachedInputTokens))::int8[],
                \(rows.map(\.record.cacheCreationInputTokens))::int8[], \(rows.map(\.record.outputTokens))::int8[],
                \(rows.map(\.record.reasoningTokens))::int8[], \(rows.map(\.record.totalTokens))::int8[],
                \(rows.map(\.record.cost))::numeric[], \(rows.map(\.record.costSource.rawValue))::text[],
                \(rows.map { $0.record.processingTime.map(Int32.init) })::int4[], \(rows.map { Int32($0.record.messageIndex) })::int4[],
                \(rows.map(\.record.finishReason))::text[], \(rows.map(\.record.temperature))::float8[],
                \(rows.map { $0.record.maxTokens.map(Int32.init) })::int4[], \(rows.map(\.record.errorMessage))::text[],
                \(rows.map { PGJSON($0.record.metadata) })::jsonb[], \(rows.map(\.requestHash))::bytea[],
                \(rows.map(\.record.createdAt))::timestamptz[], \(rows.map(\.userId))::text[])
            """
    }

    /// Writes the changed conversations back. An upsert on the primary key rather than UPDATE … FROM: every row
    /// is found through the key's index, whereas the join was planned as a scan of the conversations with the
    /// key list rescanned per row (~100 ms per flush at 1,000 conversations). The rows exist and are locked by
    /// this transaction, so the insert half never happens; it carries the NOT NULL columns only to satisfy them.
    /// Conversations read with their details (created or updated in this flush) are written whole; the others,
    /// which only messages touched, get their counters only — their title, error message and metadata were not read.
    private func conversationsQueries() -> [PGQuery] {
        let states = conversations.values.filter(\.dirty).sorted {
            ConversationKey(tenantId: $0.tenantId, id: $0.record.id) < ConversationKey(tenantId: $1.tenantId, id: $1.record.id)
        }
        let whole = states.filter(\.detailsLoaded), counters = states.filter { !$0.detailsLoaded }
        return (whole.isEmpty ? [] : [wholeConversationsQuery(whole)]) + (counters.isEmpty ? [] : [conversationCountersQuery(counters)])
    }

    private func wholeConversationsQuery(_ states: [ConversationState]) -> PGQuery {
        """
            INSERT INTO llm_conversations AS c (\(unsafeSQL: ConversationState.columns))
            SELECT * FROM unnest(
                \(states.map(\.tenantId))::uuid[], \(states.map(\.record.id))::uuid[], \(states.map(\.record.userId))::text[],
                \(states.map(\.record.type))::text[], \(states.map(\.record.title))::text[], \(states.map(\.record.documentId))::text[],
                \(states.map(\.record.provider))::text[], \(states.map(\.record.model))::text[],
                \(states.map(\.record.status.rawValue))::text[], \(states.map(\.record.totalTokensUsed))::int8[],
                \(states.map(\.record.totalCost))::numeric[], \(states.map { Int32($0.record.messageCount) })::int4[],
                \(states.map { Int32($0.usageMessageCount) })::int4[], \(states.map { Int32($0.unpricedMessageCount) })::int4[],
                \(states.map { Int32($0.nextMessageIndex) })::int4[], \(states.map(\.record.reportedTotalTokens))::int8[],
                \(states.map(\.record.reportedTotalCost))::numeric[], \(states.map(\.record.errorMessage))::text[],
                \(states.map { PGJSON($0.record.metadata) })::jsonb[], \(states.map(\.requestHash))::bytea[],
                \(states.map(\.record.createdAt))::timestamptz[], \(states.map(\.record.updatedAt))::timestamptz[],
                \(states.map(\.record.completedAt))::timestamptz[])
            ON CONFLICT (tenant_id, id) DO UPDATE SET
                status = EXCLUDED.status, title = EXCLUDED.title, error_message = EXCLUDED.error_message,
                metadata = EXCLUDED.metadata, total_tokens_used = EXCLUDED.total_tokens_used, total_cost = EXCLUDED.total_cost,
                message_count = EXCLUDED.message_count, usage_message_count = EXCLUDED.usage_message_count,
                unpriced_message_count = EXCLUDED.unpriced_message_count, next_message_index = EXCLUDED.next_message_index,
                reported_total_tokens = EXCLUDED.reported_total_tokens, reported_total_cost = EXCLUDED.reported_total_cost,
                updated_at = EXCLUDED.updated_at, completed_at = EXCLUDED.completed_at
            """
    }

    private func conversationCountersQuery(_ states: [ConversationState]) -> PGQuery {
        """
            INSERT INTO llm_conversations AS c (tenant_id, id, type, provider, model, status, total_tokens_used, total_cost,
                message_count, usage_message_count, unpriced_message_count, next_message_index, request_hash, created_at, updated_at)
            SELECT * FROM unnest(
                \(states.map(\.tenantId))::uuid[], \(states.map(\.record.id))::uuid[], \(states.map(\.record.type))::text[],
                \(states.map(\.record.provider))::text[], \(states.map(\.record.model))::text[],
                \(states.map(\.record.status.rawValue))::text[], \(states.map(\.record.totalTokensUsed))::int8[],
                \(states.map(\.record.totalCost))::numeric[], \(states.map { Int32($0.record.messageCount) })::int4[],
                \(states.map { Int32($0.usageMessageCount) })::int4[], \(states.map { Int32($0.unpricedMessageCount) })::int4[],
                \(states.map { Int32($0.nextMessageIndex) })::int4[], \(states.map(\.requestHash))::bytea[],
                \(states.map(\.record.createdAt))::timestamptz[], \(states.map(\.record.updatedAt))::timestamptz[])
            ON CONFLICT (tenant_id, id) DO UPDATE SET
                total_tokens_used = EXCLUDED.total_tokens_used, total_cost = EXCLUDED.total_cost,
                message_count = EXCLUDED.message_count, usage_message_count = EXCLUDED.usage_message_count,
                unpriced_message_count = EXCLUDED.unpriced_message_count, next_message_index = EXCLUDED.next_message_index,
                updated_at = EXCLUDED.updated_at
            """
    }

    /// Adds the flush's deltas to the per-user hourly rollups, then to the tenant daily rollups (the same deltas
    /// without the user, by UTC day), in this lane's rows; both in key order, so writers that share rows (two
    /// instances, each with a lane 0) lock them in the same order.
    private func rollupQueries() -> [PGQuery] {
        guard !rollups.isEmpty else { return [] }
        return [upsert(rollups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: "llm_usage_hourly", userColumn: true),
                upsert(dailyRollups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: "llm_usage_daily_tenant", userColumn: false)]
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
