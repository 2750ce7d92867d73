import Foundation

/// One validated write, as the writer receives it.
public enum WriteOperation: Sendable {
    case createConversation(tenantId: UUID, id: UUID, request: ConversationCreateRequest, requestHash: Data, receivedAt: Date)
    case updateConversation(tenantId: UUID, id: UUID, request: ConversationUpdateRequest, receivedAt: Date)
    case createMessage(tenantId: UUID, conversationId: UUID, id: UUID, request: MessageCreateRequest, requestHash: Data, receivedAt: Date)
}

/// What a write produced: the stored object, and whether this request created it (false for a replayed retry).
public enum WriteResult: Sendable, Equatable {
    case conversation(ConversationRecord, created: Bool)
    case message(MessageRecord, created: Bool)
}

/// A write's outcome: its result or its own error (one bad write never fails the others of its flush).
public typealias WriteOutcome = Result<WriteResult, APIError>
