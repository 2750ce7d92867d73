import Foundation
import PGClient

/// Reads of single stored messages outside the writer.
enum MessageReads {
    /// The stored message `id` as `principal` may read it, or nil. The answer to a replayed `POST …/messages`: the
    /// writer decides a retry without reading content back, so the route reads the one record it returns.
    static func message(_ pool: PGPool, id: UUID, principal: Principal) async throws -> MessageRecord? {
        try await pool.read(principal.readScope, share: nil) { tx in
            let rows = try await tx.query("""
                SELECT \(unsafeSQL: MessageTable.selectList()) FROM llm_messages WHERE tenant_id = \(principal.tenantId) AND id = \(id)
                """)
            return try rows.first.map { try MessageTable.decode($0).record }
        }
    }
}
