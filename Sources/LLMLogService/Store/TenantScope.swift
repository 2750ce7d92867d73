import Analytics
import Foundation
import PGClient

/// What the rest of a transaction may see under row-level security (see sql/003_row_level_security.sql).
/// The settings are transaction-local: call these inside `withTransaction`. (Requests read through `PGPool.read`,
/// which scopes to one tenant or user.)
enum TenantScope {
    /// Every tenant's rows: the writer, price loading, administration.
    static func allTenants(_ connection: PGConnection) async throws {
        try await connection.query(allTenantsQuery)
    }

    /// The statement behind `allTenants`, for a pipeline.
    static var allTenantsQuery: PGQuery { "SELECT set_config('llmlog.scope', 'all', true)" }
}

extension Principal {
    /// What this caller may read: its user's rows for a user token, else its tenant's.
    var readScope: AnalyticsScope {
        userId.map { .user(tenantId: tenantId, userId: $0) } ?? .tenant(tenantId)
    }
}
