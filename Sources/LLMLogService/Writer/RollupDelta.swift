import Analytics
import Foundation

/// A row key of `llm_usage_hourly`.
struct RollupKey: Hashable, Comparable {
    let tenantId: UUID
    let hour: Date
    let provider: String
    let model: String
    let type: String
    /// "" for anonymous conversations.
    let userId: String

    init(tenantId: UUID, time: Date, provider: String, model: String, type: String, userId: String?) {
        self.tenantId = tenantId
        self.hour = Date(timeIntervalSince1970: (time.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        self.provider = provider
        self.model = model
        self.type = type
        self.userId = userId ?? ""
    }

    /// The tenant-level row this row adds into (`llm_usage_daily_tenant`): no user, the UTC day's start as its time.
    var dailyTenantKey: RollupKey {
        let day = Date(timeIntervalSince1970: (hour.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        return RollupKey(tenantId: tenantId, time: day, provider: provider, model: model, type: type, userId: "")
    }

    /// Rows are upserted in this order, so concurrent writers lock them in the same order (no deadlocks).
    static func < (a: RollupKey, b: RollupKey) -> Bool {
        if a.tenantId != b.tenantId { return a.tenantId.sortsBefore(b.tenantId) }
        return (a.hour, a.provider, a.model, a.type, a.userId) < (b.hour, b.provider, b.model, b.type, b.userId)
    }
}

/// Counter changes for one rollup row within one flush.
struct RollupDelta {
    var conversations: Int64 = 0
    var active: Int64 = 0
    var completed: Int64 = 0
    var failed: Int64 = 0
    var cancelled: Int64 = 0
    var reportedTokens: Int64 = 0
    var reportedCost: Decimal = 0
    var messages: Int64 = 0
    var usage = TokenUsage()
    var totalTokens: Int64 = 0
    var cost: Decimal = 0
    var unpricedMessages: Int64 = 0
    var processingTimeCount: Int64 = 0
    var processingTimeSum: Int64 = 0
    var histogram: [Int64] = []

    mutating func countStatus(_ status: ConversationStatus, _ change: Int64) {
        switch status {
        case .active: active += change
        case .completed: completed += change
        case .failed: failed += change
        case .cancelled: cancelled += change
        }
    }

    /// This delta plus `other`, or nil when a counter would pass what an Int64 (PostgreSQL's bigint) holds.
    func adding(_ other: RollupDelta) -> RollupDelta? {
        var sum = self
        var fits = true
        func add(_ total: inout Int64, _ value: Int64) {
            let (result, overflow) = total.addingReportingOverflow(value)
            total = result
            fits = fits && !overflow
        }
        add(&sum.conversations, other.conversations)
        add(&sum.active, other.active)
        add(&sum.completed, other.completed)
        add(&sum.failed, other.failed)
        add(&sum.cancelled, other.cancelled)
        add(&sum.reportedTokens, other.reportedTokens)
        add(&sum.messages, other.messages)
        add(&sum.usage.input, other.usage.input)
        add(&sum.usage.cachedInput, other.usage.cachedInput)
        add(&sum.usage.cacheCreationInput, other.usage.cacheCreationInput)
        add(&sum.usage.output, other.usage.output)
        add(&sum.usage.reasoning, other.usage.reasoning)
        add(&sum.totalTokens, other.totalTokens)
        add(&sum.unpricedMessages, other.unpricedMessages)
        add(&sum.processingTimeCount, other.processingTimeCount)
        add(&sum.processingTimeSum, other.processingTimeSum)
        sum.reportedCost += other.reportedCost
        sum.cost += other.cost
        LatencyHistogram.add(other.histogram, into: &sum.histogram)  // counts of messages: bounded by `messages`
        return fits ? sum : nil
    }

    mutating func addProcessingTime(_ milliseconds: Int64) {
        processingTimeCount += 1  // on a fresh delta of one message (see FlushTransaction.applyMessage)
        processingTimeSum += milliseconds
        LatencyHistogram.add(1, toBucket: LatencyHistogram.bucket(milliseconds: milliseconds), of: &histogram)
    }

    /// The histogram as a PostgreSQL array literal ('{0,2,1}'), built from integers only.
    var histogramLiteral: String { "{" + histogram.map(String.init).joined(separator: ",") + "}" }
}
