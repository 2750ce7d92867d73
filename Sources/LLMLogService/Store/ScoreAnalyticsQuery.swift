import Analytics
import Foundation
import PGClient

/// Feedback scores in the usage report: the scores given in the window (by their `createdAt`) over what the scope
/// sees, grouped by name and category, over every model and per the scored conversation's provider and model. Read
/// directly from `llm_scores` (indexed by tenant and time), not from rollups.
enum ScoreAnalyticsQuery {
    /// The grouped rows of `scope` in `window`: for each level (every model; one provider and model), one row per
    /// name with the numeric scores' count and sum, and one per name and category with its count.
    static func rows(_ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws -> [ScoreGroupRow] {
        try await connection.query(
            """
            SELECT GROUPING(c.provider) = 0, c.provider, c.model, s.name, s.category, count(*)::int8, sum(s.numeric_value)
            FROM llm_scores s
            JOIN llm_conversations c ON c.tenant_id = s.tenant_id AND c.id = s.conversation_id
            WHERE s.created_at >= \(window.from) AND s.created_at < \(window.to)
              AND (\(scope.tenantId)::uuid IS NULL OR s.tenant_id = \(scope.tenantId))
              AND (\(scope.userId)::text IS NULL OR s.user_id = \(scope.userId))
            GROUP BY GROUPING SETS ((s.name, s.category), (c.provider, c.model, s.name, s.category))
            ORDER BY count(*) DESC, 2, 3, 4, 5
            LIMIT \(ReportBounds.maxScoreGroups)
            """
        ).map { row in
            let (perModel, provider, model, name, category, count, sum) = try row.decode(
                (Bool, String?, String?, String, String?, Int64, Double?).self)
            return ScoreGroupRow(
                provider: perModel ? provider : nil, model: perModel ? model : nil, name: name, category: category, count: count,
                numericSum: sum)
        }
    }

    /// Sets the report's `scores` and `scoresByModel`.
    static func add(to report: inout UsageReport, _ connection: PGConnection, scope: AnalyticsScope, window: AnalyticsWindow) async throws {
        let rows = try await rows(connection, scope: scope, window: window)
        report.scores = ScoreGroupRow.summaries(rows.filter { $0.provider == nil })
        report.scoresByModel = ScoreGroupRow.byModel(rows)
    }
}
