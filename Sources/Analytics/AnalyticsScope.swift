import Foundation
import PGClient

/// Whose rows an analytics query covers. Every query names the scope in its WHERE clause, and `apply` also sets the
/// row-level-security settings of the transaction (sql/003 and sql/007), so a wrong filter still cannot widen it.
public enum AnalyticsScope: Sendable, Equatable {
    /// Every tenant (the operator).
    case system
    /// One tenant (its admin).
    case tenant(UUID)
    /// One user of one tenant (a user token).
    case user(tenantId: UUID, userId: String)

    /// The tenant filter, nil for the system scope.
    public var tenantId: UUID? {
        switch self {
        case .system: nil
        case .tenant(let id): id
        case .user(let id, _): id
        }
    }

    /// The user filter, nil unless one user.
    public var userId: String? {
        if case .user(_, let userId) = self { return userId }
        return nil
    }

    /// The rollup table a summary of this scope reads: the tenant-level daily one (a few rows per day) unless one
    /// user's figures are asked for (that user's hourly rows). A constant, never input.
    var rollupTable: String { userId == nil ? "llm_usage_daily_tenant" : "llm_usage_hourly" }

    /// The `yyyy-MM-dd` of a rollup row of `rollupTable` (`alias` prefixes the column).
    func dayLabel(_ alias: String = "") -> String {
        userId == nil ? "to_char(\(alias)day, 'YYYY-MM-DD')" : "to_char(\(alias)hour AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    }

    /// `rollupTable`'s time column compared with a bound `yyyy-MM-dd`: the text before and after the bound value.
    private func timeBound(_ alias: String) -> (column: String, open: String, close: String) {
        userId == nil ? (alias + "day", "", "::date") : (alias + "hour", "(", "::date::timestamp AT TIME ZONE 'UTC')")
    }

    /// `SELECT columns FROM rollupTable [AS alias] join WHERE` the rows of `window` this scope covers `AND condition`,
    /// then `tail` (GROUP BY, ORDER BY) and `LIMIT limit` (nil: none). `columns`, `join`, `condition` and `tail` are
    /// program text, never input.
    func rollupQuery(_ columns: String, window: AnalyticsWindow, alias: String = "", join: String = "", condition: String = "true",
                     tail: String = "", limit: Int? = nil) -> PGQuery {
        let prefix = alias.isEmpty ? "" : alias + "."
        let bound = timeBound(prefix)
        return """
            SELECT \(unsafeSQL: columns)
            FROM \(unsafeSQL: rollupTable)\(unsafeSQL: alias.isEmpty ? "" : " " + alias) \(unsafeSQL: join)
            WHERE \(unsafeSQL: bound.column) >= \(unsafeSQL: bound.open)\(window.fromDay)\(unsafeSQL: bound.close)
              AND \(unsafeSQL: bound.column) < \(unsafeSQL: bound.open)\(window.toDay)\(unsafeSQL: bound.close)
              AND (\(tenantId)::uuid IS NULL OR \(unsafeSQL: prefix)tenant_id = \(tenantId))
              AND (\(userId)::text IS NULL OR \(unsafeSQL: userColumn(prefix)) = \(userId))
              AND \(unsafeSQL: condition)
            \(unsafeSQL: tail)
            LIMIT \(limit.map(Int64.init))
            """
    }

    /// The user column of `rollupTable` for the user filter; the tenant-level table has none (and is only read
    /// when there is no user to filter by), so it compares a constant.
    func userColumn(_ alias: String = "") -> String { userId == nil ? "''" : alias + "user_id" }

    /// Sets the transaction's visibility and statement timeout (transaction-local: call inside a transaction).
    public func apply(_ connection: PGConnection, statementTimeout: Duration) async throws {
        let milliseconds = statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
        let scope = self == .system ? "all" : ""
        try await connection.query("""
            SELECT set_config('llmlog.scope', \(scope), true),
                   set_config('llmlog.tenant_id', \(tenantId?.uuidString ?? ""), true),
                   set_config('llmlog.user_id', \(userId ?? ""), true),
                   set_config('statement_timeout', \(String(max(1, milliseconds))), true)
            """)
    }
}
