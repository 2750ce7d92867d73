import Foundation

/// A conversation as the API returns it. Every field is present; absent values are JSON null.
public struct ConversationRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var userId: String?
    public var type: String
    public var title: String?
    public var documentId: String?
    public var provider: String
    public var model: String
    public var status: ConversationStatus
    /// Sum of the messages' totalTokens (derived by the server).
    public var totalTokensUsed: Int64
    /// Sum of the messages' costs (derived by the server; unpriced messages add nothing).
    public var totalCost: Decimal
    public var messageCount: Int
    /// Totals the client reported with PATCH (kept apart from the derived ones).
    public var reportedTotalTokens: Int64?
    public var reportedTotalCost: Decimal?
    public var errorMessage: String?
    public var metadata: JSONValue
    public var createdAt: Date
    public var updatedAt: Date
    public var completedAt: Date?
    public var experiment: String? = nil
    public var variant: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, userId, type, title, documentId, provider, model, status, totalTokensUsed, totalCost, messageCount,
            reportedTotalTokens, reportedTotalCost, errorMessage, metadata, createdAt, updatedAt, completedAt, experiment, variant
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercasedString, forKey: .id)
        try container.encode(userId, forKey: .userId)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(documentId, forKey: .documentId)
        try container.encode(provider, forKey: .provider)
        try container.encode(model, forKey: .model)
        try container.encode(status, forKey: .status)
        try container.encode(totalTokensUsed, forKey: .totalTokensUsed)
        try container.encode(totalCost, forKey: .totalCost)
        try container.encode(messageCount, forKey: .messageCount)
        try container.encode(reportedTotalTokens, forKey: .reportedTotalTokens)
        try container.encode(reportedTotalCost, forKey: .reportedTotalCost)
        try container.encode(errorMessage, forKey: .errorMessage)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encode(experiment, forKey: .experiment)
        try container.encode(variant, forKey: .variant)
    }
}

/// A message as the API returns it. Every field is present; absent values are JSON null.
public struct MessageRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var conversationId: UUID
    public var role: MessageRole
    public var content: String
    public var provider: String
    public var model: String
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var totalTokens: Int64?
    public var cachedInputTokens: Int64?
    public var cacheCreationInputTokens: Int64?
    public var reasoningTokens: Int64?
    public var cost: Decimal?
    public var costSource: CostSource
    public var processingTime: Int64?
    public var messageIndex: Int
    public var finishReason: String?
    public var temperature: Double?
    public var maxTokens: Int64?
    public var errorMessage: String?
    public var metadata: JSONValue
    public var createdAt: Date
    /// The prompt that produced the message, as the client named it.
    public var promptName: String? = nil
    public var promptVersion: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, conversationId, role, content, provider, model, inputTokens, outputTokens, totalTokens, cachedInputTokens,
            cacheCreationInputTokens, reasoningTokens, cost, costSource, processingTime, messageIndex, finishReason,
            temperature, maxTokens, errorMessage, metadata, createdAt, promptName, promptVersion
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercasedString, forKey: .id)
        try container.encode(conversationId.lowercasedString, forKey: .conversationId)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        try container.encode(provider, forKey: .provider)
        try container.encode(model, forKey: .model)
        try container.encode(inputTokens, forKey: .inputTokens)
        try container.encode(outputTokens, forKey: .outputTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        try container.encode(cachedInputTokens, forKey: .cachedInputTokens)
        try container.encode(cacheCreationInputTokens, forKey: .cacheCreationInputTokens)
        try container.encode(reasoningTokens, forKey: .reasoningTokens)
        try container.encode(cost, forKey: .cost)
        try container.encode(costSource, forKey: .costSource)
        try container.encode(processingTime, forKey: .processingTime)
        try container.encode(messageIndex, forKey: .messageIndex)
        try container.encode(finishReason, forKey: .finishReason)
        try container.encode(temperature, forKey: .temperature)
        try container.encode(maxTokens, forKey: .maxTokens)
        try container.encode(errorMessage, forKey: .errorMessage)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(promptName, forKey: .promptName)
        try container.encode(promptVersion, forKey: .promptVersion)
    }
}
