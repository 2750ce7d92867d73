import Foundation
import PGClient

/// The one query behind every conversation list (the API's pages, the dashboard's, the exports): a tenant's
/// conversations matching `ConversationFilters`, newest first, keyset-paged on (created_at, id).
///
/// Text search (`q`) finds conversations with a message whose content has every word of `q` as a word prefix, through
/// the search index the `SearchIndexer` keeps behind the writer (`SearchIndexStatements`; see the README, "Search").
enum ConversationListQuery {
    /// A page of `tenantId`'s conversations after `cursor` (the previous page's last createdAt and id), `limit` rows at most, selecting `select` (program text).
    static func page(
        _ select: String, tenantId: UUID, filters: ConversationFilters, after cursor: (createdAt: Date, id: UUID)?,
        limit: Int
    ) -> PGQuery {
        let search: PGFragment =
            filters.q.map { "AND \(SearchIndexStatements.matchingConversations(tenantId: tenantId, terms: SearchIndexStatements.terms($0)))" }
            ?? .empty
        return """
            SELECT \(unsafeSQL: select) FROM llm_conversations
            WHERE tenant_id = \(tenantId)
              AND (\(filters.userId)::text IS NULL OR user_id = \(filters.userId))
              AND (\(filters.type)::text IS NULL OR type = \(filters.type))
              AND (\(filters.status)::text IS NULL OR status = \(filters.status))
              AND (\(filters.model)::text IS NULL OR model = \(filters.model))
              AND (\(filters.from)::timestamptz IS NULL OR created_at >= \(filters.from))
              AND (\(filters.to)::timestamptz IS NULL OR created_at < \(filters.to))
              AND (\(cursor?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(cursor?.createdAt), \(cursor?.id)))
              \(search)
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """
    }

    /// `select` (program text) over the messages of `conversationIds` (one tenant's) after (`afterConversation`, `afterIndex`) in
    /// (conversation_id, message_index) order, `limit` rows at most: the messages export's keyset page.
    static func messages(
        _ select: String, tenantId: UUID, conversationIds: [UUID], after: (conversation: UUID, index: Int)?,
        limit: Int
    ) -> PGQuery {
        """
        SELECT \(unsafeSQL: select) FROM llm_messages
        WHERE tenant_id = \(tenantId) AND conversation_id = ANY(\(conversationIds)::uuid[])
          AND (\(after?.conversation)::uuid IS NULL OR (conversation_id, message_index) > (\(after?.conversation), \(after.map { Int32($0.index) })))
        ORDER BY conversation_id, message_index
        LIMIT \(limit)
        """
    }
}
