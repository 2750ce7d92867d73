import Foundation
import PGClient

/// Processing-time percentiles per provider and model over a window, merged from the rollups' histograms.
public enum LatencyQuery {
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

    /// The answer of `GET /v1/analytics/latency`.
    public struct Report: Sendable, Equatable, Codable {
        public var from: Date
        public var to: Date
        public var models: [ModelLatency]
    }

    /// Models with timed messages in the window, slowest p95 first. Run inside a transaction on which `scope.apply`
    /// was called.
    public static func report(_ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws -> Report {
        // One read of the timed rows; counts, sums and histograms are added here, not in SQL (see
        // UsageQuery.mergedHistogram) — unless there are more rows than ReportBounds allows: then in SQL, per model.
        let columns = "provider, model, processing_time_count, processing_time_sum, processing_time_histogram"
        var rows = try await connection.query(scope.rollupQuery(
            columns, window: window, condition: "processing_time_count > 0", limit: ReportBounds.maxHistogramRows + 1))
        if ReportBounds.exceeded(rows) {
            rows = try await connection.query(scope.rollupQuery("""
                provider, model, llmlog_clamp_bigint(sum(processing_time_count)), llmlog_clamp_bigint(sum(processing_time_sum)),
                coalesce(llmlog_sum_counts(processing_time_histogram), '{}')
                """, window: window, condition: "processing_time_count > 0",
                tail: "GROUP BY provider, model ORDER BY 3 DESC, provider, model", limit: ReportBounds.maxGroups))
        }
        var totals: [String: (provider: String, model: String, count: Int64, sum: Int64, counts: [Int64])] = [:]
        for row in rows {
            let (provider, model, count, sum, counts) = try row.decode((String, String, Int64, Int64, [Int64]).self)
            let key = provider + "\u{0}" + model
            var total = totals[key] ?? (provider, model, 0, 0, [])
            total.count.addSaturating(count)
            total.sum.addSaturating(sum)
            LatencyHistogram.add(counts, into: &total.counts)
            totals[key] = total
        }
        // The most timed models, as many as ReportBounds.maxGroups.
        let kept = totals.values.sorted { ($0.count, $1.provider, $1.model) > ($1.count, $0.provider, $0.model) }.prefix(ReportBounds.maxGroups)
        var models = kept.map { total in
            ModelLatency(
                provider: total.provider, model: total.model, timedMessages: total.count,
                avgProcessingTime: UsageQuery.mean(total.sum, total.count),
                p50ProcessingTime: LatencyHistogram.percentile(0.50, of: total.counts),
                p95ProcessingTime: LatencyHistogram.percentile(0.95, of: total.counts),
                p99ProcessingTime: LatencyHistogram.percentile(0.99, of: total.counts))
        }
        models.sort { ($0.p95ProcessingTime ?? 0, $1.provider, $1.model) > ($1.p95ProcessingTime ?? 0, $0.provider, $0.model) }
        return Report(from: window.from, to: window.to, models: models)
    }
}
