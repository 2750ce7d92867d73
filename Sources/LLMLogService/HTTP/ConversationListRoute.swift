import Foundation
import Hummingbird
import PGClient

/// `GET /v1/conversations?type=&status=&userId=&from=&to=&limit=&cursor=`: the caller's visible conversations,
/// newest first, with keyset pagination (`nextCursor`, opaque). `limit` 1…200 (default 50); `from` inclusive and
/// `to` exclusive bound `createdAt`; `userId` is a filter for admins only (a user token sees its own anyway). A page
/// also ends early, with a cursor, where its conversations' text would pass `maxAnswerBytes`.
struct ConversationListRoute {
    let pool: PGPool
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
    struct Cursor {
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
        func parameter(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        let type = parameter("type")
        if let type, !IngestValidation.isValidType(type) { throw APIError.invalid("type", "must match ^[A-Z][A-Z0-9_]{0,63}$") }
        let status = try parameter("status").map { text throws(APIError) -> String in
            guard ConversationStatus(rawValue: text) != nil else {
                throw APIError.invalid("status", "must be one of ACTIVE, COMPLETED, FAILED, CANCELLED")
            }
            return text
        }
        func date(_ name: String) throws(APIError) -> Date? {
            guard let text = parameter(name) else { return nil }
            guard let date = ISO8601.parse(text) else { throw APIError.invalid(name, "is not an ISO 8601 date-time") }
            return date
        }
        let from = try date("from"), to = try date("to")
        var userId = principal.userId
        if let requested = parameter("userId") {
            guard principal.role == .admin else { throw APIError(.forbidden, code: "forbidden", message: "only admin keys filter by userId", field: "userId") }
            userId = requested
        }
        let cursor = try parameter("cursor").map { text throws(APIError) -> Cursor in
            guard let cursor = Cursor(text) else { throw APIError.invalid("cursor", "is not a cursor this API gave out") }
            return cursor
        }
        let filter = ConversationFilter(
            tenantId: principal.tenantId, userId: userId, type: type, status: status, from: from, to: to,
            after: cursor.map { ($0.createdAt, $0.id) })
        // Repeatable read: the sizes and the rows come from one snapshot.
        let (conversations, more) = try await pool.read(principal.readScope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx in
            try await ConversationReads.page(tx, filter, limit: limit, maxAnswerBytes: maxAnswerBytes)
        }
        let next = more ? conversations.last.map { Cursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return Page(conversations: conversations, nextCursor: next)
    }
}
