import Foundation

/// Rollup sums of one UTC day, type, provider and model — the unit the usage report is added up from (the store
/// reads them; `UsageReport.init(window:days:types:models:histogram:)` adds them up).
public struct UsageGroup: Sendable {
    public var day: String
    public var type: String
    public var provider: String
    public var model: String
    public var conversations: Int64 = 0
    public var active: Int64 = 0
    public var completed: Int64 = 0
    public var failed: Int64 = 0
    public var cancelled: Int64 = 0
    public var messages: Int64 = 0
    public var inputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var cacheCreationInputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    public var totalTokens: Int64 = 0
    public var cost: Decimal = 0
    public var unpricedMessages: Int64 = 0
    public var processingTimeCount: Int64 = 0
    public var processingTimeSum: Int64 = 0

    /// A group with every figure zero.
    public init(day: String = "", type: String = "", provider: String = "", model: String = "") {
        self.day = day
        self.type = type
        self.provider = provider
        self.model = model
    }
}

extension UsageTotals {
    mutating func add(_ group: UsageGroup) {
        conversations.addSaturating(group.conversations)
        messages.addSaturating(group.messages)
        inputTokens.addSaturating(group.inputTokens)
        outputTokens.addSaturating(group.outputTokens)
        cachedInputTokens.addSaturating(group.cachedInputTokens)
        cacheCreationInputTokens.addSaturating(group.cacheCreationInputTokens)
        reasoningTokens.addSaturating(group.reasoningTokens)
        totalTokens.addSaturating(group.totalTokens)
        cost += group.cost
        active.addSaturating(group.active)
        completed.addSaturating(group.completed)
        failed.addSaturating(group.failed)
        cancelled.addSaturating(group.cancelled)
    }
}

extension TypeUsage {
    mutating func add(_ group: UsageGroup) {
        conversations.addSaturating(group.conversations)
        completed.addSaturating(group.completed)
        failed.addSaturating(group.failed)
        totalTokens.addSaturating(group.totalTokens)
        cost += group.cost
    }
}

extension ModelUsage {
    mutating func add(_ group: UsageGroup) {
        messages.addSaturating(group.messages)
        totalTokens.addSaturating(group.totalTokens)
        cost += group.cost
        unpricedMessages.addSaturating(group.unpricedMessages)
    }
}

extension DailyUsage {
    mutating func add(_ group: UsageGroup) {
        conversations.addSaturating(group.conversations)
        messages.addSaturating(group.messages)
        totalTokens.addSaturating(group.totalTokens)
        cost += group.cost
    }
}
