import Analytics
import Foundation
import PGClient

extension PGPool {
    /// A read-write transaction that sees `tenantId`'s rows only (row-level security), each statement bounded by
    /// `timeout`: the budget and webhook administration routes write through it.
    func withTenant<R>(_ tenantId: UUID, timeout: Duration, _ body: (PGConnection) async throws -> R) async throws -> R {
        try await withTransaction { tx in
            try await TenantScope.apply(.tenant(tenantId), tx, statementTimeout: timeout)
            return try await body(tx)
        }
    }
}
