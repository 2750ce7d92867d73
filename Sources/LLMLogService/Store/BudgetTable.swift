import Foundation
import PGClient

/// A budget as stored, with its spend in the period that contains the time of the read.
struct BudgetRow: Sendable {
    let id: UUID
    let settings: BudgetSettings
    let periodStart: Date
    let spent: Decimal
    let createdAt: Date
    let updatedAt: Date
}

/// `llm_budgets` (sql/017_budgets.sql) and the spend of each budget, summed from the rollups: `llm_usage_hourly` for
/// a user's budget (its `(tenant_id, user_id, hour)` index), `llm_usage_daily_tenant` for the others (a few rows per
/// day). Cost is `cost + reported_cost`, as in the usage reports. Run in a transaction scoped to the tenant.
enum BudgetTable {
    /// The budget columns, its period and its spend, for a query of the form
    /// `WITH n AS (SELECT <now> AS at), bs AS (<the budgets>), <spend> SELECT <columns> FROM bs b JOIN sp ON <match>`.
    static let columns = """
        b.id, b.scope, b.user_id, b.type, b.model, b.period, b.amount, b.thresholds, sp.period_start, sp.spent,
        b.created_at, b.updated_at
        """

    /// The CTEs `t` (each distinct target and period among the budgets `bs`, so budgets that limit the same thing over
    /// the same period are summed once) and `sp` (its period start and spend at `n.at`).
    static let spend = """
        t AS MATERIALIZED (SELECT DISTINCT tenant_id, scope, user_id, type, model, period FROM bs),
        sp AS MATERIALIZED (
            SELECT b.tenant_id, b.scope, b.user_id, b.type, b.model, b.period, p.period_start, s.spent
            FROM n CROSS JOIN t b \(spendJoin)
        )
        """

    /// `sp`'s row of budget `b`.
    static let match = """
        sp.tenant_id = b.tenant_id AND sp.scope = b.scope AND sp.period = b.period AND sp.user_id IS NOT DISTINCT FROM b.user_id
        AND sp.type IS NOT DISTINCT FROM b.type AND sp.model IS NOT DISTINCT FROM b.model
        """

    /// The laterals that compute `p.period_start` / `p.period_end` (UTC) and `s.spent` of target `b` at `n.at`.
    static let spendJoin = """
        CROSS JOIN LATERAL (SELECT date_trunc(b.period, n.at AT TIME ZONE 'UTC') AS local_start) l
        CROSS JOIN LATERAL (SELECT l.local_start AT TIME ZONE 'UTC' AS period_start,
                                   (l.local_start + ('1 ' || b.period)::interval) AT TIME ZONE 'UTC' AS period_end,
                                   l.local_start::date AS start_day,
                                   (l.local_start + ('1 ' || b.period)::interval)::date AS end_day) p
        CROSS JOIN LATERAL (SELECT CASE WHEN b.scope = 'user' THEN
                (SELECT coalesce(sum(h.cost + h.reported_cost), 0) FROM llm_usage_hourly h
                 WHERE h.tenant_id = b.tenant_id AND h.user_id = b.user_id AND h.hour >= p.period_start AND h.hour < p.period_end)
            ELSE
                (SELECT coalesce(sum(d.cost + d.reported_cost), 0) FROM llm_usage_daily_tenant d
                 WHERE d.tenant_id = b.tenant_id AND d.day >= p.start_day AND d.day < p.end_day
                   AND (b.type IS NULL OR d.type = b.type) AND (b.model IS NULL OR d.model = b.model))
            END AS spent) s
        """

