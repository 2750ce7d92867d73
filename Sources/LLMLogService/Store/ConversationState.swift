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
        RollupKey(
            tenantId: tenantId, time: record.createdAt, provider: record.provider, model: record.model,
            type: record.type, userId: record.userId)
    }

    /// The state of a conversation created from `request` (what the insert of a new conversation writes).
    init(tenantId: UUID, id: UUID, creating request: ConversationCreateRequest, requestHash: Data, receivedAt: Date) {
        let createdAt = request.createdAt ?? receivedAt
        self.init(
            tenantId: tenantId,
            record: ConversationRecord(
                id: id, userId: request.userId, type: request.type, title: request.title, documentId: request.documentId,
                provider: request.provider, model: request.model, status: .active, totalTokensUsed: 0, totalCost: 0, messageCount: 0,
                reportedTotalTokens: nil, reportedTotalCost: nil, errorMessage: nil, metadata: request.metadata ?? .emptyObject,
                createdAt: createdAt, updatedAt: createdAt, completedAt: nil, experiment: request.experiment, variant: request.variant),
            requestHash: requestHash)
    }

    init(
        tenantId: UUID, record: ConversationRecord, usageMessageCount: Int = 0, unpricedMessageCount: Int = 0,
        nextMessageIndex: Int = 0, requestHash: Data
    ) {
        self.tenantId = tenantId
        self.record = record
        self.usageMessageCount = usageMessageCount
        self.unpricedMessageCount = unpricedMessageCount
        self.nextMessageIndex = nextMessageIndex
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
