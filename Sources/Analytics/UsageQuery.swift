import Foundation
import PGClient

/// Usage summaries read from the hourly rollups (`llm_usage_daily_tenant` for tenants and the system, `llm_usage_hourly` for one user or per-user figures): the cost of a report grows with the number of
/// rollup rows in the window, not with the number of messages.
public enum UsageQuery {
    /// The usage report of `scope` over `window`; `topUsers` adds `byUser` (that many users, by cost), `byTenant`
    /// adds every tenant's figures. Run it inside a transaction on which `scope.apply` was called.
    public static func report(
        _ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow, topUsers: Int? = nil, byTenant: Bool = false
    ) async throws -> UsageReport {
        // One round trip for the three groupings and the histograms; each answer is bounded whatever was stored:
        // days by the window, types and models by ReportBounds.maxGroups.
        let limit = ReportBounds.maxGroups
        let results = try await connection.pipeline([
            scope.rollupQuery("\(scope.dayLabel()) AS day, '' AS type, '' AS provider, '' AS model, " + measures, window: window, tail: "GROUP BY 1"),
            scope.rollupQuery("'' AS day, type, '' AS provider, '' AS model, " + measures, window: window,
                              tail: "GROUP BY type ORDER BY sum(conversations) DESC, type", limit: limit),
            scope.rollupQuery("'' AS day, '' AS type, provider, model, " + measures, window: window, tail: """
                GROUP BY provider, model
                HAVING sum(messages) <> 0 OR sum(total_tokens + reported_tokens) <> 0 OR sum(cost + reported_cost) <> 0
                ORDER BY sum(cost + reported_cost) DESC, sum(messages) DESC, provider, model
                """, limit: limit),
            scope.rollupQuery("processing_time_histogram", window: window, condition: "processing_time_count > 0",
                              limit: ReportBounds.maxHistogramRows + 1),
        ])
        let days = try results[0].get().map(UsageGroup.init(row:))
        let types = try results[1].get().map(UsageGroup.init(row:))
        let models = try results[2].get().map(UsageGroup.init(row:))
        var report = UsageReport(from: window.from, to: window.to, totals: UsageTotals(), byType: [], byModel: [],
                                 daily: window.dayStrings.map { DailyUsage(date: $0) })
        var dayIndex: [String: Int] = [:]
        for (index, day) in report.daily.enumerated() { dayIndex[day.date] = index }
        var timed: (count: Int64, sum: Int64) = (0, 0)
        for group in days {
            report.totals.add(group)
            if let index = dayIndex[group.day] { report.daily[index].add(group) }
            timed.count.addSaturating(group.processingTimeCount)
            timed.sum.addSaturating(group.processingTimeSum)
        }
        report.totals.successRate = successRate(completed: report.totals.completed, failed: report.totals.failed)
        report.totals.avgProcessingTime = mean(timed.sum, timed.count)
        let histogram = try await mergedHistogram(results[3].get(), connection, scope: scope, window: window)
        report.totals.p50ProcessingTime = LatencyHistogram.percentile(0.5, of: histogram)
        report.totals.p95ProcessingTime = LatencyHistogram.percentile(0.95, of: histogram)
        report.byType = types.map { group in
            var usage = TypeUsage(type: group.type)
            usage.add(group)
            usage.successRate = successRate(completed: usage.completed, failed: usage.failed)
            usage.avgProcessingTime = mean(group.processingTimeSum, group.processingTimeCount)
            return usage
        }.sorted { ($0.conversations, $1.type) > ($1.conversations, $0.type) }
        report.byModel = models.map { group in
            var usage = ModelUsage(provider: group.provider, model: group.model)
            usage.add(group)
            return usage
        }.sorted { ($0.cost, $0.messages, $1.provider, $1.model) > ($1.cost, $1.messages, $0.provider, $0.model) }
        if let topUsers { report.byUser = try await users(connection, scope: scope, window: window, limit: topUsers) }
        if byTenant { report.byTenant = try await tenants(connection, scope: scope, window: window) }
        return report
    }

