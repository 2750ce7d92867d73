import Foundation

extension UsageReport {
    /// The report of `window` added up from the store's groupings: `days` (one group per UTC day), `types` and
    /// `models` (already bounded by `ReportBounds.maxGroups`), and the window's merged processing-time `histogram`.
    /// Sums saturate at Int64.max instead of trapping.
    public init(window: AnalyticsWindow, days: [UsageGroup], types: [UsageGroup], models: [UsageGroup], histogram: [Int64]) {
        self.init(
            from: window.from, to: window.to, totals: UsageTotals(), byType: [], byModel: [],
            daily: window.dayStrings.map { DailyUsage(date: $0) })
        var dayIndex: [String: Int] = [:]
        for (index, day) in daily.enumerated() { dayIndex[day.date] = index }
        var timed: (count: Int64, sum: Int64) = (0, 0)
        for group in days {
            totals.add(group)
            if let index = dayIndex[group.day] { daily[index].add(group) }
            timed.count.addSaturating(group.processingTimeCount)
            timed.sum.addSaturating(group.processingTimeSum)
        }
        totals.successRate = Self.successRate(completed: totals.completed, failed: totals.failed)
        totals.avgProcessingTime = Self.mean(timed.sum, timed.count)
        totals.p50ProcessingTime = LatencyHistogram.percentile(0.50, of: histogram)
        totals.p95ProcessingTime = LatencyHistogram.percentile(0.95, of: histogram)
        byType = types.map { group in
            var usage = TypeUsage(type: group.type)
            usage.add(group)
            usage.successRate = Self.successRate(completed: usage.completed, failed: usage.failed)
            usage.avgProcessingTime = Self.mean(group.processingTimeSum, group.processingTimeCount)
            return usage
        }.sorted { ($0.conversations, $1.type) > ($1.conversations, $0.type) }
        byModel = models.map { group in
            var usage = ModelUsage(provider: group.provider, model: group.model)
            usage.add(group)
            return usage
        }.sorted { ($0.cost, $0.messages, $1.provider, $1.model) > ($1.cost, $1.messages, $0.provider, $0.model) }
    }

    /// completed / (completed + failed); nil when both are 0.
    public static func successRate(completed: Int64, failed: Int64) -> Double? {
        let decided = Double(completed) + Double(failed)
        return decided == 0 ? nil : Double(completed) / decided
    }

    /// sum / count; nil when nothing was counted.
    public static func mean(_ sum: Int64, _ count: Int64) -> Double? {
        count == 0 ? nil : Double(sum) / Double(count)
    }
}
