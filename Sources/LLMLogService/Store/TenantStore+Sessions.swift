import Foundation
import PGClient

extension TenantStore {
    /// The principal of an API key known by its SHA-256 (a dashboard session re-checks its key on every request,
    /// so a revocation ends the session at once), through the same coalescing lookup as `authenticate(key:)`.
    func authenticate(keyHash: Data) async throws -> Principal? {
        try await keyAuthenticator.principal(forKeyHash: keyHash)
    }

    /// The id of the active operator key with SHA-256 `keyHash`, or nil.
    func authenticateOperator(keyHash: Data) async throws -> UUID? {
        try await pool.query("SELECT llmlog_authenticate_operator(\(keyHash))")[0].decode(UUID?.self, column: 0)
    }
}
