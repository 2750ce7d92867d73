import Foundation
import PGClient

/// Rollup sums of one UTC day, type, provider and model — the unit the usage report is added up from.
struct UsageGroup {
    var day: String
    var type: String
    var provider: String
    var model: String
    var conversations: Int64
    var active: Int64
    var completed: Int64
    var failed: Int64
    var cancelled: Int64
    var messages: Int64
    var inputTokens: Int64
    var cachedInputTokens: Int64
    var cacheCreationInputTokens: Int64
    var outputTokens: Int64
    var reasoningTokens: Int64
    var totalTokens: Int64
    var cost: Decimal
    var unpricedMessages: Int64
    var processingTimeCount: Int64
    var processingTimeSum: Int64

    /// Decodes the columns of `UsageQuery.groupedRows` in order.
    init(row: PGRow) throws {
        var column = 0
        func next<T: PGDecodable>(_ type: T.Type = T.self) throws -> T {
            defer { column += 1 }
            return try row.decode(T.self, column: column)
        }
        day = try next(); type = try next(); provider = try next(); model = try next()
        conversations = try next(); active = try next(); completed = try next(); failed = try next(); cancelled = try next()
        messages = try next(); inputTokens = try next(); cachedInputTokens = try next(); cacheCreationInputTokens = try next()
        outputTokens = try next(); reasoningTokens = try next(); totalTokens = try next(); cost = try next()
        unpricedMessages = try next(); processingTimeCount = try next(); processingTimeSum = try next()
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
