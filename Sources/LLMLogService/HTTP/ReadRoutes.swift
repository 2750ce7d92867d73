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
    /// The replica when one is configured and up, else the primary.
    let reads: ReadPools
    /// Statement timeout of the read.
    var timeout: Duration = .seconds(5)
    /// Most bytes of message text in one answer (see `AnswerBudget`).
    var maxAnswerBytes = IngestLimits().maxAnswerBytes
    /// The per-tenant bound on concurrent reads.
    var readShare = ReadShare(limit: 4)
    static let readers: Set<PrincipalRole> = [.admin, .user]

    struct ConversationDetail: ResponseEncodable {
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

    func conversation(_ request: Request, _ context: AppContext) async throws -> ConversationDetail {
        try await conversation(id: context.pathID(), request, context)
    }

    /// The detail of conversation `id` as the caller may see it (also the seed route's `action=conversation`).
    func conversation(id: UUID, _ request: Request, _ context: AppContext) async throws -> ConversationDetail {
        let principal = try context.require(Self.readers)
        let limit = try request.integer("limit", default: 200, range: 1...1000)
        let after = try request.integer("after", default: -1, range: -1...Int(Int32.max))
        guard let detail = try await detail(id: id, principal: principal, limit: limit, after: after) else {
            throw APIError.notFound("conversation", field: "id")
        }
        return detail
    }

    /// Conversation `id` with a page of its messages (`limit`, after message index `after`) as `principal` may see
    /// it; nil when it does not exist for the caller (the API's detail and the dashboard's both read through here).
    func detail(id: UUID, principal: Principal, limit: Int, after: Int) async throws -> ConversationDetail? {
        // Repeatable read: the sizes and the rows come from one snapshot.
        try await reads.read(principal.readScope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx -> ConversationDetail? in
            guard let conversation = try await ConversationReads.one(tx, tenantId: principal.tenantId, id: id, userId: principal.userId) else {
                return nil
            }
            let page = try await MessageReads.page(
                tx, tenantId: principal.tenantId, conversationId: id, after: Int32(after), limit: limit, maxAnswerBytes: maxAnswerBytes)
            let messages = page.messages
            let nextCursor = page.more ? messages.last?.messageIndex : nil
            return ConversationDetail(conversation: conversation, messages: messages, nextCursor: nextCursor)
        }
    }
}
