import Foundation
import PGClient

/// Which conversations a list reads: one tenant's, optionally narrowed; `after` continues a newest-first keyset page.
struct ConversationFilter: Sendable {
    var tenantId: UUID
    var userId: String?
    var type: String?
    var status: String?
    /// `createdAt` ≥ from.
    var from: Date?
    /// `createdAt` < to.
    var to: Date?
    /// The last row of the previous page (createdAt, id).
    var after: (createdAt: Date, id: UUID)?
}

/// Reads of conversations outside the writer. Each runs in a transaction scoped by `TenantScope.apply`
/// (`PGPool.read`); the WHERE clauses name the tenant (and user) as well.
enum ConversationReads {
    /// Conversation `id` of `tenantId` (and of `userId`, when given), or nil.
    static func one(_ tx: PGConnection, tenantId: UUID, id: UUID, userId: String? = nil) async throws -> ConversationRecord? {
        let rows = try await tx.query("""
            SELECT \(unsafeSQL: ConversationTable.selectList()) FROM \(unsafeSQL: ConversationTable.name)
            WHERE tenant_id = \(tenantId) AND id = \(id)
              AND (\(userId)::text IS NULL OR user_id = \(userId))
            """)
        return try rows.first.map { try ConversationTable.decode($0).record }
    }

    /// Up to `limit` conversations matching `filter`, newest first, and whether more follow; the page ends early
    /// where its titles, error messages and metadata would pass `maxAnswerBytes` (`AnswerBudget`). Call it in a
    /// repeatable-read transaction: the sizes and the rows come from one snapshot.
    static func page(_ tx: PGConnection, _ filter: ConversationFilter, limit: Int, maxAnswerBytes: Int) async throws
        -> (conversations: [ConversationRecord], more: Bool) {
        func page(_ select: String, limit: Int) -> PGQuery {
            """
            SELECT \(unsafeSQL: select) FROM \(unsafeSQL: ConversationTable.name)
            WHERE tenant_id = \(filter.tenantId)
              AND (\(filter.userId)::text IS NULL OR user_id = \(filter.userId))
              AND (\(filter.type)::text IS NULL OR type = \(filter.type))
              AND (\(filter.status)::text IS NULL OR status = \(filter.status))
              AND (\(filter.from)::timestamptz IS NULL OR created_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR created_at < \(filter.to))
              AND (\(filter.after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(filter.after?.createdAt), \(filter.after?.id)))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """
        }
        let page = try await BudgetedPage.read(
            tx, limit: limit, maxAnswerBytes: maxAnswerBytes,
            size: "(coalesce(octet_length(title), 0) + coalesce(octet_length(error_message), 0) + octet_length(metadata::text))::int8",
            columns: ConversationTable.selectList(), query: page, decode: { try ConversationTable.decode($0).record })
        return (page.rows, page.more)
    }
}
