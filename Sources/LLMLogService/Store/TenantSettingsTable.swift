import Foundation
import PGClient

/// `tenant_settings` (sql/015_data_lifecycle.sql): a row per tenant that changed a default.
enum TenantSettingsTable {
    /// `tenantId`'s settings (the defaults when it has no row).
    static func get(_ connection: PGConnection, tenantId: UUID) async throws -> TenantSettings {
        let rows = try await connection.query(
            """
            SELECT content_retention_days, retention_days, store_content FROM tenant_settings WHERE tenant_id = \(tenantId)
            """)
        guard let row = rows.first else { return .defaults }
        let (content, retention, store) = try row.decode((Int?, Int?, Bool).self)
        return TenantSettings(contentRetentionDays: content, retentionDays: retention, storeContent: store)
    }

    /// `tenantId`'s settings, its row created if need be and locked until the transaction ends (concurrent PATCHes
    /// of different fields then both apply).
    static func lock(_ connection: PGConnection, tenantId: UUID) async throws -> TenantSettings {
        try await connection.query("INSERT INTO tenant_settings (tenant_id) VALUES (\(tenantId)) ON CONFLICT DO NOTHING")
        let row = try await connection.query(
            """
            SELECT content_retention_days, retention_days, store_content FROM tenant_settings WHERE tenant_id = \(tenantId) FOR UPDATE
            """)[0]
        let (content, retention, store) = try row.decode((Int?, Int?, Bool).self)
        return TenantSettings(contentRetentionDays: content, retentionDays: retention, storeContent: store)
    }

    /// Stores `settings` for `tenantId`.
    static func put(_ connection: PGConnection, tenantId: UUID, _ settings: TenantSettings) async throws {
        try await connection.query(
            """
            INSERT INTO tenant_settings (tenant_id, content_retention_days, retention_days, store_content, updated_at)
            VALUES (\(tenantId), \(settings.contentRetentionDays.map(Int32.init)), \(settings.retentionDays.map(Int32.init)),
                    \(settings.storeContent), now())
            ON CONFLICT (tenant_id) DO UPDATE SET content_retention_days = EXCLUDED.content_retention_days,
                retention_days = EXCLUDED.retention_days, store_content = EXCLUDED.store_content, updated_at = now()
            """)
    }

    /// The tenants with a retention setting, with it (run with every tenant visible).
    static func withRetention(_ connection: PGConnection) async throws -> [(tenantId: UUID, contentDays: Int?, days: Int?)] {
        try await connection.query(
            """
            SELECT tenant_id, content_retention_days, retention_days FROM tenant_settings
            WHERE content_retention_days IS NOT NULL OR retention_days IS NOT NULL
            ORDER BY tenant_id
            """
        ).map { try $0.decode((UUID, Int?, Int?).self) }
    }
}
