import Foundation
import PGClient

/// `llm_conversations`, declared once: the writer's inserts, lock and write-backs, the reads' select lists and their
/// decoding all come from `columns`. Adding a column is one line here (and a migration).
enum ConversationTable {
    static let name = "llm_conversations"

    /// What a column is to the writer.
    enum Role {
        /// Identity and creation-time attributes: written once, by the insert of a new conversation.
        case identity
        /// Client-sized text (title, error message, metadata): read only for the conversations a flush creates or
        /// updates; `placeholder` is what the lock query selects for the others.
        case detail(placeholder: String)
        /// Changed by conversation updates (status and reported totals).
        case updated
        /// Derived counters, changed by messages too.
        case counter
    }

    static let columns: [(column: TableColumn<ConversationState>, role: Role)] = [
        (.field("tenant_id", "uuid", \.tenantId), .identity),
        (.field("id", "uuid", \.record.id), .identity),
        (.field("user_id", "text", \.record.userId), .identity),
        (.field("type", "text", \.record.type), .identity),
        (.field("title", "text", \.record.title), .detail(placeholder: "NULL")),
        (.field("document_id", "text", \.record.documentId), .identity),
        (.field("provider", "text", \.record.provider), .identity),
        (.field("model", "text", \.record.model), .identity),
        (.field("status", "text", \.record.status, store: \.rawValue, load: { try ConversationStatus(column: "status", $0) }), .updated),
        (.field("total_tokens_used", "int8", \.record.totalTokensUsed), .counter),
        (.field("total_cost", "numeric", \.record.totalCost), .counter),
        (.field("message_count", "int4", \.record.messageCount, store: { Int32($0) }, load: { Int($0) }), .counter),
        (.field("usage_message_count", "int4", \.usageMessageCount, store: { Int32($0) }, load: { Int($0) }), .counter),
        (.field("unpriced_message_count", "int4", \.unpricedMessageCount, store: { Int32($0) }, load: { Int($0) }), .counter),
        (.field("next_message_index", "int4", \.nextMessageIndex, store: { Int32($0) }, load: { Int($0) }), .counter),
        (.field("reported_total_tokens", "int8", \.record.reportedTotalTokens), .updated),
        (.field("reported_total_cost", "numeric", \.record.reportedTotalCost), .updated),
        (.field("error_message", "text", \.record.errorMessage), .detail(placeholder: "NULL")),
        (.field("metadata", "jsonb", \.record.metadata, store: { PGJSON($0) }, load: { $0.value }), .detail(placeholder: "'{}'::jsonb")),
        (.field("request_hash", "bytea", \.requestHash), .identity),
        (.field("created_at", "timestamptz", \.record.createdAt), .identity),
        (.field("updated_at", "timestamptz", \.record.updatedAt), .counter),
        (.field("completed_at", "timestamptz", \.record.completedAt), .updated),
        (.field("experiment", "text", \.record.experiment), .identity),
        (.field("variant", "text", \.record.variant), .identity),
    ]

    static let allColumns = columns.map(\.column)

    /// The bytes of a row's client-sized text (title, error message, metadata): what `AnswerBudget` counts.
    static let answerSize =
        "(coalesce(octet_length(title), 0) + coalesce(octet_length(error_message), 0) + octet_length(metadata::text))::int8"

    /// Every column, for a select (`prefix`: a table alias and dot).
    static func selectList(prefix: String = "") -> String { allColumns.columnList(prefix: prefix) }

    /// A row selected with `selectList()` (or the writer's `lockedSelectList`).
    static func decode(_ row: PGRow) throws -> ConversationState {
        var state = ConversationState.blank
        try allColumns.decode(row, into: &state)
        return state
    }

    /// The select list of the writer's lock query over `c` (the row) and `k.d` (whether its details are wanted):
    /// detail columns only where `k.d`, their placeholders elsewhere.
    static let lockedSelectList = columns.map { column, role in
        if case .detail(let placeholder) = role { "CASE WHEN k.d THEN c.\(column.name) ELSE \(placeholder) END" } else { "c.\(column.name)" }
    }.joined(separator: ", ")

    /// Inserts new conversations, skipping ids that exist, and returns the keys it inserted.
    static func insertNew(_ states: [ConversationState]) -> PGQuery {
        allColumns.insert(into: name, states, suffix: " ON CONFLICT (tenant_id, id) DO NOTHING RETURNING tenant_id, id")
    }

    /// Writes conversations back by an upsert on the primary key (the rows exist and are locked; the insert half
    /// never happens and carries the NOT NULL columns only to satisfy them): with `details`, everything a flush may
    /// change; without, the counters only (their title, error message and metadata were not read).
    static func writeBack(_ states: [ConversationState], details: Bool) -> PGQuery {
        func changes(_ role: Role) -> Bool {
            switch role {
            case .identity: false
            case .counter: true
            case .updated, .detail: details
            }
        }
        func identity(_ role: Role) -> Bool { if case .identity = role { true } else { false } }
        let written = columns.filter { identity($0.role) || changes($0.role) }.map(\.column)
        let set = columns.filter { changes($0.role) }.map { "\($0.column.name) = EXCLUDED.\($0.column.name)" }.joined(separator: ", ")
        return written.insert(into: name, states, suffix: " ON CONFLICT (tenant_id, id) DO UPDATE SET \(set)")
    }
}

extension ConversationState {
    /// The state `ConversationTable.decode` starts from; every column of the select list then sets its field.
    static let blank = ConversationState(
        tenantId: TableColumnPlaceholder.id,
        record: ConversationRecord(
            id: TableColumnPlaceholder.id, userId: nil, type: "", title: nil, documentId: nil, provider: "", model: "", status: .active,
            totalTokensUsed: 0, totalCost: 0, messageCount: 0, reportedTotalTokens: nil, reportedTotalCost: nil, errorMessage: nil,
            metadata: .emptyObject, createdAt: TableColumnPlaceholder.date, updatedAt: TableColumnPlaceholder.date, completedAt: nil),
        requestHash: Data())
}
