import Foundation
import PGClient

/// The one query behind every conversation list (the API's pages, the dashboard's, the exports): a tenant's
/// conversations matching `ConversationFilters`, newest first, keyset-paged on (created_at, id).
///
/// Text search (`q`) finds conversations with a message whose content has every word of `q` as a word prefix, through
/// the search index the `SearchIndexer` keeps behind the writer (`SearchIndexStatements`; see the README, "Search").
enum ConversationListQuery {
    /// How a text search narrows the list: to a set of conversation ids found beforehand (`SearchCandidates`), or
    /// to conversations with a message matching a text search query (the index probed per conversation).
    enum Search: Sendable {
        case ids([UUID])
        case query(String)
    }

    /// A page of `tenantId`'s conversations after `cursor` (the previous page's last createdAt and id), `limit` rows at
    /// most, selecting `select` (program text); with `search`, only the conversations it allows.
    static func page(
        _ select: String, tenantId: UUID, filters: ConversationFilters, search: Search?, after cursor: (createdAt: Date, id: UUID)?,
        limit: Int
    ) -> PGQuery {
        let narrowed: PGFragment
        switch search {
        case .ids(let ids): narrowed = "AND llm_conversations.id = ANY(\(ids)::uuid[])"
        case .query(let query): narrowed = "AND \(SearchIndexStatements.matchingConversations(tenantId: tenantId, query: query))"
        case nil: narrowed = .empty
        }
        return """
            SELECT \(unsafeSQL: select) FROM llm_conversations
            WHERE \(conditions(tenantId: tenantId, filters: filters, after: cursor)) \(narrowed)
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """
    }

    /// The list's conditions on `llm_conversations` but the text search: the tenant, the filters, the keyset position.
    static func conditions(tenantId: UUID, filters: ConversationFilters, after cursor: (createdAt: Date, id: UUID)?) -> PGFragment {
        """
        tenant_id = \(tenantId)
          AND (\(filters.userId)::text IS NULL OR user_id = \(filters.userId))
          AND (\(filters.type)::text IS NULL OR type = \(filters.type))
          AND (\(filters.status)::text IS NULL OR status = \(filters.status))
          AND (\(filters.model)::text IS NULL OR model = \(filters.model))
          AND (\(filters.from)::timestamptz IS NULL OR created_at >= \(filters.from))
          AND (\(filters.to)::timestamptz IS NULL OR created_at < \(filters.to))
          AND (\(cursor?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(cursor?.createdAt), \(cursor?.id)))
        """
    }

    /// Among the newest `scan` conversations the list would show (its conditions, newest first), the first `need`
    /// with a message matching `query`; and how many conversations there were to scan (fewer than `scan`: all).
    static func recentMatches(
        tenantId: UUID, filters: ConversationFilters, after cursor: (createdAt: Date, id: UUID)?, query: String, scan: Int, need: Int
    ) -> PGQuery {
        let conditions = conditions(tenantId: tenantId, filters: filters, after: cursor)
        return """
            SELECT (SELECT count(*) FROM (SELECT 1 FROM llm_conversations WHERE \(conditions)
                                          ORDER BY created_at DESC, id DESC LIMIT \(scan)) AS scanned)::int8,
                   ARRAY(SELECT r.id FROM (SELECT id FROM llm_conversations WHERE \(conditions)
                                           ORDER BY created_at DESC, id DESC LIMIT \(scan)) AS r
                         WHERE EXISTS (SELECT 1 FROM llm_message_search s
                                       WHERE s.tenant_id = \(tenantId) AND s.conversation_id = r.id AND s.document @@ \(query)::tsquery)
                         LIMIT \(need))
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
