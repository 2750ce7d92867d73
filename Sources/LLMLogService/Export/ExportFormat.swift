import Foundation

/// The formats of the exports: NDJSON (one API JSON object per line, the default) or CSV (`format=csv`).
enum ExportFormat: String, Sendable {
    case ndjson, csv

    /// `format` (empty or absent: NDJSON); anything else is a 400 naming `format`.
    init(parameter: String?) throws(APIError) {
        guard let parameter, !parameter.isEmpty else {
            self = .ndjson
            return
        }
        guard let format = ExportFormat(rawValue: parameter) else { throw APIError.invalid("format", "must be ndjson or csv") }
        self = format
    }

    var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }

    static func json(_ value: JSONValue) -> String {
        (try? APIJSON.encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static let conversationColumns = [
        "id", "userId", "type", "title", "documentId", "provider", "model", "status", "totalTokensUsed", "totalCost", "messageCount",
        "reportedTotalTokens", "reportedTotalCost", "errorMessage", "metadata", "createdAt", "updatedAt", "completedAt",
    ]

    /// A conversation's CSV fields, in `conversationColumns` order, written as the API writes them.
    static func fields(_ c: ConversationRecord) -> [String?] {
        [
            c.id.lowercasedString, c.userId, c.type, c.title, c.documentId, c.provider, c.model, c.status.rawValue, String(c.totalTokensUsed),
            "\(c.totalCost)", String(c.messageCount), c.reportedTotalTokens.map(String.init), c.reportedTotalCost.map { "\($0)" }, c.errorMessage,
            json(c.metadata), ISO8601.format(c.createdAt), ISO8601.format(c.updatedAt), c.completedAt.map(ISO8601.format),
        ]
    }

    static let messageColumns = [
        "id", "conversationId", "role", "content", "provider", "model", "inputTokens", "cachedInputTokens", "cacheCreationInputTokens",
        "outputTokens", "reasoningTokens", "totalTokens", "cost", "costSource", "processingTime", "messageIndex", "finishReason",
        "temperature", "maxTokens", "errorMessage", "metadata", "createdAt",
    ]

    /// A message's CSV fields, in `messageColumns` order.
    static func fields(_ m: MessageRecord) -> [String?] {
        func number(_ value: Int64?) -> String? { value.map(String.init) }
        return [
            m.id.lowercasedString, m.conversationId.lowercasedString, m.role.rawValue, m.content, m.provider, m.model,
            number(m.inputTokens), number(m.cachedInputTokens), number(m.cacheCreationInputTokens), number(m.outputTokens),
            number(m.reasoningTokens), number(m.totalTokens), m.cost.map { "\($0)" }, m.costSource.rawValue, number(m.processingTime),
            String(m.messageIndex), m.finishReason, m.temperature.map { "\($0)" }, number(m.maxTokens), m.errorMessage, json(m.metadata),
            ISO8601.format(m.createdAt),
        ]
    }
}
