import Foundation
import Hummingbird
import PGClient

/// Feedback scores (issue #17): `POST /v1/conversations/{id}/scores`, `POST /v1/conversations/{id}/messages/{messageId}/scores`
/// and `GET /v1/conversations/{id}/scores`.
///
/// Ingest and admin keys score any conversation of their tenant (`source` defaults to `automated` for ingest keys,
/// `admin` for admin keys, and may be any of the three); a user token scores only its user's conversations, always
/// with `source: user` — asking for another source is `403 source_not_allowed` (field `source`). Another tenant's
/// or user's conversation is 404. A client `id` makes the write idempotent: the same body again answers 201 with the
/// stored score; another body under the id is `409 idempotency_conflict`. Written directly, in one short transaction
/// scoped to the caller (not through the ingest writer). Admin keys and user tokens list a conversation's scores.
struct ScoreRoutes {
    /// The primary: writes, and the read-back of a replay.
    let pool: PGPool
    /// Where the list reads.
    let reads: ReadPools
    let timeout: Duration
    let readShare: ReadShare
    static let writers: Set<PrincipalRole> = [.ingest, .admin, .user]
    static let readers: Set<PrincipalRole> = [.admin, .user]

    struct ScorePage: ResponseEncodable {
        let scores: [ScoreRecord]
        let nextCursor: String?

        enum CodingKeys: String, CodingKey { case scores, nextCursor }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(scores, forKey: .scores)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    func register(on group: RouterGroup<AppContext>) {
        group.post("conversations/{id}/scores") { request, context in
            try await create(request, context, messageId: nil)
        }
        group.post("conversations/{id}/messages/{messageId}/scores") { request, context in
            guard let text = context.parameters.get("messageId"), let messageId = UUID(text: text) else {
                throw APIError.invalid("messageId", "is not a valid UUID", code: "invalid_id")
            }
            return try await create(request, context, messageId: messageId)
        }
        group.get("conversations/{id}/scores") { request, context in try await list(request, context) }
    }

    /// The source a caller's score gets: its own choice for keys (default by role), always `user` for user tokens.
    static func source(for principal: Principal, asked: ScoreSource?) throws(APIError) -> ScoreSource {
        switch principal.role {
        case .user:
            guard asked == nil || asked == .user else {
                throw APIError(.forbidden, code: "source_not_allowed", message: "a user token gives scores with source user", field: "source")
            }
            return .user
        case .admin: return asked ?? .admin
        case .ingest: return asked ?? .automated
        }
    }

    func create(_ request: Request, _ context: AppContext, messageId: UUID?) async throws -> EditedResponse<ScoreRecord> {
        let principal = try context.require(Self.writers)
        let conversationId = try context.pathID()
        let body = try await request.decode(as: ScoreCreateRequest.self, context: context)
        try body.validate()
        let source = try Self.source(for: principal, asked: body.source)
        let scope = "score/\(conversationId.lowercasedString)/\(messageId?.lowercasedString ?? "-")/\(source.rawValue)"
        let score = ScoreTable.NewScore(
            tenantId: principal.tenantId, id: body.id ?? UUID.v7(), conversationId: conversationId, messageId: messageId,
            request: body, source: source, requestHash: APIJSON.fingerprint(body, scope: scope), createdAt: context.receivedAt)
        let inserted: ScoreTable.Inserted
        do {
            inserted = try await pool.withScope(principal.readScope, timeout: timeout) { tx -> ScoreTable.Inserted in
                guard let owner = try await ScoreTable.conversationOwner(tx, tenantId: principal.tenantId, conversationId: conversationId) else {
                    throw APIError.notFound("conversation", field: "id")
                }
                if let messageId,
                    try await !ScoreTable.messageExists(tx, tenantId: principal.tenantId, conversationId: conversationId, messageId: messageId)
                {
                    throw APIError.notFound("message", field: "messageId")
                }
                return try await ScoreTable.insert(tx, score, userId: owner)
            }
        } catch let error as PGError where error.code == .foreignKeyViolation {
            // The conversation or message went (retention, erasure) between the check and the insert.
            throw APIError.notFound(messageId == nil ? "conversation" : "message", field: messageId == nil ? "id" : "messageId")
        } catch let error as PGError where error.code == .uniqueViolation {
            throw APIError.conflict("idempotency_conflict", "a score with this id exists with a different body", field: "id")
        }
        switch inserted {
        case .created(let record), .replayed(let record): return EditedResponse(status: .created, response: record)
        case .differentBody:
            throw APIError.conflict("idempotency_conflict", "a score with this id exists with a different body", field: "id")
        }
    }

    func list(_ request: Request, _ context: AppContext) async throws -> ScorePage {
        let principal = try context.require(Self.readers)
        let conversationId = try context.pathID()
        let limit = try request.integer("limit", default: 200, range: 1...1000)
        var after: UUID?
        if let text = request.uri.queryParameters.get("after") {
            guard let id = UUID(text: String(text)) else { throw APIError.invalid("after", "is not a valid UUID", code: "invalid_id") }
            after = id
        }
        let page = try await reads.read(principal.readScope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx in
            guard try await ScoreTable.conversationOwner(tx, tenantId: principal.tenantId, conversationId: conversationId) != nil else {
                throw APIError.notFound("conversation", field: "id")
            }
            return try await ScoreTable.page(tx, tenantId: principal.tenantId, conversationId: conversationId, after: after, limit: limit)
        }
        return ScorePage(scores: page.scores, nextCursor: page.more ? page.scores.last?.id.lowercasedString : nil)
    }
}

extension ScoreRecord: ResponseEncodable {}
