import PGClient

/// What the rest of a transaction may see under row-level security (see sql/003_row_level_security.sql).
/// The settings are transaction-local: call these inside `withTransaction`.
enum TenantScope {
    /// Every tenant's rows: the writer, price loading, administration.
    static func allTenants(_ connection: PGConnection) async throws {
        try await connection.query("SELECT set_config('llmlog.scope', 'all', true)")
    }
}
