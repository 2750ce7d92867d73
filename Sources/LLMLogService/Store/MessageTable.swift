import Foundation
import PGClient

/// A row of `llm_messages`: the API's record, and what only the table holds.
struct StoredMessage: Sendable {
    var tenantId: UUID
    var record: MessageRecord
    /// The fingerprint of the request that created it (an idempotent retry must match it).
    var requestHash: Data
    /// The conversation's user, copied for the per-user row-level-security policy.
    var userId: String?
}

/// `llm_messages`, declared once: the insert of the writer, the select lists of the reads and their decoding all come
/// from `columns`. Adding a column is one line here (and a migration).
enum MessageTable {
    static let name = "llm_messages"

    static let columns: [TableColumn<StoredMessage>] = [
        .field("tenant_id", "uuid", \.tenantId),
        .field("id", "uuid", \.record.id),
        .field("conversation_id", "uuid", \.record.conversationId),
        .field("role", "text", \.record.role, store: \.rawValue, load: { try MessageRole(column: "role", $0) }),
        .field("content", "text", \.record.content),
        .field("provider", "text", \.record.provider),
        .field("model", "text", \.record.model),
        .field("input_tokens", "int8", \.record.inputTokens),
        .field("cached_input_tokens", "int8", \.record.cachedInputTokens),
        .field("cache_creation_input_tokens", "int8", \.record.cacheCreationInputTokens),
        .field("output_tokens", "int8", \.record.outputTokens),
        .field("reasoning_tokens", "int8", \.record.reasoningTokens),
        .field("total_tokens", "int8", \.record.totalTokens),
        .field("cost", "numeric", \.record.cost),
        .field("cost_source", "text", \.record.costSource, store: \.rawValue, load: { try CostSource(column: "cost_source", $0) }),
        .field("processing_time", "int4", \.record.processingTime, store: { $0.map(Int32.init) }, load: { $0.map(Int64.init) }),
        .field("message_index", "int4", \.record.messageIndex, store: { Int32($0) }, load: { Int($0) }),
        .field("finish_reason", "text", \.record.finishReason),
        .field("temperature", "float8", \.record.temperature),
        .field("max_tokens", "int4", \.record.maxTokens, store: { $0.map(Int32.init) }, load: { $0.map(Int64.init) }),
        .field("error_message", "text", \.record.errorMessage),
        .field("metadata", "jsonb", \.record.metadata, store: { PGJSON($0) }, load: { $0.value }),
        .field("request_hash", "bytea", \.requestHash),
        .field("created_at", "timestamptz", \.record.createdAt),
        .field("user_id", "text", \.userId),
        .field("prompt_name", "text", \.record.promptName),
        .field("prompt_version", "text", \.record.promptVersion),
    ]

    /// The bytes of a row's client-sized text (content, metadata, error message): what `AnswerBudget` counts.
    static let answerSize = "(octet_length(content) + octet_length(metadata::text) + coalesce(octet_length(error_message), 0))::int8"

    /// Every column, for a select (`prefix`: a table alias and dot).
    static func selectList(prefix: String = "") -> String { columns.columnList(prefix: prefix) }

    /// Inserts `rows` in one statement (its text is the same for any number of rows: it can be prepared), and notes
    /// those with content in the search queue in the same statement (`SearchIndexStatements`: indexed behind the writer).
    static func insert(_ rows: [StoredMessage]) -> PGQuery {
        columns.insert(
            into: name, rows, prefix: "WITH stored AS (",
            suffix: " RETURNING tenant_id, id, content <> '' AS searchable) " + SearchIndexStatements.queueStored)
    }

    /// A row selected with `selectList()`.
    static func decode(_ row: PGRow) throws -> StoredMessage {
        var message = StoredMessage.blank
        try columns.decode(row, into: &message)
        return message
    }
}

extension StoredMessage {
    /// The row `MessageTable.decode` starts from; every column of the select list then sets its field.
    static let blank = StoredMessage(
        tenantId: TableColumnPlaceholder.id,
        record: MessageRecord(
            id: TableColumnPlaceholder.id, conversationId: TableColumnPlaceholder.id, role: .user, content: "", provider: "", model: "",
            inputTokens: nil, outputTokens: nil, totalTokens: nil, cachedInputTokens: nil, cacheCreationInputTokens: nil,
            reasoningTokens: nil, cost: nil, costSource: .unpriced, processingTime: nil, messageIndex: 0, finishReason: nil,
            temperature: nil, maxTokens: nil, errorMessage: nil, metadata: .emptyObject, createdAt: TableColumnPlaceholder.date),
        requestHash: Data(), userId: nil)
}
