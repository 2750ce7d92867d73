import Foundation
import Hummingbird
import NIOCore
import PGClient

/// The exports: every conversation (or every message of every conversation) that `principal` may see and that
/// matches the list's filters, streamed page by page in constant memory. Conversations come in the list's keyset
/// pages (`ConversationListRoute.page`); messages in keyset pages over each page of conversations, bounded by the
/// answer budget like every read. Each page is read in a transaction of its own and written out before the next
/// is read, so no connection waits on a slow client. The first page is read before the answer starts, so a bad
/// filter or an unavailable database is still an ordinary error answer.
struct ConversationExport: Sendable {
    let list: ConversationListRoute
    /// Conversations per page.
    var pageSize = 200
    /// Messages per page at most (the answer budget, 4 MiB by default, usually ends a page first): large, so a page of
    /// conversations' messages is mostly one query (each page re-reads and sorts the page's messages up to its cut).
    var messagePageSize = 10_000

    func conversations(principal: Principal, filters: ConversationFilters, format: ExportFormat) async throws -> Response {
        let list = self.list, pageSize = self.pageSize
        let first = try await list.page(principal: principal, filters: filters, cursor: nil, limit: pageSize)
        let body = ResponseBody { writer in
            var page = first
            var out = JSONWriter(buffer: ByteBuffer())
            if format == .csv { out.buffer.writeString(CSVRow.line(ExportFormat.conversationColumns)) }
            while true {
                for conversation in page.conversations {
                    if format == .csv {
                        out.buffer.writeString(CSVRow.line(ExportFormat.fields(conversation)))
                    } else {
                        conversation.writeJSON(&out)
                        out.endLine()
                    }
                }
                try await writer.write(out.buffer)
                out.buffer.clear()
                guard let next = page.next else { break }
                page = try await list.page(principal: principal, filters: filters, cursor: next, limit: pageSize)
            }
            try await writer.finish(nil)
        }
        return Self.response(body, format: format, name: "conversations")
    }

    func messages(principal: Principal, filters: ConversationFilters, format: ExportFormat) async throws -> Response {
        let list = self.list, pageSize = self.pageSize, messagePageSize = self.messagePageSize
        let first = try await list.page(principal: principal, filters: filters, cursor: nil, limit: pageSize)
        let body = ResponseBody { writer in
            var page = first
            var out = JSONWriter(buffer: ByteBuffer())
            if format == .csv { out.buffer.writeString(CSVRow.line(ExportFormat.messageColumns)) }
            while true {
                let ids = page.conversations.map(\.id)
                var after: (conversation: UUID, index: Int)?
                var more = !ids.isEmpty
                while more {
                    let messages: [MessageRecord]
                    (messages, more) = try await Self.messagePage(list, principal: principal, ids: ids, after: after, limit: messagePageSize)
                    for message in messages {
                        if format == .csv {
                            out.buffer.writeString(CSVRow.line(ExportFormat.fields(message)))
                        } else {
                            message.writeJSON(&out)
                            out.endLine()
                        }
                    }
                    try await writer.write(out.buffer)
                    out.buffer.clear()
                    guard let last = messages.last else { break }
                    after = (last.conversationId, last.messageIndex)
                }
                guard let next = page.next else { break }
                page = try await list.page(principal: principal, filters: filters, cursor: next, limit: pageSize)
            }
            try await writer.finish(nil)
        }
        return Self.response(body, format: format, name: "messages")
    }

    /// Messages of `ids` after `after`, at most `limit`, cut where their text would pass the answer budget; `more`
    /// when rows are left after them.
    static func messagePage(
        _ list: ConversationListRoute, principal: Principal, ids: [UUID], after: (conversation: UUID, index: Int)?, limit: Int
    ) async throws -> (messages: [MessageRecord], more: Bool) {
        try await list.reads.read(principal.readScope, share: list.readShare, timeout: list.timeout, isolation: .repeatableRead) { tx in
            let page = try await BudgetedPage.read(
                tx, limit: limit, maxAnswerBytes: list.maxAnswerBytes, size: MessageTable.answerSize, columns: MessageTable.selectList(),
                query: { ConversationListQuery.messages($0, tenantId: principal.tenantId, conversationIds: ids, after: after, limit: $1) },
                decode: { try MessageTable.decode($0).record })
            return (page.rows, page.more)
        }
    }

    static func response(_ body: ResponseBody, format: ExportFormat, name: String) -> Response {
        let headers: HTTPFields = [
            .contentType: format.contentType,
            .contentDisposition: "attachment; filename=\"\(name).\(format == .csv ? "csv" : "ndjson")\"",
            .cacheControl: "no-store",
        ]
        return Response(status: .ok, headers: headers, body: body)
    }
}
