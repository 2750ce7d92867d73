import Foundation

/// One validated write, as the writer receives it.
public enum WriteOperation: Sendable {
    case createConversation(tenantId: UUID, id: UUID, request: ConversationCreateRequest, requestHash: Data, receivedAt: Date)
    case updateConversation(tenantId: UUID, id: UUID, request: ConversationUpdateRequest, receivedAt: Date)
    case createMessage(tenantId: UUID, conversationId: UUID, id: UUID, request: MessageCreateRequest, requestHash: Data, receivedAt: Date)
}

extension WriteOperation {
    /// The tenant the operation writes to.
    public var tenantId: UUID {
        switch self {
        case .createConversation(let tenantId, _, _, _, _), .updateConversation(let tenantId, _, _, _),
            .createMessage(let tenantId, _, _, _, _, _):
            return tenantId
        }
    }
}

/// What a write produced: the stored object, and whether this request created it (false for a replayed retry).
public enum WriteResult: Sendable, Equatable {
    case conversation(ConversationRecord, created: Bool)
    case message(MessageRecord, created: Bool)
    /// A retried message that an earlier flush stored: what the writer's decision needed, not the stored content
    /// (the writer never reads content back; a route that answers with the record reads it itself).
    case replayedMessage(MessageReplay)
}

/// A stored message as the writer's idempotency check sees it: everything but its content and metadata.
public struct MessageReplay: Sendable, Equatable {
    public let id: UUID
    public let conversationId: UUID
    public let role: MessageRole
    public let messageIndex: Int
}

/// A write's outcome: its result or its own error (one bad write never fails the others of its flush).
public typealias WriteOutcome = Result<WriteResult, APIError>
