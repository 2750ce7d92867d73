import Foundation
import PGClient

/// The one query behind every conversation list (the API's pages, the dashboard's, the exports): a tenant's
/// conversations matching `ConversationFilters`, newest first, keyset-paged on (created_at, id).
///
/// Text search (`q`) is a case-insensitive substring match (ILIKE, metacharacters escaped) over the conversation's
/// title and its messages' content, evaluated inside the tenant's (and user's) keyset scan: no index is maintained
/// for it, so ingest pays nothing, and the read's statement timeout bounds its cost (see the README, "Search").
enum ConversationListQuery {
    /// A page of `tenantId`'s conversations after `cursor` (the previous page's last createdAt and id), `limit` rows at most, selecting `select` (program text).
    static func page(
        _ select: String, tenantId: UUID, filters: ConversationFilters, after cursor: (createdAt: Date, id: UUID)?,
        limit: Int
    ) -> PGQuery {
        let pattern = filters.searchPattern
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
              AND (\(pattern)::text IS NULL OR title ILIKE \(pattern) OR EXISTS (
                    SELECT 1 FROM llm_messages m
                    WHERE m.tenant_id = llm_conversations.tenant_id AND m.conversation_id = llm_conversations.id
                      AND m.content ILIKE \(pattern)))
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
