import Foundation
import PGClient

/// Reads of stored messages outside the writer. Each runs in a transaction scoped by `TenantScope.apply`
/// (`PGPool.read`); the WHERE clauses name the tenant as well.
enum MessageReads {
    /// The stored message `id` as `principal` may read it, or nil. The answer to a replayed `POST …/messages`: the
    /// writer decides a retry without reading content back, so the route reads the one record it returns.
    static func message(_ pool: PGPool, id: UUID, principal: Principal) async throws -> MessageRecord? {
        try await pool.read(principal.readScope, share: nil) { tx in
            let rows = try await tx.query(
                """
                SELECT \(unsafeSQL: MessageTable.selectList()) FROM \(unsafeSQL: MessageTable.name)
                WHERE tenant_id = \(principal.tenantId) AND id = \(id)
                """)
            return try rows.first.map { try MessageTable.decode($0).record }
        }
    }

    /// Up to `limit` messages of a conversation after `messageIndex` `after`, in index order, and whether more
    /// follow; the page ends early where content, metadata and error messages would pass `maxAnswerBytes`
    /// (`AnswerBudget`). Call it in a repeatable-read transaction: the sizes and the rows come from one snapshot.
    static func page(
        _ tx: PGConnection, tenantId: UUID, conversationId: UUID, after: Int32, limit: Int, maxAnswerBytes: Int
    ) async throws
        -> (messages: [MessageRecord], more: Bool)
    {
        func page(_ select: String, limit: Int) -> PGQuery {
            """
            SELECT \(unsafeSQL: select) FROM \(unsafeSQL: MessageTable.name)
            WHERE tenant_id = \(tenantId) AND conversation_id = \(conversationId) AND message_index > \(after)
            ORDER BY message_index LIMIT \(limit)
            """
        }
        let page = try await BudgetedPage.read(
            tx, limit: limit, maxAnswerBytes: maxAnswerBytes,
            size: MessageTable.answerSize,
            columns: MessageTable.selectList(), query: page, decode: { try MessageTable.decode($0).record })
        return (page.rows, page.more)
    }
}
