import Foundation
import PGClient

/// SQL analyst roles (sql/008_analytics.sql): PostgreSQL login roles that may SELECT the analyst views and see
/// one tenant's rows (or every tenant's), enforced by policies keyed on `current_user`. Run as the owner role, which
/// needs CREATEROLE.
public struct AnalystRoles: Sendable {
    let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    /// A created analyst: its role name and the password, shown once.
    public struct Created: Codable, Sendable {
        public let name: String
        public let password: String
        /// nil: an operator analyst, sees every tenant.
        public let tenantId: UUID?
    }

    /// Why a role cannot be made.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Lower-case letters, digits and `_`, starting with a letter, at most 63 bytes, not `pg_…` or `llmlog_…`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= 63,
            !name.hasPrefix("pg_"), !name.hasPrefix("llmlog_")
        else { return false }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
        }
    }

    /// Creates analyst `name` bound to `tenantId` (nil: every tenant) with a random password.
    public func create(name: String, tenantId: UUID?) async throws -> Created {
        guard Self.isValidName(name) else {
            throw Refusal(description: "analyst name must be 1–63 of a-z, 0-9 and _, start with a letter, and not start with pg_ or llmlog_")
        }
        let password = APIKeys.generate(prefix: "")
        try await pool.withTransaction { tx in
            if let tenantId {
                guard try await tx.query("SELECT 1 FROM tenants WHERE id = \(tenantId)").rowCount == 1 else {
                    throw Refusal(description: "no tenant \(tenantId.lowercasedString)")
                }
            }
            guard try await tx.query("SELECT 1 FROM pg_roles WHERE rolname = \(name)").rowCount == 0 else {
                throw Refusal(description: "a role named \(name) exists already")
            }
            try await tx.query("SELECT llmlog_create_analyst(\(name), \(password), \(tenantId))")
        }
        return Created(name: name, password: password, tenantId: tenantId)
    }

    /// Drops analyst `name`; false when no analyst has that name.
    public func drop(name: String) async throws -> Bool {
        try await pool.query("SELECT llmlog_drop_analyst(\(name))")[0].decode(Bool.self, column: 0)
    }
}
