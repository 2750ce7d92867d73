import Foundation
import PGClient

/// The statements of retention and user erasure: each changes at most `batchSize` rows, so a pass is many short
/// transactions that never hold locks long enough to stall ingest. Run them with every tenant visible
/// (`TenantScope.allTenants`); each names its tenant.
enum LifecycleStatements {
    /// Most rows one statement changes.
    static let batchSize = 1000

    /// Takes the session-level advisory lock `key` on `connection` if no other session holds it.
    static func tryLock(_ connection: PGConnection, key: Int64) async throws -> Bool {
        try await connection.query("SELECT pg_try_advisory_lock(\(key))")[0].decode(Bool.self, column: 0)
    }

    /// Releases the advisory lock `key` taken on `connection`.
    static func unlock(_ connection: PGConnection, key: Int64) async throws {
        _ = try await connection.query("SELECT pg_advisory_unlock(\(key))")
    }

    /// Clears content and metadata of the next `batchSize` messages of `tenantId` created before `cutoff`, after the
    /// keyset position stored in `tenant_settings` (which it advances): a pass starts where the last one stopped.
    /// Answers how many messages it looked at (0: done) and how many it cleared.
    static func clearMessageContent(_ tx: PGConnection, tenantId: UUID, before cutoff: Date) async throws -> (seen: Int, cleared: Int) {
        let rows = try await tx.query(
            """
            WITH position AS (
                SELECT content_cleared_at AS at, content_cleared_id AS id FROM tenant_settings WHERE tenant_id = \(tenantId)
            ), batch AS (
                SELECT m.tenant_id, m.id, m.created_at FROM llm_messages m
                WHERE m.tenant_id = \(tenantId) AND m.created_at < \(cutoff)
                  AND ((SELECT at FROM position) IS NULL OR (m.created_at, m.id) > ((SELECT at FROM position), (SELECT id FROM position)))
                ORDER BY m.created_at, m.id
                LIMIT \(batchSize)
            ), cleared AS (
                UPDATE llm_messages m SET content = '', metadata = '{}'::jsonb
                FROM batch b
                WHERE m.tenant_id = b.tenant_id AND m.id = b.id AND (m.content <> '' OR m.metadata <> '{}'::jsonb)
                RETURNING 1
            ), unindexed AS (
                DELETE FROM llm_message_search s USING batch b WHERE s.tenant_id = b.tenant_id AND s.message_id = b.id
            ), last AS (
                SELECT created_at, id FROM batch ORDER BY created_at DESC, id DESC LIMIT 1
            ), advanced AS (
                UPDATE tenant_settings SET content_cleared_at = last.created_at, content_cleared_id = last.id
                FROM last WHERE tenant_id = \(tenantId)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM batch)::int8, (SELECT count(*) FROM cleared)::int8, (SELECT count(*) FROM advanced)::int8
            """)
        let (seen, cleared, _) = try rows[0].decode((Int, Int, Int).self)
        return (seen, cleared)
    }

    /// Clears title and metadata of up to `batchSize` conversations of `tenantId` without activity since `cutoff`.
    static func clearConversationContent(_ tx: PGConnection, tenantId: UUID, before cutoff: Date) async throws -> Int {
        try await tx.query(
            """
            WITH batch AS (
                SELECT tenant_id, id FROM llm_conversations
                WHERE tenant_id = \(tenantId) AND created_at < \(cutoff) AND updated_at < \(cutoff)
                  AND (title IS NOT NULL OR metadata <> '{}'::jsonb)
                LIMIT \(batchSize)
            )
            UPDATE llm_conversations c SET title = NULL, metadata = '{}'::jsonb
            FROM batch b WHERE c.tenant_id = b.tenant_id AND c.id = b.id AND c.updated_at < \(cutoff)
            """
        ).affectedRows ?? 0
    }

