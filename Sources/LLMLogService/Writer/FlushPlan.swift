import Foundation

/// The write rules of one flush, without I/O: given the operations in arrival order and a snapshot of what the
/// transaction read (the conversations it locked, which of them it created, the stored messages the operations'
/// ids name, the explicit indexes already taken), it decides each operation's outcome and what to write — message
/// rows, changed conversations, rollup deltas. Idempotent replays, message indexes, status changes, pricing,
/// totals and the reported-totals rule live here, and are tested here without a database (FlushPlanTests).
///
/// An operation that fails (a 404, a 409, a limit) changes nothing of the plan: the other operations of the flush
/// are decided as if it had not been sent.
struct FlushPlan {
    /// A conversation (or, for messages, a message) of a tenant; ordered as PostgreSQL orders (tenant_id, id).
    struct ConversationKey: Hashable, Comparable {
        let tenantId: UUID
        let id: UUID

        /// PostgreSQL's order of (tenant_id, id): rows are locked in it.
        static func < (a: ConversationKey, b: ConversationKey) -> Bool {
            a.tenantId == b.tenantId ? a.id.sortsBefore(b.id) : a.tenantId.sortsBefore(b.tenantId)
        }
    }

    /// A message index of a conversation.
    struct IndexKey: Hashable {
        let conversation: ConversationKey
        let index: Int
    }

    /// What the flush read before deciding.
    struct Snapshot {
        /// Every conversation the operations touch that exists (locked for the transaction).
        var conversations: [ConversationKey: ConversationState] = [:]
        /// The conversations this transaction inserted (the others existed before).
        var newlyInserted: Set<ConversationKey> = []
        /// Stored messages named by the operations' ids (keyed by tenant and message id).
        var storedMessages: [ConversationKey: (replay: MessageReplay, requestHash: Data)] = [:]
        /// Explicitly requested message indexes that are taken already.
        var takenIndexes: Set<IndexKey> = []
        /// Tenants whose message content is not stored (`storeContent: false`): their messages keep "".
        var contentFreeTenants: Set<UUID> = []
    }

    let prices: PriceBook
    let limits: IngestLimits
    let now: Date
    private var snapshot: Snapshot
    /// Each operation's outcome, in order.
    private(set) var outcomes: [WriteOutcome?]
    /// The messages to insert, in the order they were decided.
    private(set) var messageRows: [StoredMessage] = []
    /// Deltas of the per-user hourly rollup rows and of the tenant daily rows, kept in step by `addToRollups`.
    private(set) var hourlyRollups: [RollupKey: RollupDelta] = [:]
    private(set) var dailyRollups: [RollupKey: RollupDelta] = [:]
    private var batchMessages: [ConversationKey: (record: MessageRecord, requestHash: Data)] = [:]
    /// Which operation's answer is the final state of a conversation (filled after the walk).
    private var conversationAnswers: [(operation: Int, key: ConversationKey, created: Bool)] = []

    /// Decides every operation, in order.
    init(operations: [WriteOperation], snapshot: Snapshot, prices: PriceBook, limits: IngestLimits = IngestLimits(), now: Date) {
        self.prices = prices
        self.limits = limits
        self.now = now
        self.snapshot = snapshot
        self.outcomes = Array(repeating: nil, count: operations.count)
        for (position, operation) in operations.enumerated() { apply(operation, at: position) }
        for answer in conversationAnswers {
            guard let state = self.snapshot.conversations[answer.key] else { continue }
            outcomes[answer.operation] = .success(.conversation(state.record, created: answer.created))
        }
    }

    /// Each operation's outcome, in order.
    var results: [WriteOutcome] { outcomes.map { $0 ?? .failure(.internalError) } }

    /// The conversations to write back, in key order (rows are locked in it).
    var changedConversations: [ConversationState] {
        snapshot.conversations.values.filter(\.dirty).sorted {
            ConversationKey(tenantId: $0.tenantId, id: $0.record.id) < ConversationKey(tenantId: $1.tenantId, id: $1.record.id)
        }
    }

