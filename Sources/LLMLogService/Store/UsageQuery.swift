import Analytics
import Foundation
import PGClient

/// Usage summaries read from the rollups (`llm_usage_daily_tenant` for tenants and the system, `llm_usage_hourly` for
/// one user or per-user figures): the cost of a report grows with the number of rollup rows in the window, not with
/// the number of messages. The figures are added up by `UsageReport` (Analytics); this reads them.
enum UsageQuery {
    /// The usage report of `scope` over `window`; `topUsers` adds `byUser` (that many users, by cost), `byTenant`
    /// adds every tenant's figures. Run it inside a transaction scoped by `TenantScope.apply` (`PGPool.read`).
    static func report(
        _ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow, topUsers: Int? = nil, byTenant: Bool = false
    ) async throws -> UsageReport {
        // One round trip for the three groupings and the histograms; each answer is bounded whatever was stored:
        // days by the window, types and models by ReportBounds.maxGroups.
        let limit = ReportBounds.maxGroups
        let results = try await connection.pipeline([
            scope.rollupQuery("\(scope.dayLabel()) AS day, '' AS type, '' AS provider, '' AS model, " + measures, window: window, tail: "GROUP BY 1"),
            scope.rollupQuery(
                "'' AS day, type, '' AS provider, '' AS model, " + measures, window: window,
                tail: "GROUP BY type ORDER BY sum(conversations) DESC, type", limit: limit),
            scope.rollupQuery(
                "'' AS day, '' AS type, provider, model, " + measures, window: window,
                tail: """
                    GROUP BY provider, model
                    HAVING sum(messages) <> 0 OR sum(total_tokens + reported_tokens) <> 0 OR sum(cost + reported_cost) <> 0
                    ORDER BY sum(cost + reported_cost) DESC, sum(messages) DESC, provider, model
                    """, limit: limit),
            scope.rollupQuery(
                "processing_time_histogram", window: window, condition: "processing_time_count > 0",
                limit: ReportBounds.maxHistogramRows + 1),
        ])
        var report = UsageReport(
            window: window, days: try results[0].get().map(group), types: try results[1].get().map(group),
            models: try results[2].get().map(group),
            histogram: try await mergedHistogram(results[3].get(), connection, scope: scope, window: window))
        if let topUsers { report.byUser = try await users(connection, scope: scope, window: window, limit: topUsers) }
        if byTenant { report.byTenant = try await tenants(connection, scope: scope, window: window) }
        try await ScoreAnalyticsQuery.add(to: &report, connection, scope: scope, window: window)
        return report
    }

    /// The columns every grouping of the usage report sums, in the order `group` decodes them.
    static let measures = """
        llmlog_clamp_bigint(sum(conversations)), llmlog_clamp_bigint(sum(active)), llmlog_clamp_bigint(sum(completed)),
        llmlog_clamp_bigint(sum(failed)), llmlog_clamp_bigint(sum(cancelled)), llmlog_clamp_bigint(sum(messages)),
        llmlog_clamp_bigint(sum(input_tokens)), llmlog_clamp_bigint(sum(cached_input_tokens)),
        llmlog_clamp_bigint(sum(cache_creation_input_tokens)), llmlog_clamp_bigint(sum(output_tokens)),
        llmlog_clamp_bigint(sum(reasoning_tokens)), llmlog_clamp_bigint(sum(total_tokens + reported_tokens)),
        sum(cost + reported_cost), llmlog_clamp_bigint(sum(unpriced_messages)), llmlog_clamp_bigint(sum(processing_time_count)),
        llmlog_clamp_bigint(sum(processing_time_sum))
        """

    /// A grouping's row: day, type, provider, model, then `measures` in order.
    static func group(_ row: PGRow) throws -> UsageGroup {
        var column = 0
        func next<T: PGDecodable>(_ type: T.Type = T.self) throws -> T {
            defer { column += 1 }
            return try row.decode(T.self, column: column)
        }
        var group = UsageGroup(day: try next(), type: try next(), provider: try next(), model: try next())
        group.conversations = try next()
        group.active = try next()
        group.completed = try next()
        group.failed = try next()
        group.cancelled = try next()
        group.messages = try next()
        group.inputTokens = try next()
        group.cachedInputTokens = try next()
        group.cacheCreationInputTokens = try next()
        group.outputTokens = try next()
        group.reasoningTokens = try next()
        group.totalTokens = try next()
        group.cost = try next()
        group.unpricedMessages = try next()
        group.processingTimeCount = try next()
        group.processingTimeSum = try next()
        return group
    }

    /// The processing-time histogram of the window: `rows` (each rollup row's histogram, read with a bound) added
    /// here — summing in SQL (unnest, then sort and group some 60 buckets per row) took ~15 ms for 360 rows, this
    /// ~1 ms — or, past the bound, added in SQL in one row.
    static func mergedHistogram(_ rows: PGResult, _ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws -> [Int64]
    {
        var merged: [Int64] = []
        if !ReportBounds.exceeded(rowCount: rows.count) {
            for row in rows { LatencyHistogram.add(try row.decode([Int64].self, column: 0), into: &merged) }
            return merged
        }
        let summed = try await connection.query(
            scope.rollupQuery(
                "coalesce(llmlog_sum_counts(processing_time_histogram), '{}')", window: window, condition: "processing_time_count > 0"))
        return try summed.first?.decode([Int64].self, column: 0) ?? []
    }

    /// The heaviest users by cost (then tokens).
    static func users(_ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow, limit: Int) async throws -> [UserUsage] {
        try await connection.query(
            """
            SELECT NULLIF(user_id, ''), llmlog_clamp_bigint(sum(conversations)), llmlog_clamp_bigint(sum(messages)),
                   llmlog_clamp_bigint(sum(total_tokens + reported_tokens)), sum(cost + reported_cost)
            FROM llm_usage_hourly
            WHERE hour >= \(window.from) AND hour < \(window.to)
              AND (\(scope.tenantId)::uuid IS NULL OR tenant_id = \(scope.tenantId))
              AND (\(scope.userId)::text IS NULL OR user_id = \(scope.userId))
            GROUP BY user_id
            ORDER BY 5 DESC, 4 DESC, 3 DESC, user_id
            LIMIT \(max(0, limit))
            """
        ).map { row in
            let (user, conversations, messages, tokens, cost) = try row.decode((String?, Int64, Int64, Int64, Decimal).self)
            return UserUsage(userId: user, conversations: conversations, messages: messages, totalTokens: tokens, cost: cost)
        }
    }

    /// Every tenant with activity in the window, by cost.
    static func tenants(_ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws -> [TenantUsage] {
        try await connection.query(
            scope.rollupQuery(
                """
                r.tenant_id, t.name, llmlog_clamp_bigint(sum(r.conversations)), llmlog_clamp_bigint(sum(r.messages)),
                llmlog_clamp_bigint(sum(r.total_tokens + r.reported_tokens)), sum(r.cost + r.reported_cost)
                """, window: window, alias: "r", join: "JOIN tenants t ON t.id = r.tenant_id",
                tail: "GROUP BY r.tenant_id, t.name ORDER BY 6 DESC, 5 DESC, t.name")
        ).map { row in
            let (id, name, conversations, messages, tokens, cost) = try row.decode((UUID, String, Int64, Int64, Int64, Decimal).self)
            return TenantUsage(tenantId: id, tenantName: name, conversations: conversations, messages: messages, totalTokens: tokens, cost: cost)
        }
    }
}
