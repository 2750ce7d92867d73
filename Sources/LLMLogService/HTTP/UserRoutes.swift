import Analytics
import Foundation
import Hummingbird
import NIOCore
import PGClient

/// `DELETE /v1/users/{userId}` (admin key): erases the user (`UserErasure`); `GET /v1/users/{userId}/export` (admin
/// key): everything held about the user as NDJSON — one `{"record": "conversation", …}` line per conversation, followed
/// by a `{"record": "message", …}` line per message and a `{"record": "score", …}` line per feedback score — streamed in
/// pages, for access requests before an erasure.
struct UserRoutes {
    let pool: PGPool
    let readShare: ReadShare
    let timeout: Duration

    func register(on group: RouterGroup<AppContext>) {
        group.delete("users/{userId}") { _, context in
            let principal = try context.require([.admin])
            return try await UserErasure(pool: pool).erase(tenantId: principal.tenantId, userId: try Self.userId(context))
        }
        group.get("users/{userId}/export") { _, context in
            let principal = try context.require([.admin])
            return try export(tenantId: principal.tenantId, userId: try Self.userId(context))
        }
    }

    /// The `userId` path parameter (1…256 characters).
    static func userId(_ context: AppContext) throws(APIError) -> String {
        let userId = context.parameters.get("userId") ?? ""
        try IngestValidation.text(userId, field: "userId", max: 256, required: true)
        return userId
    }

    /// The export's body: pages of conversations (newest first) and each conversation's messages, written as they
    /// are read, each page in a read transaction of its own (memory stays one page whatever the user holds).
    func export(tenantId: UUID, userId: String) throws -> Response {
        let scope = AnalyticsScope.tenant(tenantId)
        let body = ResponseBody { writer in
            let filters = ConversationFilters(userId: userId)
            var after: (createdAt: Date, id: UUID)?
            while true {
                let page = try await pool.read(scope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx in
                    try await ConversationReads.page(tx, tenantId: tenantId, filters: filters, after: after, limit: 50, maxAnswerBytes: 4 << 20)
                }
                for conversation in page.conversations {
                    try await writer.write(Self.line("conversation", conversation))
                    var afterIndex: Int32 = -1
                    while true {
                        let messages = try await pool.read(scope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx in
                            try await MessageReads.page(
                                tx, tenantId: tenantId, conversationId: conversation.id, after: afterIndex, limit: 500, maxAnswerBytes: 4 << 20)
                        }
                        for message in messages.messages { try await writer.write(Self.line("message", message)) }
                        guard messages.more, let last = messages.messages.last else { break }
                        afterIndex = Int32(last.messageIndex)
                    }
                    var afterScore: UUID?
                    while true {
                        let scores = try await pool.read(scope, share: readShare, timeout: timeout, isolation: .repeatableRead) { tx in
                            try await ScoreTable.page(tx, tenantId: tenantId, conversationId: conversation.id, after: afterScore, limit: 500)
                        }
                        for score in scores.scores { try await writer.write(Self.line("score", score)) }
                        guard scores.more, let last = scores.scores.last else { break }
                        afterScore = last.id
                    }
                }
                guard page.more, let last = page.conversations.last else { break }
                after = (last.createdAt, last.id)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    /// One NDJSON line: the record's JSON object with `"record"` (conversation, message or score) first; not `type`, which a
    /// conversation has.
    static func line(_ kind: String, _ record: some Encodable) throws -> ByteBuffer {
        let object = try APIJSON.encoder().encode(record)
        var buffer = ByteBuffer(string: #"{"record":"\#(kind)","#)
        buffer.writeBytes(object.dropFirst())
        buffer.writeString("\n")
        return buffer
    }
}

extension UserErasure.Result: ResponseEncodable {}
