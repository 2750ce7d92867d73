import Foundation
import PGClient

/// The one read of `POST /v1/traces` (its SQL, kept here for the store layer to take over): a conversation's
/// status, to tell whether a retried failed span still has to mark it FAILED.
enum ConversationStatusRead {
    /// The conversation's status in the caller's tenant; nil when it does not exist.
    static func status(_ pool: PGPool, id: UUID, principal: Principal) async throws -> ConversationStatus? {
        try await pool.read(principal.readScope, share: nil) { tx -> ConversationStatus? in
            let rows = try await tx.query("""
                SELECT status FROM llm_conversations WHERE tenant_id = \(principal.tenantId) AND id = \(id)
                """)
            return try rows.first.map { try ConversationStatus(column: "status", try $0.decode(String.self, column: 0)) }
        }
    }
}
