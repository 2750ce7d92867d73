import Foundation
import Testing

@testable import LLMLogService

/// The write rules on the plan alone: no database, a snapshot made by hand, every rule's outcome and what it leaves
/// to write. (The same rules against PostgreSQL: IdempotencyTests, CostAndRollupTests, HostileTenantTests.)
@Suite struct FlushPlanTests {
    typealias Key = FlushPlan.ConversationKey
    let tenant = UUID()
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    func conversation(
        _ id: UUID = UUID(), model: String = "gpt-4o", status: ConversationStatus = .active, total: Int64 = 0,
        metadata: JSONValue = .emptyObject, hash: Data = Data([1])
    ) -> ConversationState {
        let record = ConversationRecord(
            id: id, userId: "u", type: "CHAT", title: nil, documentId: nil, provider: "openai", model: model, status: status,
            totalTokensUsed: total, totalCost: 0, messageCount: 0, reportedTotalTokens: nil, reportedTotalCost: nil,
            errorMessage: nil, metadata: metadata, createdAt: now.addingTimeInterval(-3600), updatedAt: now.addingTimeInterval(-3600),
            completedAt: nil)
        return ConversationState(tenantId: tenant, record: record, requestHash: hash)
    }

    func snapshot(_ states: ConversationState...) -> FlushPlan.Snapshot {
        var snapshot = FlushPlan.Snapshot()
        for state in states { snapshot.conversations[Key(tenantId: tenant, id: state.record.id)] = state }
        return snapshot
    }

    func message(_ conversation: UUID, _ json: String, id: UUID = UUID(), hash: Data? = nil) throws -> WriteOperation {
        .createMessage(
            tenantId: tenant, conversationId: conversation, id: id,
            request: try APIJSON.decoder().decode(MessageCreateRequest.self, from: Data(json.utf8)),
            requestHash: hash ?? Data(id.uuidString.utf8), receivedAt: now)
    }

    func update(_ conversation: UUID, _ json: String) throws -> WriteOperation {
        .updateConversation(
            tenantId: tenant, id: conversation,
            request: try APIJSON.decoder().decode(ConversationUpdateRequest.self, from: Data(json.utf8)), receivedAt: now)
    }

