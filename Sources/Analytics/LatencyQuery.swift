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
        let bound = scope.timeBound()
        // The rows' histograms are added here, not in SQL (see UsageQuery.typeHistograms).
        let rows = try await connection.query("""
            SELECT provider, model, processing_time_histogram
            FROM \(unsafeSQL: scope.rollupTable)
            WHERE \(unsafeSQL: bound.column) >= \(unsafeSQL: bound.open)\(window.fromDay)\(unsafeSQL: bound.close)
              AND \(unsafeSQL: bound.column) < \(unsafeSQL: bound.open)\(window.toDay)\(unsafeSQL: bound.close)
              AND processing_time_count > 0
              AND (\(scope.tenantId)::uuid IS NULL OR tenant_id = \(scope.tenantId))
              AND (\(scope.userId)::text IS NULL OR \(unsafeSQL: scope.userColumn()) = \(scope.userId))
            """)
        var histograms: [String: [Int64]] = [:]
        for row in rows {
            let (provider, model, counts) = try row.decode((String, String, [Int64]).self)
            LatencyHistogram.add(counts, into: &histograms[provider + "\u{0}" + model, default: []])
        }
        let sums = try await connection.query("""
            SELECT provider, model, sum(processing_time_count)::bigint, sum(processing_time_sum)::bigint
            FROM \(unsafeSQL: scope.rollupTable)
            WHERE \(unsafeSQL: bound.column) >= \(unsafeSQL: bound.open)\(window.fromDay)\(unsafeSQL: bound.close)
              AND \(unsafeSQL: bound.column) < \(unsafeSQL: bound.open)\(window.toDay)\(unsafeSQL: bound.close)
              AND processing_time_count > 0
              AND (\(scope.tenantId)::uuid IS NULL OR tenant_id = \(scope.tenantId))
              AND (\(scope.userId)::text IS NULL OR \(unsafeSQL: scope.userColumn()) = \(scope.userId))
            GROUP BY 1, 2
            """)
        var models: [ModelLatency] = []
        for row in sums {
            let (provider, model, count, sum) = try row.decode((String, String, Int64, Int64).self)
            let counts = histograms[provider + "\u{0}" + model] ?? []
            models.append(ModelLatency(
                provider: provider, model: model, timedMessages: count, avgProcessingTime: UsageQuery.mean(sum, count),
                p50ProcessingTime: LatencyHistogram.percentile(0.50, of: counts), p95ProcessingTime: LatencyHistogram.percentile(0.95, of: counts),
                p99ProcessingTime: LatencyHistogram.percentile(0.99, of: counts)))
        }
        models.sort { ($0.p95ProcessingTime ?? 0, $1.provider, $1.model) > ($1.p95ProcessingTime ?? 0, $0.provider, $0.model) }
        return Report(from: window.from, to: window.to, models: models)
    }
}
