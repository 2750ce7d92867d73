import Analytics
import Foundation
import PGClient

/// What a caller is.
public enum PrincipalRole: String, Sendable {
    /// An ingest API key: writes only.
    case ingest
    /// An admin API key: everything in its tenant.
    case admin
    /// A user token: reads of that user's own conversations.
    case user
}

/// Who is calling: a tenant's API key (with its role), or a user token.
public struct Principal: Sendable, Equatable {
    public let tenantId: UUID
    /// The API key's id; nil for a user token.
    public let keyId: UUID?
    public let role: PrincipalRole
    /// The user of a user token; nil for API keys.
    public let userId: String?

    public init(tenantId: UUID, keyId: UUID?, role: PrincipalRole, userId: String? = nil) {
        self.tenantId = tenantId
        self.keyId = keyId
        self.role = role
        self.userId = userId
    }

    /// What this caller may read: its user's rows for a user token, else its tenant's.
    var readScope: AnalyticsScope {
        userId.map { .user(tenantId: tenantId, userId: $0) } ?? .tenant(tenantId)
    }
}

/// Tenants and their API keys.
public struct TenantStore: Sendable {
    let pool: PGPool
    /// API-key lookups, coalesced (shared by the copies of this store).
    let keyAuthenticator: KeyAuthenticator

    public init(pool: PGPool) {
        self.pool = pool
        self.keyAuthenticator = KeyAuthenticator(pool: pool)
    }

    /// What `tenant create` prints.
    public struct CreatedTenant: Codable, Sendable {
        public let tenantId: UUID
        public let adminKey: String
        public let ingestKey: String
    }

    /// A new key as shown once.
    public struct CreatedKey: Codable, Sendable {
        public let keyId: UUID
        public let tenantId: UUID
        public let role: KeyRole
        public let key: String
    }

    /// Creates a tenant with one admin and one ingest key.
    public func createTenant(name: String) async throws -> CreatedTenant {
        let tenantId = UUID.v7()
        return try await pool.withAllTenants { tx in
            try await tx.query("INSERT INTO tenants (id, name) VALUES (\(tenantId), \(name))")
            let admin = try await Self.insertKey(tx, tenantId: tenantId, role: .admin, name: "created with the tenant")
            let ingest = try await Self.insertKey(tx, tenantId: tenantId, role: .ingest, name: "created with the tenant")
            return CreatedTenant(tenantId: tenantId, adminKey: admin.key, ingestKey: ingest.key)
        }
    }

    /// The id of the tenant named `name`, if there is one.
    public func tenantId(named name: String) async throws -> UUID? {
        try await pool.query("SELECT id FROM tenants WHERE name = \(name)").first?.decode(UUID.self, column: 0)
    }

    /// Creates a key for an existing tenant (nil if the tenant does not exist).
    public func createKey(tenantId: UUID, role: KeyRole, name: String? = nil) async throws -> CreatedKey? {
        try await pool.withAllTenants { tx in
            guard try await tx.query("SELECT 1 FROM tenants WHERE id = \(tenantId)").count == 1 else { return nil }
            return try await Self.insertKey(tx, tenantId: tenantId, role: role, name: name)
        }
    }

    static func insertKey(_ connection: PGConnection, tenantId: UUID, role: KeyRole, name: String?) async throws -> CreatedKey {
        let key = APIKeys.generate(role: role)
        let keyId = UUID.v7()
        try await connection.query(
            """
            INSERT INTO api_keys (tenant_id, id, role, key_hash, key_prefix, name)
            VALUES (\(tenantId), \(keyId), \(role.rawValue), \(APIKeys.hash(key)), \(APIKeys.displayPrefix(key)), \(name))
            """)
        return CreatedKey(keyId: keyId, tenantId: tenantId, role: role, key: key)
    }

    /// Revokes a key; false if no such key was active.
    public func revokeKey(id: UUID) async throws -> Bool {
        try await pool.withAllTenants { tx in
            return try await tx.query("UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL").affectedRows == 1
        }
    }

    /// The principal for a presented key, or nil if it is unknown or revoked. Concurrent lookups share one query
    /// (see `KeyAuthenticator`); each is still answered by a query that started after it was asked.
    public func authenticate(key: String) async throws -> Principal? {
        try await keyAuthenticator.principal(forKeyHash: APIKeys.hash(key))
    }

    /// A new operator key, shown once (as the owner: operator keys are made from the command line).
    public struct CreatedOperatorKey: Codable, Sendable {
        public let keyId: UUID
        public let key: String
    }

    public func createOperatorKey(name: String? = nil) async throws -> CreatedOperatorKey {
        let key = APIKeys.generate(prefix: APIKeys.operatorPrefix)
        let keyId = UUID.v7()
        try await pool.query(
            """
            INSERT INTO operator_keys (id, key_hash, key_prefix, name)
            VALUES (\(keyId), \(APIKeys.hash(key)), \(APIKeys.displayPrefix(key)), \(name))
            """)
        return CreatedOperatorKey(keyId: keyId, key: key)
    }

    /// The id of an active operator key, or nil.
    public func authenticateOperator(key: String) async throws -> UUID? {
        try await authenticateOperator(keyHash: APIKeys.hash(key))
    }

    /// Number of tenants (serve creates `default` when there are none).
    public func tenantCount() async throws -> Int {
        try await pool.query("SELECT count(*) FROM tenants")[0].decode(Int.self, column: 0)
    }
}

extension TenantStore {
    /// `tenantId`'s lifecycle settings, or nil when there is no such tenant.
    public func settings(tenantId: UUID) async throws -> TenantSettings? {
        try await pool.withAllTenants(readOnly: true) { tx in
            guard try await tx.query("SELECT 1 FROM tenants WHERE id = \(tenantId)").count == 1 else { return nil }
            return try await TenantSettingsTable.get(tx, tenantId: tenantId)
        }
    }

    /// Applies `patch` to `tenantId`'s lifecycle settings in one transaction: the settings after it, or nil when there
    /// is no such tenant; 400 naming the field for days out of range.
    public func updateSettings(tenantId: UUID, _ patch: TenantSettingsPatch) async throws -> TenantSettings? {
        try await pool.withAllTenants { tx in
            guard try await tx.query("SELECT 1 FROM tenants WHERE id = \(tenantId)").count == 1 else { return nil }
            let settings = try patch.applied(to: try await TenantSettingsTable.lock(tx, tenantId: tenantId))
            try await TenantSettingsTable.put(tx, tenantId: tenantId, settings)
            return settings
        }
    }
}
