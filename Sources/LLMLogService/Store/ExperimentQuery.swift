import Analytics
import Foundation
import PGClient

/// `GET /v1/analytics/experiments/{experiment}`: one experiment's variants compared, computed directly over the
/// conversations of the experiment created in the window (`llm_conversations_tenant_time`), their messages and their
/// scores — not from rollups, so its cost grows with the experiment's conversations in the window. Run it inside a
/// transaction scoped by `TenantScope.apply` (`ReadPools.read`); `scope` names the tenant (and user) as well.
enum ExperimentQuery {
    /// Most variants one report reads.
    static let maxVariants = 1000

    /// The comparison of `experiment`'s variants over the conversations `scope` sees created in `window`.
    static func report(
        _ connection: PGConnection, scope: AnalyticsScope, experiment: String, window: AnalyticsWindow
    ) async throws
        -> ExperimentReport
    {
        let tenantId = scope.tenantId
        let userId = scope.userId
        let figures = try await connection.query(
            """
            WITH e AS (
                SELECT c.variant, c.status,
                       CASE WHEN c.usage_message_count = 0 THEN coalesce(c.reported_total_cost, 0) ELSE c.total_cost END AS cost
                FROM llm_conversations c
                WHERE (\(tenantId)::uuid IS NULL OR c.tenant_id = \(tenantId)) AND c.experiment = \(experiment)
                  AND c.created_at >= \(window.from) AND c.created_at < \(window.to)
                  AND (\(userId)::text IS NULL OR c.user_id = \(userId))
            )
            SELECT variant, count(*)::int8, sum(cost) / count(*),
                   count(*) FILTER (WHERE status = 'COMPLETED')::int8, count(*) FILTER (WHERE status = 'FAILED')::int8
            FROM e GROUP BY variant ORDER BY variant NULLS FIRST LIMIT \(maxVariants)
            """)
        let times = try await connection.query(
            """
            SELECT c.variant, percentile_cont(0.5) WITHIN GROUP (ORDER BY m.processing_time)
            FROM llm_conversations c
            JOIN llm_messages m ON m.tenant_id = c.tenant_id AND m.conversation_id = c.id
            WHERE (\(tenantId)::uuid IS NULL OR c.tenant_id = \(tenantId)) AND c.experiment = \(experiment)
              AND c.created_at >= \(window.from) AND c.created_at < \(window.to)
              AND (\(userId)::text IS NULL OR c.user_id = \(userId))
              AND m.processing_time IS NOT NULL
            GROUP BY c.variant LIMIT \(maxVariants)
            """)
        let scores = try await connection.query(
            """
            SELECT c.variant, s.name, count(*)::int8, avg(s.numeric_value)
            FROM llm_conversations c
            JOIN llm_scores s ON s.tenant_id = c.tenant_id AND s.conversation_id = c.id
            WHERE (\(tenantId)::uuid IS NULL OR c.tenant_id = \(tenantId)) AND c.experiment = \(experiment)
              AND c.created_at >= \(window.from) AND c.created_at < \(window.to)
              AND (\(userId)::text IS NULL OR c.user_id = \(userId))
            GROUP BY c.variant, s.name LIMIT \(ReportBounds.maxScoreGroups)
            """)
        var p50: [String?: Double] = [:]
        for row in times {
            let (variant, median) = try row.decode((String?, Double?).self)
            p50[variant] = median
        }
        var byVariant: [String?: [String: VariantScore]] = [:]
        for row in scores {
            let (variant, name, count, mean) = try row.decode((String?, String, Int64, Double?).self)
            byVariant[variant, default: [:]][name] = VariantScore(count: count, mean: mean)
        }
        let variants = try figures.map { row in
            let (variant, conversations, cost, completed, failed) = try row.decode((String?, Int64, Decimal, Int64, Int64).self)
            let decided = completed + failed
            return VariantFigures(
                variant: variant, conversations: conversations, costPerConversation: cost,
                successRate: decided == 0 ? nil : Double(completed) / Double(decided), p50ProcessingTime: p50[variant],
                scores: byVariant[variant] ?? [:])
        }
        return ExperimentReport(experiment: experiment, days: window.days, from: window.from, to: window.to, variants: variants)
    }
}