    func create(_ conversation: UUID, hash: Data) throws -> WriteOperation {
        let request = try APIJSON.decoder().decode(
            ConversationCreateRequest.self, from: Data(#"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#.utf8))
        return .createConversation(tenantId: tenant, id: conversation, request: request, requestHash: hash, receivedAt: now)
    }

    func plan(
        _ operations: [WriteOperation], _ snapshot: FlushPlan.Snapshot, prices: PriceBook = PriceBook(),
        limits: IngestLimits = IngestLimits()
    ) -> FlushPlan {
        FlushPlan(operations: operations, snapshot: snapshot, prices: prices, limits: limits, now: now)
    }

    func error(_ outcome: WriteOutcome) -> APIError? {
        if case .failure(let error) = outcome { return error }
        return nil
    }

    func created(_ outcome: WriteOutcome) -> MessageRecord? {
        if case .success(.message(let record, created: true)) = outcome { return record }
        return nil
    }

    var dailyTotal: (FlushPlan) -> RollupDelta {
        { plan in plan.dailyRollups.values.reduce(RollupDelta()) { $0.adding($1)! } }
    }

    @Test func createsCountOnceAndRetriesAnswerWhatIsStored() throws {
        let new = conversation(), existing = conversation(hash: Data([7]))
        var snapshot = snapshot(new, existing)
        snapshot.newlyInserted = [Key(tenantId: tenant, id: new.record.id)]
        let plan = plan(
            [
                try create(new.record.id, hash: Data([1])), try create(existing.record.id, hash: Data([7])),
                try create(existing.record.id, hash: Data([8])),
            ], snapshot)
        guard case .success(.conversation(let first, created: true)) = plan.results[0],
            case .success(.conversation(let replay, created: false)) = plan.results[1]
        else {
            Issue.record("\(plan.results)")
            return
        }
        #expect(first.id == new.record.id && replay.id == existing.record.id)
        #expect(error(plan.results[2])?.code == "idempotency_conflict")
        #expect(dailyTotal(plan).conversations == 1 && dailyTotal(plan).active == 1)
        #expect(plan.changedConversations.isEmpty && plan.messageRows.isEmpty)
    }

    @Test func statusesMoveOnceToATerminalState() throws {
        let state = conversation()
        let id = state.record.id
        let plan = plan(
            [
                try update(id, #"{"status": "COMPLETED"}"#), try update(id, #"{"status": "ACTIVE"}"#),
                try update(id, #"{"title": "later"}"#),
            ], snapshot(state))
        #expect(error(plan.results[1])?.code == "invalid_transition")
        guard case .success(.conversation(let final, _)) = plan.results[2] else {
            Issue.record("\(plan.results[2])")
            return
        }
        #expect(final.status == .completed && final.completedAt == now && final.title == "later")
        #expect(dailyTotal(plan).active == -1 && dailyTotal(plan).completed == 1)
        #expect(plan.changedConversations.map(\.record.id) == [id])
    }

    @Test func mergedMetadataPastTheLimitFailsThatUpdateOnly() throws {
        var limits = IngestLimits()
        limits.maxMetadataBytes = 100
        let state = conversation()
        let value = String(repeating: "v", count: 60)
        let plan = plan(
            [
                try update(state.record.id, #"{"metadata": {"a": "\#(value)"}}"#),
                try update(state.record.id, #"{"metadata": {"b": "\#(value)"}}"#),
                try update(state.record.id, #"{"metadata": {"a": "short"}}"#),
            ], snapshot(state), limits: limits)
        #expect(error(plan.results[1])?.status == .contentTooLarge && error(plan.results[1])?.field == "metadata")
        #expect(plan.changedConversations.first?.record.metadata == .object(["a": .string("short")]))
    }

    @Test func reportedTotalsCountOnlyUntilUsageArrives() throws {
        let state = conversation()
        let plan = plan(
            [
                try update(state.record.id, #"{"totalTokensUsed": 500, "totalCost": 0.5}"#),
                try message(state.record.id, #"{"role": "ASSISTANT", "content": "x", "outputTokens": 10}"#),
            ], snapshot(state))
        #expect(plan.results.allSatisfy { error($0) == nil })
        let total = dailyTotal(plan)
        #expect(total.reportedTokens == 0 && total.reportedCost == 0 && total.totalTokens == 10 && total.messages == 1)
        let changed = try #require(plan.changedConversations.first)
        #expect(changed.record.reportedTotalTokens == 500 && changed.record.totalTokensUsed == 10 && changed.usageMessageCount == 1)
    }

    @Test func indexesAreAssignedInOrderAroundTakenOnes() throws {
        let state = conversation()
        let id = state.record.id
        var snapshot = snapshot(state)
        snapshot.takenIndexes = [FlushPlan.IndexKey(conversation: Key(tenantId: tenant, id: id), index: 5)]
        let plan = plan(
            [
                try message(id, #"{"role": "USER", "content": "a", "messageIndex": 2}"#),
                try message(id, #"{"role": "USER", "content": "b"}"#), try message(id, #"{"role": "USER", "content": "c"}"#),
                try message(id, #"{"role": "USER", "content": "d"}"#),
                try message(id, #"{"role": "USER", "content": "e", "messageIndex": 2}"#),
                try message(id, #"{"role": "USER", "content": "f", "messageIndex": 5}"#),
            ], snapshot)
        #expect(plan.results.prefix(4).compactMap { created($0)?.messageIndex } == [2, 3, 4, 6])
        #expect(error(plan.results[4])?.code == "message_index_taken" && error(plan.results[5])?.code == "message_index_taken")
        #expect(plan.changedConversations.first?.nextMessageIndex == 7 && plan.messageRows.count == 4)
    }

    @Test func costsAreComputedProvidedOrMissing() throws {
        let price = ModelPrice(
            tenantId: nil, provider: "openai", modelPattern: "gpt-4o", input: 2.5, cachedInput: 1.25,
            cacheCreation: nil, output: 10, reasoning: nil, effectiveFrom: now.addingTimeInterval(-86_400))
        let priced = conversation(), unknown = conversation(model: "made-up")
        let plan = plan(
            [
                try message(
                    priced.record.id, #"{"role": "ASSISTANT", "content": "x", "inputTokens": 1000, "cachedInputTokens": 2000, "outputTokens": 300}"#),
                try message(priced.record.id, #"{"role": "ASSISTANT", "content": "y", "inputTokens": 1000, "cost": 0.01}"#),
                try message(unknown.record.id, #"{"role": "ASSISTANT", "content": "z", "inputTokens": 1000}"#),
            ], snapshot(priced, unknown), prices: PriceBook([price]))
        let records = plan.results.compactMap(created)
        #expect(records.map(\.costSource) == [.computed, .provided, .unpriced])
        // (1000 × 2.5 + 2000 × 1.25 + 300 × 10) / 1,000,000, exactly.
        #expect(records[0].cost == Decimal(string: "0.008") && records[1].cost == Decimal(string: "0.01") && records[2].cost == nil)
        #expect(dailyTotal(plan).unpricedMessages == 1 && dailyTotal(plan).cost == Decimal(string: "0.018"))
    }

    @Test func retriesAreAnsweredFromWhatIsStoredOrDecidedBefore() throws {
        let state = conversation(), other = conversation()
        let storedID = UUID()
        var snapshot = snapshot(state, other)
        snapshot.storedMessages[Key(tenantId: tenant, id: storedID)] =
            (MessageReplay(id: storedID, conversationId: state.record.id, role: .user, messageIndex: 0), Data([9]))
        let newID = UUID()
        let plan = plan(
            [
                try message(state.record.id, #"{"role": "USER", "content": "x"}"#, id: storedID, hash: Data([9])),
                try message(state.record.id, #"{"role": "USER", "content": "changed"}"#, id: storedID, hash: Data([10])),
                try message(other.record.id, #"{"role": "USER", "content": "x"}"#, id: storedID, hash: Data([9])),
                try message(state.record.id, #"{"role": "USER", "content": "new"}"#, id: newID, hash: Data([11])),
                try message(state.record.id, #"{"role": "USER", "content": "new"}"#, id: newID, hash: Data([11])),
            ], snapshot)
        guard case .success(.replayedMessage(let replay)) = plan.results[0] else {
            Issue.record("\(plan.results[0])")
            return
        }
        #expect(replay.id == storedID && replay.messageIndex == 0)
        #expect(error(plan.results[1])?.code == "idempotency_conflict" && error(plan.results[2])?.code == "idempotency_conflict")
        guard case .success(.message(let again, created: false)) = plan.results[4] else {
            Issue.record("\(plan.results[4])")
            return
        }
        #expect(again.id == newID && created(plan.results[3])?.id == newID)
        #expect(plan.messageRows.map(\.record.id) == [newID])
    }

    @Test func aWriteThatWouldOverflowFailsAloneAndChangesNothing() throws {
        let state = conversation(total: Int64.max - 5)
        let missing = UUID()
        let plan = plan(
            [
                try message(state.record.id, #"{"role": "USER", "content": "a", "inputTokens": 10}"#),
                try message(state.record.id, #"{"role": "USER", "content": "b", "inputTokens": 5}"#),
                try message(missing, #"{"role": "USER", "content": "c"}"#),
            ], snapshot(state))
        #expect(error(plan.results[0])?.code == "counter_overflow" && error(plan.results[0])?.field == "totalTokens")
        #expect(created(plan.results[1])?.messageIndex == 0)  // the failed write left no index taken
        #expect(error(plan.results[2])?.status == .notFound)
        #expect(plan.changedConversations.first?.record.totalTokensUsed == Int64.max)
        #expect(dailyTotal(plan).messages == 1 && dailyTotal(plan).usage.input == 5)
    }

    @Test func rollupDeltasRefuseToOverflow() {
        var full = RollupDelta()
        full.totalTokens = Int64.max
        var one = RollupDelta()
        one.totalTokens = 1
        #expect(full.adding(one) == nil)
        #expect(one.adding(one)?.totalTokens == 2)
    }
}