    /// The conversations that `operations` create or update: the transaction reads these with their title, error
    /// message and metadata; for the others (touched only by messages) it reads the counters only.
    static func conversationsWithDetails(_ operations: [WriteOperation]) -> Set<ConversationKey> {
        var keys: Set<ConversationKey> = []
        for operation in operations {
            switch operation {
            case .createConversation(let tenantId, let id, _, _, _), .updateConversation(let tenantId, let id, _, _):
                keys.insert(ConversationKey(tenantId: tenantId, id: id))
            case .createMessage: break
            }
        }
        return keys
    }

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
        guard let state = snapshot.conversations[key] else {
            outcomes[position] = .failure(.internalError)
            return
        }
        if snapshot.newlyInserted.remove(key) != nil {
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
            outcomes[position] = .failure(
                .conflict(
                    "idempotency_conflict", "a conversation with this id exists with a different body", field: "id"))
        }
    }

    private mutating func applyUpdate(_ key: ConversationKey, _ request: ConversationUpdateRequest, at position: Int) {
        guard var state = snapshot.conversations[key] else {
            outcomes[position] = .failure(.notFound("conversation", field: "conversationId"))
            return
        }
        var delta = RollupDelta()
        if let status = request.status, status != state.record.status {
            if state.record.status.isTerminal {
                outcomes[position] = .failure(
                    .conflict(
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
        snapshot.conversations[key] = state
        conversationAnswers.append((position, key, false))
    }

    private mutating func applyMessage(
        _ key: ConversationKey, id: UUID, _ request: MessageCreateRequest, hash: Data, receivedAt: Date
    ) -> WriteOutcome {
        let messageKey = ConversationKey(tenantId: key.tenantId, id: id)
        let differentBody = APIError.conflict("idempotency_conflict", "a message with this id exists with a different body", field: "id")
        if let stored = snapshot.storedMessages[messageKey] {
            guard stored.requestHash == hash, stored.replay.conversationId == key.id else { return .failure(differentBody) }
            return .success(.replayedMessage(stored.replay))
        }
        if let earlier = batchMessages[messageKey] {
            guard earlier.requestHash == hash, earlier.record.conversationId == key.id else { return .failure(differentBody) }
            return .success(.message(earlier.record, created: false))
        }
        guard var state = snapshot.conversations[key] else { return .failure(.notFound("conversation", field: "conversationId")) }
        // Checked before anything of this flush changes: a message that cannot be counted fails alone.
        let usage = request.usage
        let totalTokens = request.totalTokens ?? (request.carriesUsage ? usage.total : nil)
        let (tokensAfter, tokensOverflow) = state.record.totalTokensUsed.addingReportingOverflow(totalTokens ?? 0)
        guard !tokensOverflow else { return .failure(Self.counterOverflow("totalTokens")) }
        guard state.record.messageCount < Int(Int32.max) else { return .failure(Self.counterOverflow("messageIndex")) }
        let index: Int
        if let requested = request.messageIndex.map(Int.init) {
            let indexKey = IndexKey(conversation: key, index: requested)
            guard snapshot.takenIndexes.insert(indexKey).inserted else {
                return .failure(
                    .conflict("message_index_taken", "this conversation already has a message at index \(requested)", field: "messageIndex"))
            }
            index = requested
            state.nextMessageIndex = max(state.nextMessageIndex, requested + 1)
        } else {
            // Skip indexes that explicit ones of this flush already took.
            while snapshot.takenIndexes.contains(IndexKey(conversation: key, index: state.nextMessageIndex)) { state.nextMessageIndex += 1 }
            guard state.nextMessageIndex < Int(Int32.max) else {
                return .failure(
                    .conflict("message_index_exhausted", "this conversation has no message index left; send messageIndex", field: "messageIndex"))
            }
            index = state.nextMessageIndex
            snapshot.takenIndexes.insert(IndexKey(conversation: key, index: index))
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
            id: id, conversationId: key.id, role: request.role,
            content: snapshot.contentFreeTenants.contains(key.tenantId) ? "" : request.content, provider: state.record.provider,
            model: state.record.model, inputTokens: request.inputTokens, outputTokens: request.outputTokens, totalTokens: totalTokens,
            cachedInputTokens: request.cachedInputTokens, cacheCreationInputTokens: request.cacheCreationInputTokens,
            reasoningTokens: request.reasoningTokens, cost: cost, costSource: costSource, processingTime: request.processingTime,
            messageIndex: index, finishReason: request.finishReason, temperature: request.temperature, maxTokens: request.maxTokens,
            errorMessage: request.errorMessage, metadata: request.metadata ?? .emptyObject, createdAt: createdAt,
            promptName: request.promptName, promptVersion: request.promptVersion)

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
        let rollupKey = RollupKey(
            tenantId: key.tenantId, time: createdAt, provider: state.record.provider,
            model: state.record.model, type: state.record.type, userId: state.record.userId)
        let saved = (hourlyRollups, dailyRollups)
        guard addToRollups(reported, at: state.rollupKey), addToRollups(delta, at: rollupKey) else {
            (hourlyRollups, dailyRollups) = saved
            snapshot.takenIndexes.remove(IndexKey(conversation: key, index: index))
            return .failure(Self.counterOverflow("totalTokens"))
        }
        snapshot.conversations[key] = state
        batchMessages[messageKey] = (record, hash)
        messageRows.append(StoredMessage(tenantId: key.tenantId, record: record, requestHash: hash, userId: state.record.userId))
        return .success(.message(record, created: true))
    }

    /// Adds `delta` to the hourly row `key` and to its tenant daily row; false, changing nothing, when a counter
    /// would pass 2^63 − 1 (the operation then fails alone).
    private mutating func addToRollups(_ delta: RollupDelta, at key: RollupKey) -> Bool {
        guard let hourly = hourlyRollups[key, default: RollupDelta()].adding(delta),
            let daily = dailyRollups[key.dailyTenantKey, default: RollupDelta()].adding(delta)
        else { return false }
        hourlyRollups[key] = hourly
        dailyRollups[key.dailyTenantKey] = daily
        return true
    }

    /// The answer for a write whose counters would pass what PostgreSQL's bigint holds.
    static func counterOverflow(_ field: String) -> APIError {
        .conflict("counter_overflow", "a total this write adds to would pass 9223372036854775807", field: field)
    }
}
