import Foundation

/// One model's processing times (ms) over the messages that carried one.
public struct ModelLatency: Sendable, Equatable, Codable {
    public var provider: String
    public var model: String
    public var timedMessages: Int64
    @ExplicitNull public var avgProcessingTime: Double?
    @ExplicitNull public var p50ProcessingTime: Double?
    @ExplicitNull public var p95ProcessingTime: Double?
    @ExplicitNull public var p99ProcessingTime: Double?
}

/// The answer of `GET /v1/analytics/latency`: processing-time percentiles per provider and model over a window,
/// merged from the rollups' histograms.
public struct LatencyReport: Sendable, Equatable, Codable {
    public var from: Date
    public var to: Date
    public var models: [ModelLatency]

    /// One rollup row's (or one model's pre-summed) timing figures, as the store reads them.
    public struct Row: Sendable {
        public var provider: String
        public var model: String
        public var count: Int64
        public var sum: Int64
        public var histogram: [Int64]

        public init(provider: String, model: String, count: Int64, sum: Int64, histogram: [Int64]) {
            self.provider = provider
            self.model = model
            self.count = count
            self.sum = sum
            self.histogram = histogram
        }
    }

    /// The report of `window` from its timed rows: counts, sums and histograms added per model (saturating), the
    /// `ReportBounds.maxGroups` most timed models kept, slowest p95 first.
    public init(window: AnalyticsWindow, rows: [Row]) {
        var totals: [String: Row] = [:]
        for row in rows {
            let key = row.provider + "\u{0}" + row.model
            var total = totals[key] ?? Row(provider: row.provider, model: row.model, count: 0, sum: 0, histogram: [])
            total.count.addSaturating(row.count)
            total.sum.addSaturating(row.sum)
            LatencyHistogram.add(row.histogram, into: &total.histogram)
            totals[key] = total
        }
        let kept = totals.values.sorted { ($0.count, $1.provider, $1.model) > ($1.count, $0.provider, $0.model) }
            .prefix(ReportBounds.maxGroups)
        models = kept.map { total in
            ModelLatency(
                provider: total.provider, model: total.model, timedMessages: total.count,
                avgProcessingTime: UsageReport.mean(total.sum, total.count),
                p50ProcessingTime: LatencyHistogram.percentile(0.50, of: total.histogram),
                p95ProcessingTime: LatencyHistogram.percentile(0.95, of: total.histogram),
                p99ProcessingTime: LatencyHistogram.percentile(0.99, of: total.histogram))
        }
        models.sort { ($0.p95ProcessingTime ?? 0, $1.provider, $1.model) > ($1.p95ProcessingTime ?? 0, $0.provider, $0.model) }
        from = window.from
        to = window.to
    }
}
