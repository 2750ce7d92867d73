import Foundation
import PGClient

/// Reads of conversations outside the writer. Each runs in a transaction scoped by `TenantScope.apply`
/// (`PGPool.read`); the WHERE clauses name the tenant (and user) as well.
enum ConversationReads {
    /// Conversation `id` of `tenantId` (and of `userId`, when given), or nil.
    static func one(_ tx: PGConnection, tenantId: UUID, id: UUID, userId: String? = nil) async throws -> ConversationRecord? {
        let rows = try await tx.query(
            """
            SELECT \(unsafeSQL: ConversationTable.selectList()) FROM \(unsafeSQL: ConversationTable.name)
            WHERE tenant_id = \(tenantId) AND id = \(id)
              AND (\(userId)::text IS NULL OR user_id = \(userId))
            """)
        return try rows.first.map { try ConversationTable.decode($0).record }
    }

    /// The status of conversation `id` of `tenantId`, or nil when there is none (OTLP ingest: whether a retried
    /// failed span still has to mark it FAILED).
    static func status(_ tx: PGConnection, tenantId: UUID, id: UUID) async throws -> ConversationStatus? {
        let rows = try await tx.query("SELECT status FROM \(unsafeSQL: ConversationTable.name) WHERE tenant_id = \(tenantId) AND id = \(id)")
        return try rows.first.map { try ConversationStatus(column: "status", try $0.decode(String.self, column: 0)) }
    }

    /// Up to `limit` of `tenantId`'s conversations matching `filters`, newest first, after `after` (the previous
    /// page's last createdAt and id), and whether more follow; the page ends early where its titles, error messages and
    /// metadata would pass `maxAnswerBytes` (`AnswerBudget`). Call it in a repeatable-read transaction: the sizes and
    /// the rows come from one snapshot.
    static func page(
        _ tx: PGConnection, tenantId: UUID, filters: ConversationFilters, after: (createdAt: Date, id: UUID)?, limit: Int,
        maxAnswerBytes: Int
    ) async throws -> (conversations: [ConversationRecord], more: Bool) {
        var search: ConversationListQuery.Search?
        if let q = filters.q {
            // No word to look for: nothing matches.
            guard let query = try await SearchIndexStatements.query(tx, terms: SearchIndexStatements.terms(q)) else { return ([], false) }
            search = try await SearchCandidates.find(tx, tenantId: tenantId, filters: filters, after: after, query: query, limit: limit)
        }
        let page = try await BudgetedPage.read(
            tx, limit: limit, maxAnswerBytes: maxAnswerBytes,
            size: ConversationTable.answerSize,
            columns: ConversationTable.selectList(),
            query: { ConversationListQuery.page($0, tenantId: tenantId, filters: filters, search: search, after: after, limit: $1) },
            decode: { try ConversationTable.decode($0).record })
        return (page.rows, page.more)
    }
}
