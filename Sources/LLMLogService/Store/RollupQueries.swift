import Analytics
import Foundation
import PGClient

/// The rollup tables an analytics scope reads, and the one query shape every report is built from.
extension AnalyticsScope {
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
    func rollupQuery(
        _ columns: String, window: AnalyticsWindow, alias: String = "", join: String = "", condition: String = "true",
        tail: String = "", limit: Int? = nil
    ) -> PGQuery {
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
}
