import Foundation
import PGClient

/// Full-text search over message content, kept off the ingest path: the writer's message insert notes each stored
/// message with content in `llm_search_queue` (`queueStored`, part of the same statement); `indexBatch` — run by
/// `SearchIndexer`, behind the writer — moves queued messages into `llm_message_search` with their tsvector, and
/// `matchingConversations` is what the conversation list's `q` filter asks of it.
enum SearchIndexStatements {
    /// The text search configuration: lower-cased words, no stemming, no stop words (every language alike).
    static let configuration = "simple"
    /// How much of a message's content is indexed, in characters (a tsvector holds at most 1 MB).
    static let indexedCharacters = 65_536

    /// `text` as the parser should see it: `<` and `>` as spaces, so markup in prompts (`<document>`, `<script>`)
    /// is words like any other instead of tags the parser drops. Applied alike to content and search terms.
    static func words(_ text: String) -> String { "translate(\(text), '<>', '  ')" }

    /// The tail of the writer's message insert (`MessageTable.insert`): queues the rows of `stored` with content.
    static let queueStored = "INSERT INTO llm_search_queue (tenant_id, message_id) SELECT tenant_id, id FROM stored WHERE searchable"

    /// Takes up to `limit` queued messages (rows another transaction holds are skipped) and indexes those that still
    /// exist and have content, in one statement; how many were taken and how many indexed. Runs with every tenant
    /// in scope.
    static func indexBatch(_ tx: PGConnection, limit: Int) async throws -> (taken: Int, indexed: Int) {
        let rows = try await tx.query(
            """
            WITH taken AS (
                DELETE FROM llm_search_queue
                WHERE ctid = ANY(ARRAY(SELECT ctid FROM llm_search_queue LIMIT \(limit) FOR UPDATE SKIP LOCKED))
                RETURNING tenant_id, message_id
            ), indexed AS (
                INSERT INTO llm_message_search (tenant_id, message_id, conversation_id, user_id, document)
                SELECT m.tenant_id, m.id, m.conversation_id, m.user_id,
                       to_tsvector(\(unsafeSQL: "'\(configuration)'"), \(unsafeSQL: words("left(m.content, \(indexedCharacters))")))
                FROM taken t JOIN llm_messages m ON m.tenant_id = t.tenant_id AND m.id = t.message_id
                WHERE m.content <> ''
                ON CONFLICT (tenant_id, message_id) DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM taken)::int8, (SELECT count(*) FROM indexed)::int8
            """)
        let (taken, indexed) = try rows[0].decode((Int, Int).self)
        return (taken, indexed)
    }

    /// Whether anything waits in the queue (any tenant's; with every tenant in scope).
    static func hasQueued(_ tx: PGConnection) async throws -> Bool {
        try await tx.query("SELECT EXISTS (SELECT 1 FROM llm_search_queue)")[0].decode(Bool.self)
    }

    /// The words of a search (`q`), split at white space: each must begin a word of one message's content (a prefix
    /// query, ANDed). At most `maxTerms` are used.
    static func terms(_ q: String) -> [String] {
        Array(q.split(whereSeparator: \.isWhitespace).prefix(maxTerms).map(String.init))
    }

    /// The most words of a search that count.
    static let maxTerms = 16

    /// The text search query of `terms` (each a word prefix, all required), as PostgreSQL writes it; nil when no term
    /// holds a word (punctuation only). Resolved before the list's statement so that statement gets it as a value:
    /// the planner then knows how common the words are (the column's statistics) and picks the plan — the GIN index
    /// for rare words, the newest-first conversation scan that stops at a page for common ones.
    static func query(_ tx: PGConnection, terms: [String]) async throws -> String? {
        try await tx.query(
            """
            SELECT to_tsquery(\(unsafeSQL: "'\(configuration)'"), string_agg(p.words || ':*', ' & '))::text
            FROM (SELECT plainto_tsquery(\(unsafeSQL: "'\(configuration)'"), \(unsafeSQL: words("w")))::text AS words
                  FROM unnest(\(terms)::text[]) AS w) AS p
            WHERE p.words <> ''
            """)[0].decode(String?.self, column: 0)
    }

    /// Every conversation of `tenantId` with a message matching `query`, through the GIN index; at most `cap` + 1.
    /// (Through `llmlog_search_conversations`, which applies the policies' walls itself: under row-level security the
    /// planner may not use the index for `@@`; see migration 016.)
    static func allMatches(tenantId: UUID, query: String, cap: Int) -> PGQuery {
        "SELECT ARRAY(SELECT llmlog_search_conversations(\(tenantId), \(query)::tsquery, \(Int32(cap + 1))))"
    }

    /// A condition on `llm_conversations` (to follow `AND`): the conversation has a message of `tenantId` whose
    /// indexed content matches `query` (from `query(_:terms:)`).
    static func matchingConversations(tenantId: UUID, query: String) -> PGFragment {
        """
        llm_conversations.id IN (
            SELECT s.conversation_id FROM llm_message_search s WHERE s.tenant_id = \(tenantId) AND s.document @@ \(query)::tsquery)
        """
    }
}