    /// The columns every grouping of the usage report sums (see `UsageGroup`).
    static let measures = """
        llmlog_clamp_bigint(sum(conversations)), llmlog_clamp_bigint(sum(active)), llmlog_clamp_bigint(sum(completed)),
        llmlog_clamp_bigint(sum(failed)), llmlog_clamp_bigint(sum(cancelled)), llmlog_clamp_bigint(sum(messages)),
        llmlog_clamp_bigint(sum(input_tokens)), llmlog_clamp_bigint(sum(cached_input_tokens)),
        llmlog_clamp_bigint(sum(cache_creation_input_tokens)), llmlog_clamp_bigint(sum(output_tokens)),
        llmlog_clamp_bigint(sum(reasoning_tokens)), llmlog_clamp_bigint(sum(total_tokens + reported_tokens)),
        sum(cost + reported_cost), llmlog_clamp_bigint(sum(unpriced_messages)), llmlog_clamp_bigint(sum(processing_time_count)),
        llmlog_clamp_bigint(sum(processing_time_sum))
        """

    /// The processing-time histogram of the window: `rows` (each rollup row's histogram, read with a bound) added
    /// here — summing in SQL (unnest, then sort and group some 60 buckets per row) took ~15 ms for 360 rows, this
    /// ~1 ms — or, past the bound, added in SQL in one row.
    static func mergedHistogram(_ rows: PGResult, _ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws -> [Int64] {
        var merged: [Int64] = []
        if !ReportBounds.exceeded(rows) {
            for row in rows { LatencyHistogram.add(try row.decode([Int64].self, column: 0), into: &merged) }
            return merged
        }
        let summed = try await connection.query(scope.rollupQuery(
            "coalesce(llmlog_sum_counts(processing_time_histogram), '{}')", window: window, condition: "processing_time_count > 0"))
        return try summed.first?.decode([Int64].self, column: 0) ?? []
    }

    static func successRate(completed: Int64, failed: Int64) -> Double? {
        completed + failed == 0 ? nil : Double(completed) / Double(completed + failed)
    }

    static func mean(_ sum: Int64, _ count: Int64) -> Double? {
        count == 0 ? nil : Double(sum) / Double(count)
    }

    /// The heaviest users by cost (then tokens).
    static func users(_ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow, limit: Int) async throws -> [UserUsage] {
        try await connection.query("""
            SELECT NULLIF(user_id, ''), llmlog_clamp_bigint(sum(conversations)), llmlog_clamp_bigint(sum(messages)),
                   llmlog_clamp_bigint(sum(total_tokens + reported_tokens)), sum(cost + reported_cost)
            FROM llm_usage_hourly
            WHERE hour >= \(window.from) AND hour < \(window.to)
              AND (\(scope.tenantId)::uuid IS NULL OR tenant_id = \(scope.tenantId))
              AND (\(scope.userId)::text IS NULL OR user_id = \(scope.userId))
            GROUP BY user_id
            ORDER BY 5 DESC, 4 DESC, 3 DESC, user_id
            LIMIT \(max(0, limit))
            """).map { row in
            let (user, conversations, messages, tokens, cost) = try row.decode((String?, Int64, Int64, Int64, Decimal).self)
            return UserUsage(userId: user, conversations: conversations, messages: messages, totalTokens: tokens, cost: cost)
        }
    }

    /// Every tenant with activity in the window, by cost.
    static func tenants(_ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws -> [TenantUsage] {
        try await connection.query(scope.rollupQuery("""
            r.tenant_id, t.name, llmlog_clamp_bigint(sum(r.conversations)), llmlog_clamp_bigint(sum(r.messages)),
            llmlog_clamp_bigint(sum(r.total_tokens + r.reported_tokens)), sum(r.cost + r.reported_cost)
            """, window: window, alias: "r", join: "JOIN tenants t ON t.id = r.tenant_id",
            tail: "GROUP BY r.tenant_id, t.name ORDER BY 6 DESC, 5 DESC, t.name")).map { row in
            let (id, name, conversations, messages, tokens, cost) = try row.decode((UUID, String, Int64, Int64, Int64, Decimal).self)
            return TenantUsage(tenantId: id, tenantName: name, conversations: conversations, messages: messages, totalTokens: tokens, cost: cost)
        }
    }
}
