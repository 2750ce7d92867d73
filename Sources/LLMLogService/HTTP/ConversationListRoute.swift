import Foundation
import Hummingbird
import PGClient

/// `GET /v1/conversations?type=&status=&userId=&model=&from=&to=&q=&limit=&cursor=`: the caller's visible conversations,
/// newest first, with keyset pagination (`nextCursor`, opaque). `limit` 1…200 (default 50); `from` inclusive and
/// `to` exclusive bound `createdAt`; `userId` is a filter for admins only (a user token sees its own anyway). A page
/// also ends early, with a cursor, where its conversations' text would pass `maxAnswerBytes`.
struct ConversationListRoute {
    /// The replica when one is configured and up, else the primary.
    let reads: ReadPools
    /// Statement timeout of the read.
    var timeout: Duration = .seconds(5)
    /// Largest `limit`.
    var maxPageSize = 200
    /// Most bytes of titles, error messages and metadata in one page (see `AnswerBudget`).
    var maxAnswerBytes = IngestLimits().maxAnswerBytes
    /// The per-tenant bound on concurrent reads.
    var readShare = ReadShare(limit: 4)

    struct Page: ResponseEncodable {
        let conversations: [ConversationRecord]
        let nextCursor: String?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(conversations, forKey: .conversations)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
        enum CodingKeys: String, CodingKey { case conversations, nextCursor }
    }

    /// A position in the newest-first order: the last row's createdAt (µs) and id.
    struct Cursor: Sendable {
        let createdAt: Date
        let id: UUID

        var encoded: String { Base64URL.encode(Data("\(ISO8601.format(createdAt))|\(id.lowercasedString)".utf8)) }

        init(createdAt: Date, id: UUID) {
            self.createdAt = createdAt
            self.id = id
        }

        init?(_ text: String) {
            guard let data = Base64URL.decode(Substring(text)), let decoded = String(data: data, encoding: .utf8) else { return nil }
            let parts = decoded.split(separator: "|")
            guard parts.count == 2, let date = ISO8601.parse(String(parts[0])), let id = UUID(uuidString: String(parts[1])) else { return nil }
            self.init(createdAt: date, id: id)
        }
    }

    func register(on group: RouterGroup<AppContext>) {
        group.get("conversations") { request, context in try await list(request, context) }
    }

    func list(_ request: Request, _ context: AppContext) async throws -> Page {
        let principal = try context.require(ReadRoutes.readers)
        let query = request.uri.queryParameters
        let limit = try request.integer("limit", default: min(50, maxPageSize), range: 1...max(1, maxPageSize))
        let filters = try ConversationFilters(query, principal: principal)
        let cursor = try Self.cursor(query.get("cursor"))
        let (conversations, next) = try await page(principal: principal, filters: filters, cursor: cursor, limit: limit)
        return Page(conversations: conversations, nextCursor: next?.encoded)
    }

    /// A `cursor` parameter (empty: none); 400 naming `cursor` when this API did not give it out.
    static func cursor(_ text: String?) throws(APIError) -> Cursor? {
        guard let text, !text.isEmpty else { return nil }
        guard let cursor = Cursor(text) else { throw APIError.invalid("cursor", "is not a cursor this API gave out") }
        return cursor
    }

    /// One page of what `principal` may see matching `filters`, after `cursor`: the conversations and the next
    /// page's cursor (nil at the end). The API's list, the dashboard's and the exports all read through here.
    func page(
        principal: Principal, filters: ConversationFilters, cursor: Cursor?, limit: Int
    ) async throws -> (conversations: [ConversationRecord], next: Cursor?) {
        // Repeatable read: the sizes and the rows come from one snapshot.
        let (conversations, more) = try await reads.read(principal.readScope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx in
            try await ConversationReads.page(
                tx, tenantId: principal.tenantId, filters: filters, after: cursor.map { ($0.createdAt, $0.id) }, limit: limit,
                maxAnswerBytes: maxAnswerBytes)
        }
        let next = more ? conversations.last.map { Cursor(createdAt: $0.createdAt, id: $0.id) } : nil
        return (conversations, next)
    }
}
