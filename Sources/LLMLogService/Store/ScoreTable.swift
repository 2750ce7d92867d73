import Foundation
import PGClient

/// The statements over `llm_scores` (sql/018_scores.sql). Run them in a transaction scoped to the caller
/// (`PGPool.withScope`, `ReadPools.read`): a user token's transaction sees its own conversations and scores only.
enum ScoreTable {
    /// What a new score carries besides the request.
    struct NewScore: Sendable {
        var tenantId: UUID
        var id: UUID
        var conversationId: UUID
        var messageId: UUID?
        var request: ScoreCreateRequest
        var source: ScoreSource
        var requestHash: Data
        var createdAt: Date
    }

    /// How an insert went: the new row, the row a retry with the same body finds, or another body under the id.
    enum Inserted: Sendable {
        case created(ScoreRecord)
        case replayed(ScoreRecord)
        case differentBody
    }

    static let selectList = "id, conversation_id, message_id, name, numeric_value, category, comment, source, created_at"

    /// The conversation's owner (`.some(nil)`: anonymous) or nil when the transaction cannot see the conversation.
    static func conversationOwner(_ tx: PGConnection, tenantId: UUID, conversationId: UUID) async throws -> String?? {
        let rows = try await tx.query(
            "SELECT user_id FROM llm_conversations WHERE tenant_id = \(tenantId) AND id = \(conversationId)")
        guard let row = rows.first else { return nil }
        return .some(try row.decode(String?.self, column: 0))
    }

    /// Whether message `messageId` of conversation `conversationId` exists for the transaction.
    static func messageExists(_ tx: PGConnection, tenantId: UUID, conversationId: UUID, messageId: UUID) async throws -> Bool {
        try await !tx.query(
            """
            SELECT 1 FROM llm_messages WHERE tenant_id = \(tenantId) AND id = \(messageId) AND conversation_id = \(conversationId)
            """
        ).isEmpty
    }

    /// Inserts `score` for a conversation owned by `userId`; an existing id is a replay when its stored fingerprint is
    /// the request's, else `differentBody`.
    static func insert(_ tx: PGConnection, _ score: NewScore, userId: String?) async throws -> Inserted {
        var number: Double?
        var category: String?
        switch score.request.value {
        case .number(let value): number = value
        case .category(let value): category = value
        }
        let inserted = try await tx.query(
            """
            INSERT INTO llm_scores (tenant_id, id, conversation_id, message_id, user_id, name, numeric_value, category, comment,
                                    source, request_hash, created_at)
            VALUES (\(score.tenantId), \(score.id), \(score.conversationId), \(score.messageId), \(userId), \(score.request.name),
                    \(number), \(category), \(score.request.comment), \(score.source.rawValue), \(score.requestHash), \(score.createdAt))
            ON CONFLICT (tenant_id, id) DO NOTHING
            RETURNING \(unsafeSQL: selectList)
            """)
        if let row = inserted.first { return .created(try decode(row)) }
        let stored = try await tx.query(
            """
            SELECT \(unsafeSQL: selectList) FROM llm_scores
            WHERE tenant_id = \(score.tenantId) AND id = \(score.id) AND request_hash = \(score.requestHash)
            """)
        guard let row = stored.first else { return .differentBody }
        return .replayed(try decode(row))
    }

    /// Up to `limit` scores of a conversation after score `after` (oldest first), and whether more follow.
    static func page(
        _ tx: PGConnection, tenantId: UUID, conversationId: UUID, after: UUID?, limit: Int
    ) async throws -> (scores: [ScoreRecord], more: Bool) {
        let rows = try await tx.query(
            """
            SELECT \(unsafeSQL: selectList) FROM llm_scores s
            WHERE s.tenant_id = \(tenantId) AND s.conversation_id = \(conversationId)
              AND (\(after)::uuid IS NULL OR (s.created_at, s.id) > (
                    SELECT p.created_at, p.id FROM llm_scores p
                    WHERE p.tenant_id = \(tenantId) AND p.conversation_id = \(conversationId) AND p.id = \(after)))
            ORDER BY s.created_at, s.id
            LIMIT \(limit + 1)
            """)
        let scores = try rows.prefix(limit).map(decode)
        return (scores, rows.count > limit)
    }

    static func decode(_ row: PGRow) throws -> ScoreRecord {
        let (id, conversationId, messageId, name, number, category, comment, source, createdAt) = try row.decode(
            (UUID, UUID, UUID?, String, Double?, String?, String?, String, Date).self)
        let value: ScoreValue = number.map { .number($0) } ?? .category(category ?? "")
        guard let source = ScoreSource(rawValue: source) else {
            throw PGError(kind: .decoding, message: "unknown value \"\(source)\" in column source", column: "source")
        }
        return ScoreRecord(
            id: id, conversationId: conversationId, messageId: messageId, name: name, value: value, comment: comment,
            source: source, createdAt: createdAt)
    }
}