    /// Removes up to `batchSize` of `tenantId`'s messages created before `cutoff`.
    static func removeMessages(_ tx: PGConnection, tenantId: UUID, before cutoff: Date) async throws -> Int {
        try await tx.query(
            """
            WITH batch AS (
                SELECT tenant_id, id FROM llm_messages WHERE tenant_id = \(tenantId) AND created_at < \(cutoff)
                ORDER BY created_at LIMIT \(batchSize)
            )
            DELETE FROM llm_messages m USING batch b WHERE m.tenant_id = b.tenant_id AND m.id = b.id
            """
        ).affectedRows ?? 0
    }

    /// Removes up to `batchSize` of `tenantId`'s conversations without activity since `cutoff` and without messages.
    /// A conversation the writer touches meanwhile is kept: the writer locks and updates it, and the delete re-checks
    /// `updated_at` on the row it waited for.
    static func removeConversations(_ tx: PGConnection, tenantId: UUID, before cutoff: Date) async throws -> Int {
        try await tx.query(
            """
            WITH batch AS (
                SELECT c.tenant_id, c.id FROM llm_conversations c
                WHERE c.tenant_id = \(tenantId) AND c.created_at < \(cutoff) AND c.updated_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM llm_messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id)
                LIMIT \(batchSize)
            )
            DELETE FROM llm_conversations c USING batch b
            WHERE c.tenant_id = b.tenant_id AND c.id = b.id AND c.updated_at < \(cutoff)
            """
        ).affectedRows ?? 0
    }

    // MARK: user erasure

    /// Records that `userId` of `tenantId` is being erased (a crash leaves the row; the next retention pass finishes).
    static func beginErasure(_ tx: PGConnection, tenantId: UUID, userId: String) async throws {
        try await tx.query(
            """
            INSERT INTO llm_user_erasures (tenant_id, user_id) VALUES (\(tenantId), \(userId)) ON CONFLICT DO NOTHING
            """)
    }

    /// The erasures a crash left unfinished.
    static func unfinishedErasures(_ tx: PGConnection) async throws -> [(tenantId: UUID, userId: String)] {
        try await tx.query("SELECT tenant_id, user_id FROM llm_user_erasures ORDER BY requested_at LIMIT 100")
            .map { try $0.decode((UUID, String).self) }
    }

    /// Removes up to `batchSize` messages of `userId`'s conversations (those of up to 100 of its conversations).
    static func eraseMessages(_ tx: PGConnection, tenantId: UUID, userId: String) async throws -> Int {
        try await tx.query(
            """
            WITH c AS (
                SELECT id FROM llm_conversations WHERE tenant_id = \(tenantId) AND user_id = \(userId) LIMIT 100
            ), batch AS (
                SELECT m.tenant_id, m.id FROM c CROSS JOIN LATERAL (
                    SELECT tenant_id, id FROM llm_messages WHERE tenant_id = \(tenantId) AND conversation_id = c.id LIMIT \(batchSize)
                ) m
                LIMIT \(batchSize)
            )
            DELETE FROM llm_messages m USING batch b WHERE m.tenant_id = b.tenant_id AND m.id = b.id
            """
        ).affectedRows ?? 0
    }

    /// Removes up to `batchSize` of `userId`'s conversations that have no messages left.
    static func eraseConversations(_ tx: PGConnection, tenantId: UUID, userId: String) async throws -> Int {
        try await tx.query(
            """
            WITH batch AS (
                SELECT c.tenant_id, c.id FROM llm_conversations c
                WHERE c.tenant_id = \(tenantId) AND c.user_id = \(userId)
                  AND NOT EXISTS (SELECT 1 FROM llm_messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id)
                LIMIT \(batchSize)
            )
            DELETE FROM llm_conversations c USING batch b WHERE c.tenant_id = b.tenant_id AND c.id = b.id
            """
        ).affectedRows ?? 0
    }

    /// The last step of an erasure: the user's rollup rows move to the anonymous bucket and the journal row goes.
    static func finishErasure(_ tx: PGConnection, tenantId: UUID, userId: String) async throws -> Int {
        let moved = try await tx.query(RollupTable.moveToAnonymous(tenantId: tenantId, userId: userId)).affectedRows ?? 0
        try await tx.query("DELETE FROM llm_user_erasures WHERE tenant_id = \(tenantId) AND user_id = \(userId)")
        return moved
    }
}
