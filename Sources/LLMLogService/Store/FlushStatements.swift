import Foundation
import PGClient

/// The statements of a writer flush other than the tables' own inserts and write-backs (`ConversationTable`,
/// `MessageTable`, `RollupTable`): the transaction's framing and its three lookups.
///
/// Every lookup walks the flush's keys and probes the table once per key (a LATERAL subquery with LIMIT 1, which the
/// planner cannot turn into a join). As a plain join of the key list with the table, the planner misjudged the
/// row-level-security filter as selecting almost nothing and scanned the whole table once per key (1.5–2.4 s per
/// flush with 14,000 messages stored).
enum FlushStatements {
    /// Opens the flush's transaction.
    static let begin = PGQuery(unsafeSQL: "BEGIN ISOLATION LEVEL READ COMMITTED")
    static let commit: PGQuery = "COMMIT"
    static let rollback: PGQuery = "ROLLBACK"

    /// Locks the conversations `tenants[i]`/`ids[i]` (already in key order, so concurrent flushes never deadlock) and
    /// reads them, in that order, with `ConversationTable.lockedSelectList`: title, error message and metadata only
    /// where `withDetails[i]` — then one more column: whether the conversation's tenant keeps no message content
    /// (`storeContent: false`, decode with `contentFree`). Read here rather than by a statement of its own, which cost
    /// 13 % of single-message ingest.
    static func lockConversations(tenants: [UUID], ids: [UUID], withDetails: [Bool]) -> PGQuery {
        """
        SELECT \(unsafeSQL: ConversationTable.lockedSelectList),
               coalesce((SELECT NOT s.store_content FROM tenant_settings s WHERE s.tenant_id = k.t), false)
        FROM unnest(\(tenants)::uuid[], \(ids)::uuid[], \(withDetails)::bool[]) WITH ORDINALITY AS k(t, i, d, n)
        CROSS JOIN LATERAL (
            SELECT \(unsafeSQL: ConversationTable.selectList()) FROM \(unsafeSQL: ConversationTable.name) c
            WHERE c.tenant_id = k.t AND c.id = k.i
            LIMIT 1 FOR UPDATE
        ) c
        ORDER BY k.n
        """
    }

    /// The last column of a `lockConversations` row: true when the tenant keeps no message content.
    static func contentFree(_ row: PGRow) throws -> Bool {
        try row.decode(Bool.self, column: ConversationTable.allColumns.count)
    }

    /// The stored messages among `tenants[i]`/`ids[i]` (retries), with only what the idempotency decision needs —
    /// never content or metadata, whose size the client chose. Decode with `storedMessage`.
    static func storedMessages(tenants: [UUID], ids: [UUID]) -> PGQuery {
        """
        SELECT m.tenant_id, m.id, m.conversation_id, m.role, m.message_index, m.request_hash
        FROM unnest(\(tenants)::uuid[], \(ids)::uuid[]) AS k(t, i)
        CROSS JOIN LATERAL (
            SELECT tenant_id, id, conversation_id, role, message_index, request_hash
            FROM \(unsafeSQL: MessageTable.name) m WHERE m.tenant_id = k.t AND m.id = k.i LIMIT 1
        ) m
        """
    }

    /// A row of `storedMessages`.
    static func storedMessage(_ row: PGRow) throws -> (tenantId: UUID, replay: MessageReplay, requestHash: Data) {
        let (tenantId, id, conversationId, role, index, hash) = try row.decode((UUID, UUID, UUID, String, Int, Data).self)
        let replay = MessageReplay(id: id, conversationId: conversationId, role: try MessageRole(column: "role", role), messageIndex: index)
        return (tenantId, replay, hash)
    }

    /// Which of the message indexes `indexes[i]` of conversations `tenants[i]`/`conversationIds[i]` are taken.
    /// Decode with `takenIndex`.
    static func takenIndexes(tenants: [UUID], conversationIds: [UUID], indexes: [Int32]) -> PGQuery {
        """
        SELECT k.t, k.c, k.x
        FROM unnest(\(tenants)::uuid[], \(conversationIds)::uuid[], \(indexes)::int4[]) AS k(t, c, x)
        CROSS JOIN LATERAL (
            SELECT 1 FROM \(unsafeSQL: MessageTable.name) m
            WHERE m.tenant_id = k.t AND m.conversation_id = k.c AND m.message_index = k.x LIMIT 1
        ) m
        """
    }

    /// A row of `takenIndexes`.
    static func takenIndex(_ row: PGRow) throws -> (tenantId: UUID, conversationId: UUID, index: Int) {
        try row.decode((UUID, UUID, Int).self)
    }
}
