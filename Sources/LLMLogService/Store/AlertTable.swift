import Foundation
import PGClient

/// A recorded threshold crossing (`GET /v1/alerts`, the webhook payload).
struct BudgetAlert: Codable, Sendable, Equatable {
    let id: UUID
    var type = "budget.threshold"
    let budgetId: UUID
    let threshold: Decimal
    let spent: ExactDecimal
    let amount: ExactDecimal
    let periodStart: Date
    let createdAt: Date

    static let columns = "a.id, a.budget_id, a.threshold, a.spent, a.amount, a.period_start, a.created_at"

    static func decode(_ row: PGRow, from column: Int = 0) throws -> BudgetAlert {
        BudgetAlert(
            id: try row.decode(UUID.self, column: column), budgetId: try row.decode(UUID.self, column: column + 1),
            threshold: try row.decode(Decimal.self, column: column + 2), spent: ExactDecimal(try row.decode(Decimal.self, column: column + 3)),
            amount: ExactDecimal(try row.decode(Decimal.self, column: column + 4)), periodStart: try row.decode(Date.self, column: column + 5),
            createdAt: try row.decode(Date.self, column: column + 6))
    }
}

/// `llm_budget_alerts` (sql/017_budgets.sql): the checker's insert, which decides each alert exactly once, and reads.
enum AlertTable {
    /// Records an alert for every threshold every budget's spend has reached in the period that contains `now`, and
    /// a pending delivery of it to each of its tenant's webhooks, in one statement. The unique key (tenant, budget,
    /// period start, threshold) makes a crossing recorded once, whichever checker (instance) gets there first; a
    /// concurrent one waits for that commit and then inserts nothing. Returns the alerts recorded now. Run with every
    /// tenant visible (or one, to check one tenant).
    static func record(_ connection: PGConnection, now: Date) async throws -> (alerts: Int, deliveries: Int) {
        let row = try await connection.query(
            """
            WITH n AS (SELECT \(now)::timestamptz AS at),
            bs AS (SELECT * FROM llm_budgets),
            \(unsafeSQL: BudgetTable.spend),
            crossed AS (
                SELECT b.tenant_id, b.id AS budget_id, sp.period_start, x.threshold, sp.spent, b.amount
                FROM bs b JOIN sp ON \(unsafeSQL: BudgetTable.match)
                CROSS JOIN LATERAL unnest(b.thresholds) AS x(threshold)
                WHERE sp.spent >= b.amount * x.threshold
            ), alerts AS (
                INSERT INTO llm_budget_alerts (tenant_id, id, budget_id, period_start, threshold, spent, amount, created_at)
                SELECT tenant_id, gen_random_uuid(), budget_id, period_start, threshold, spent, amount, \(now)::timestamptz FROM crossed
                ORDER BY tenant_id, budget_id, threshold
                ON CONFLICT (tenant_id, budget_id, period_start, threshold) DO NOTHING
                RETURNING tenant_id, id
            ), deliveries AS (
                INSERT INTO llm_webhook_deliveries (tenant_id, id, alert_id, webhook_id)
                SELECT a.tenant_id, gen_random_uuid(), a.id, w.id FROM alerts a JOIN llm_webhooks w ON w.tenant_id = a.tenant_id
                RETURNING id
            )
            SELECT (SELECT count(*) FROM alerts), (SELECT count(*) FROM deliveries)
            """)[0]
        return (try row.decode(Int.self, column: 0), try row.decode(Int.self, column: 1))
    }

    /// The tenant's alerts, newest first (at most `limit`).
    static func list(_ connection: PGConnection, tenantId: UUID, budgetId: UUID?, limit: Int) async throws -> [BudgetAlert] {
        try await connection.query(
            """
            SELECT \(unsafeSQL: BudgetAlert.columns) FROM llm_budget_alerts a
            WHERE a.tenant_id = \(tenantId) AND (\(budgetId)::uuid IS NULL OR a.budget_id = \(budgetId))
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT \(Int64(limit))
            """
        ).map { try BudgetAlert.decode($0) }
    }
}
