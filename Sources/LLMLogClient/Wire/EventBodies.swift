import Foundation

/// `conversation.create` body (the service's `ConversationCreateRequest`); the id is always the client's.
struct ConversationCreateBody: Encodable, Sendable, Equatable {
    var id: UUID
    var userId: String?
    var type: ConversationType
    var title: String?
    var documentId: String?
    var provider: String
    var model: String
    var metadata: [String: LLMLogJSON]?
    var createdAt: Date
}

/// `conversation.update` body: the conversation reference plus the service's `ConversationUpdateRequest`.
struct ConversationUpdateBody: Encodable, Sendable, Equatable {
    var conversationId: UUID
    var status: ConversationStatus?
    var title: String?
    var errorMessage: String?
    var metadata: [String: LLMLogJSON]?
    var totalTokensUsed: Int64?
    var totalCost: Decimal?
}

/// `message.create` body: the conversation reference plus the service's `MessageCreateRequest`.
struct MessageCreateBody: Encodable, Sendable, Equatable {
    var conversationId: UUID
    var id: UUID
    var role: MessageRole
    var content: String
    var inputTokens: Int64?
    var outputTokens: Int64?
    var totalTokens: Int64?
    var cachedInputTokens: Int64?
    var cacheCreationInputTokens: Int64?
    var reasoningTokens: Int64?
    var cost: Decimal?
    var processingTime: Int64?
    var messageIndex: Int64?
    var finishReason: String?
    var temperature: Double?
    var maxTokens: Int64?
    var errorMessage: String?
    var metadata: [String: LLMLogJSON]?
    var createdAt: Date
}
