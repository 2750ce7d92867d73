import Foundation
import PGClient

/// A conversation row as the writer holds it during a flush: the API record plus the writer's counters.
struct ConversationState {
    var tenantId: UUID
    var record: ConversationRecord
    var usageMessageCount: Int
    var unpricedMessageCount: Int
    var nextMessageIndex: Int
    var requestHash: Data
    var dirty = false
    /// False when the writer read only the counters (title, error message and metadata are then placeholders:
    /// nil, nil and {}), and so may write back only the counters.
    var detailsLoaded = true

    /// Reported totals count only while no message carried usage (so they are never added to derived ones).
    var effectiveReportedTokens: Int64 { usageMessageCount == 0 ? record.reportedTotalTokens ?? 0 : 0 }
    var effectiveReportedCost: Decimal { usageMessageCount == 0 ? record.reportedTotalCost ?? 0 : 0 }

    /// The rollup row that counts this conversation (its creation hour).
    var rollupKey: RollupKey {
        RollupKey(tenantId: tenantId, time: record.createdAt, provider: record.provider, model: record.model,
                  type: record.type, userId: record.userId)
    }

    static let columns = """
        tenant_id, id, user_id, type, title, document_id, provider, model, status, total_tokens_used, total_cost,
        message_count, usage_message_count, unpriced_message_count, next_message_index, reported_total_tokens,
        reported_total_cost, error_message, metadata, request_hash, created_at, updated_at, completed_at
        """

    /// `columns` as the writer's lock query selects them (`c` the row, `k.d` whether its details are wanted): title,
    /// error message and metadata only where `k.d`, so a flush of messages reads no client-sized text.
    static let lockedColumns = """
        c.tenant_id, c.id, c.user_id, c.type, CASE WHEN k.d THEN c.title END, c.document_id, c.provider, c.model, c.status,
        c.total_tokens_used, c.total_cost, c.message_count, c.usage_message_count, c.unpriced_message_count,
        c.next_message_index, c.reported_total_tokens, c.reported_total_cost, CASE WHEN k.d THEN c.error_message END,
        CASE WHEN k.d THEN c.metadata ELSE '{}'::jsonb END, c.request_hash, c.created_at, c.updated_at, c.completed_at
        """

    init(tenantId: UUID, record: ConversationRecord, usageMessageCount: Int = 0, unpricedMessageCount: Int = 0,
         nextMessageIndex: Int = 0, requestHash: Data) {
        self.tenantId = tenantId
        self.record = record
        self.usageMessageCount = usageMessageCount
        self.unpricedMessageCount = unpricedMessageCount
        self.nextMessageIndex = nextMessageIndex
        self.requestHash = requestHash
    }

    init(row: PGRow) throws {
        let (tenantId, id, userId, type, title, documentId, provider, model, status, totalTokens, totalCost,
             messageCount, usageCount, unpricedCount, nextIndex, reportedTokens, reportedCost, errorMessage, metadata,
             requestHash, createdAt, updatedAt, completedAt) = try row.decode(
                (UUID, UUID, String?, String, String?, String?, String, String, String, Int64, Decimal,
                 Int, Int, Int, Int, Int64?, Decimal?, String?, PGJSON<JSONValue>, Data, Date, Date, Date?).self)
        self.tenantId = tenantId
        self.record = ConversationRecord(
            id: id, userId: userId, type: type, title: title, documentId: documentId, provider: provider, model: model,
            status: try ConversationStatus(column: "status", status), totalTokensUsed: totalTokens, totalCost: totalCost,
            messageCount: messageCount, reportedTotalTokens: reportedTokens, reportedTotalCost: reportedCost,
            errorMessage: errorMessage, metadata: metadata.value, createdAt: createdAt, updatedAt: updatedAt,
            completedAt: completedAt)
        self.usageMessageCount = usageCount
        self.unpricedMessageCount = unpricedCount
        self.nextMessageIndex = nextIndex
        self.requestHash = requestHash
    }
}

extension RawRepresentable where RawValue == String {
    /// The case stored as `text` in `column`; an unknown value is a decoding error naming the column, never a default.
    init(column: String, _ text: String) throws {
        guard let value = Self(rawValue: text) else {
            throw PGError(kind: .decoding, message: "unknown value \"\(text)\" in column \(column)", column: column)
        }
        self = value
    }
}