    static func decode(_ row: PGRow) throws -> BudgetRow {
        let (id, scope, userId, type, model, period, amount, thresholds, periodStart, spent, createdAt, updatedAt) = try row.decode(
            (UUID, String, String?, String?, String?, String, Decimal, [Decimal], Date, Decimal, Date, Date).self)
        let settings = BudgetSettings(
            scope: BudgetScope(rawValue: scope) ?? .tenant, userId: userId, type: type, model: model,
            period: BudgetPeriod(rawValue: period) ?? .month, amount: amount, thresholds: thresholds)
        return BudgetRow(id: id, settings: settings, periodStart: periodStart, spent: spent, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The tenant's budgets, oldest first.
    static func list(_ connection: PGConnection, tenantId: UUID, now: Date) async throws -> [BudgetRow] {
        try await connection.query(
            """
            WITH n AS (SELECT \(now)::timestamptz AS at),
                 bs AS (SELECT * FROM llm_budgets WHERE tenant_id = \(tenantId)),
                 \(unsafeSQL: spend)
            SELECT \(unsafeSQL: columns) FROM bs b JOIN sp ON \(unsafeSQL: match)
            ORDER BY b.created_at, b.id
            """
        ).map(decode)
    }

    /// One budget of the tenant; nil when it has none of that id.
    static func get(_ connection: PGConnection, tenantId: UUID, id: UUID, now: Date) async throws -> BudgetRow? {
        try await connection.query(
            """
            WITH n AS (SELECT \(now)::timestamptz AS at),
                 bs AS (SELECT * FROM llm_budgets WHERE tenant_id = \(tenantId) AND id = \(id)),
                 \(unsafeSQL: spend)
            SELECT \(unsafeSQL: columns) FROM bs b JOIN sp ON \(unsafeSQL: match)
            """
        ).first.map(decode)
    }

    /// The budgets that apply to a call of `userId` / `type` / `model` (each optional): the tenant's own budgets and
    /// those of the given user, type and model.
    static func applicable(
        _ connection: PGConnection, tenantId: UUID, userId: String?, type: String?, model: String?, now: Date
    ) async throws -> [BudgetRow] {
        try await connection.query(
            """
            WITH n AS (SELECT \(now)::timestamptz AS at),
                 bs AS (
                    SELECT * FROM llm_budgets b WHERE b.tenant_id = \(tenantId)
                      AND (b.scope = 'tenant' OR (b.scope = 'user' AND b.user_id = \(userId)::text)
                           OR (b.scope = 'type' AND b.type = \(type)::text) OR (b.scope = 'model' AND b.model = \(model)::text))
                 ),
                 \(unsafeSQL: spend)
            SELECT \(unsafeSQL: columns) FROM bs b JOIN sp ON \(unsafeSQL: match)
            ORDER BY b.created_at, b.id
            """
        ).map(decode)
    }

    /// How many budgets the tenant has, its row in `tenants` locked so concurrent creations count one another.
    static func lockAndCount(_ connection: PGConnection, tenantId: UUID) async throws -> Int? {
        guard try await connection.query("SELECT 1 FROM tenants WHERE id = \(tenantId)").count == 1 else { return nil }
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), hashtext(\(tenantId.uuidString)))")
        return try await connection.query("SELECT count(*) FROM llm_budgets WHERE tenant_id = \(tenantId)")[0].decode(Int.self, column: 0)
    }

    /// The advisory lock namespace of budget creation ("bdgt").
    static let lockNamespace: Int32 = 0x6264_6774

    /// Stores a new budget.
    static func insert(_ connection: PGConnection, tenantId: UUID, id: UUID, _ settings: BudgetSettings) async throws {
        try await connection.query(
            """
            INSERT INTO llm_budgets (tenant_id, id, scope, user_id, type, model, period, amount, thresholds)
            VALUES (\(tenantId), \(id), \(settings.scope.rawValue), \(settings.userId), \(settings.type), \(settings.model),
                    \(settings.period.rawValue), \(settings.amount), \(settings.thresholds)::numeric[])
            """)
    }

    /// Changes a budget's period, amount and thresholds; false when the tenant has no budget of that id.
    static func update(_ connection: PGConnection, tenantId: UUID, id: UUID, _ settings: BudgetSettings) async throws -> Bool {
        try await connection.query(
            """
            UPDATE llm_budgets SET period = \(settings.period.rawValue), amount = \(settings.amount),
                thresholds = \(settings.thresholds)::numeric[], updated_at = now()
            WHERE tenant_id = \(tenantId) AND id = \(id)
            RETURNING id
            """
        ).count == 1
    }

    /// Removes a budget (and its alerts and their deliveries); false when the tenant has no budget of that id.
    static func delete(_ connection: PGConnection, tenantId: UUID, id: UUID) async throws -> Bool {
        try await connection.query("DELETE FROM llm_budgets WHERE tenant_id = \(tenantId) AND id = \(id) RETURNING id").count == 1
    }
}
