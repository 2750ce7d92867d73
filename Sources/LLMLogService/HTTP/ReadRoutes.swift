import Foundation
import Hummingbird
import PGClient

/// `GET /v1/conversations/{id}`: a conversation with its messages in messageIndex order, paged
/// (`limit` 1…1000, default 200; `after` = the last messageIndex seen, the answer's `nextCursor`). A page also ends
/// early, with a cursor, where its messages' text would pass `maxAnswerBytes`.
/// Admin keys read their tenant's conversations (anonymous ones included); a user token only its user's;
/// anything else is 403, another tenant's or user's conversation 404. The tenant is enforced twice: in the
/// query and by row-level security (the transaction is scoped to the caller's tenant).
struct ReadRoutes {
    let pool: PGPool
    /// Statement timeout of the read.
    var timeout: Duration = .seconds(5)
    /// Most bytes of message text in one answer (see `AnswerBudget`).
    var maxAnswerBytes = IngestLimits().maxAnswerBytes
    /// The per-tenant bound on concurrent reads.
    var readShare = ReadShare(limit: 4)
    static let readers: Set<PrincipalRole> = [.admin, .user]

    struct ConversationDetail: Encodable {
        let conversation: ConversationRecord
        let messages: [MessageRecord]
        let nextCursor: Int?

        enum CodingKeys: String, CodingKey { case messages, nextCursor }

        /// The conversation's fields, plus `messages` and `nextCursor`.
        func encode(to encoder: Encoder) throws {
            try conversation.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(messages, forKey: .messages)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    func register(on group: RouterGroup<AppContext>) {
        group.get("conversations/{id}") { request, context in try await conversation(request, context) }
    }

    static func integer(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func conversation(_ request: Request, _ context: AppContext) async throws -> Response {
        try await conversation(id: IngestRoutes.pathID(context), request, context)
    }

    /// The detail of conversation `id` as the caller may see it (also the seed route's `action=conversation`).
    func conversation(id: UUID, _ request: Request, _ context: AppContext) async throws -> Response {
        let principal = try context.require(Self.readers)
        let limit = try Self.integer(request, "limit", default: 200, range: 1...1000)
        let after = try Self.integer(request, "after", default: -1, range: -1...Int(Int32.max))
        let detail = try await detail(id: id, principal: principal, limit: limit, after: after)
        guard let detail else { throw APIError.notFound("conversation", field: "id") }
        return try .json(detail)
    }

    /// Conversation `id` with a page of its messages (`limit`, after message index `after`) as `principal` may see
    /// it; nil when it does not exist for the caller (the API's detail and the dashboard's both read through here).
    func detail(id: UUID, principal: Principal, limit: Int, after: Int) async throws -> ConversationDetail? {
        // Repeatable read: the sizes and the rows come from one snapshot.
        try await pool.read(principal.readScope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx -> ConversationDetail? in
            let rows = try await tx.query("""
                SELECT \(unsafeSQL: ConversationTable.selectList()) FROM llm_conversations
                WHERE tenant_id = \(principal.tenantId) AND id = \(id)
                  AND (\(principal.userId)::text IS NULL OR user_id = \(principal.userId))
                """)
            guard let row = rows.first else { return nil }
            let conversation = try ConversationTable.decode(row).record
            func page(_ select: String, limit: Int) -> PGQuery {
                """
                SELECT \(unsafeSQL: select) FROM llm_messages
                WHERE tenant_id = \(principal.tenantId) AND conversation_id = \(id) AND message_index > \(Int32(after))
                ORDER BY message_index LIMIT \(limit)
                """
            }
            let sizes = try await tx.query(page(
                "(octet_length(content) + octet_length(metadata::text) + coalesce(octet_length(error_message), 0))::int8", limit: limit + 1))
                .map { try $0.decode(Int.self, column: 0) }
            let take = AnswerBudget.rowsThatFit(sizes: sizes, budget: maxAnswerBytes, limit: limit)
            let messages = take == 0 ? [] : try await tx.query(page(MessageTable.selectList(), limit: take)).map { try MessageTable.decode($0).record }
            let nextCursor = sizes.count > messages.count ? messages.last?.messageIndex : nil
            return ConversationDetail(conversation: conversation, messages: messages, nextCursor: nextCursor)
        }
    }
}
