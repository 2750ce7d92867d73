import Analytics
import Foundation
import PGClient

/// The one place the `llmlog.*` settings are written: what the rest of a transaction may see under row-level
/// security (sql/003_row_level_security.sql, sql/007_user_row_security.sql). The settings are transaction-local:
/// call these inside a transaction. Requests read through `PGPool.read`, which applies their scope.
enum TenantScope {
    /// Every tenant's rows: the writer, price loading, administration.
    static func allTenants(_ connection: PGConnection) async throws {
        try await connection.query(allTenantsQuery)
    }

    /// The statement behind `allTenants`, for a pipeline.
    static var allTenantsQuery: PGQuery { "SELECT set_config('llmlog.scope', 'all', true)" }

    /// Makes the transaction see what `scope` may (every tenant, one tenant, or one user of one tenant) and bounds
    /// each of its statements by `statementTimeout`.
    static func apply(_ scope: AnalyticsScope, _ connection: PGConnection, statementTimeout: Duration) async throws {
        let milliseconds = statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
        let all = scope == .system ? "all" : ""
        try await connection.query(
            """
            SELECT set_config('llmlog.scope', \(all), true),
                   set_config('llmlog.tenant_id', \(scope.tenantId?.uuidString ?? ""), true),
                   set_config('llmlog.user_id', \(scope.userId ?? ""), true),
                   set_config('statement_timeout', \(String(max(1, milliseconds))), true)
            """)
    }
}

extension PGPool {
    /// A transaction that sees every tenant's rows (`TenantScope.allTenants`): administration, prices, the writer's
    /// side jobs (retention, erasure).
    func withAllTenants<R>(readOnly: Bool = false, _ body: (PGConnection) async throws -> R) async throws -> R {
        try await withTransaction(readOnly: readOnly) { tx in
            try await TenantScope.allTenants(tx)
            return try await body(tx)
        }
    }
}

extension PGPool {
    /// A read-write transaction that sees what `scope` may (`TenantScope.apply`): the short direct writes outside the
    /// ingest writer (scores), so a user token writes under the same per-user wall it reads under.
    func withScope<R>(_ scope: AnalyticsScope, timeout: Duration, _ body: (PGConnection) async throws -> R) async throws -> R {
        try await withTransaction { tx in
            try await TenantScope.apply(scope, tx, statementTimeout: timeout)
            return try await body(tx)
        }
    }
}
