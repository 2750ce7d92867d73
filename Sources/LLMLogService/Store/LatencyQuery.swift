import Analytics
import Foundation
import PGClient

/// Processing-time percentiles per provider and model over a window, read from the rollups' histograms and added up
/// by `LatencyReport` (Analytics).
enum LatencyQuery {
    /// Models with timed messages in the window, slowest p95 first. Run inside a transaction scoped by
    /// `TenantScope.apply` (`PGPool.read`).
    static func report(_ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws -> LatencyReport {
        // One read of the timed rows; counts, sums and histograms are added in Swift, not in SQL (see
        // UsageQuery.mergedHistogram) — unless there are more rows than ReportBounds allows: then in SQL, per model.
        let columns = "provider, model, processing_time_count, processing_time_sum, processing_time_histogram"
        var rows = try await connection.query(
            scope.rollupQuery(
                columns, window: window, condition: "processing_time_count > 0", limit: ReportBounds.maxHistogramRows + 1))
        if ReportBounds.exceeded(rowCount: rows.count) {
            rows = try await connection.query(
                scope.rollupQuery(
                    """
                    provider, model, llmlog_clamp_bigint(sum(processing_time_count)), llmlog_clamp_bigint(sum(processing_time_sum)),
                    coalesce(llmlog_sum_counts(processing_time_histogram), '{}')
                    """, window: window, condition: "processing_time_count > 0",
                    tail: "GROUP BY provider, model ORDER BY 3 DESC, provider, model", limit: ReportBounds.maxGroups))
        }
        return LatencyReport(
            window: window,
            rows: try rows.map { row in
                let (provider, model, count, sum, histogram) = try row.decode((String, String, Int64, Int64, [Int64]).self)
                return LatencyReport.Row(provider: provider, model: model, count: count, sum: sum, histogram: histogram)
            })
    }
}
