import Foundation

extension LLMLogClient {
    /// Enqueues a new conversation (the seed's `createConversation`) and returns its id, made here (UUID v7) so it
    /// can be used at once, before the conversation reaches the service.
    /// - Parameters:
    ///   - id: the conversation's id; a new UUID v7 by default.
    ///   - createdAt: when it started; now by default (the service keeps the client's time of a late delivery).
    @discardableResult
    nonisolated(nonsending)
        public func createConversation(
            id: UUID? = nil, type: ConversationType, provider: String, model: String, userId: String? = nil,
            title: String? = nil, documentId: String? = nil, metadata: [String: LLMLogJSON]? = nil, createdAt: Date = Date()
        ) async -> UUID
    {
        let id = id ?? UUID.v7()
        let body = ConversationCreateBody(
            id: id, userId: userId, type: type, title: title, documentId: documentId,
            provider: provider, model: model, metadata: metadata, createdAt: createdAt)
        await buffer.enqueue(.event(BatchEvent(id: id.uuidString.lowercased(), body: .conversationCreate(body))))
        return id
    }

    /// Enqueues a message of a conversation (the seed's `logMessage`) and returns its id (UUID v7, made here).
    /// The message is priced by the service from the conversation's provider and model unless `cost` is given.
    /// - Parameters:
    ///   - usage: the token buckets reported by the provider.
    ///   - processingTime: how long the model took; sent in whole milliseconds.
    ///   - messageIndex: the message's place; by default the service assigns the next one, in enqueue order.
    @discardableResult
    nonisolated(nonsending)
        public func logMessage(
            conversationId: UUID, role: MessageRole, content: String, usage: TokenUsage? = nil, cost: Decimal? = nil,
            processingTime: Duration? = nil, finishReason: String? = nil, temperature: Double? = nil, maxTokens: Int64? = nil,
            messageIndex: Int64? = nil, errorMessage: String? = nil, metadata: [String: LLMLogJSON]? = nil, id: UUID? = nil,
            createdAt: Date = Date()
        ) async -> UUID
    {
        let id = id ?? UUID.v7()
        let body = MessageCreateBody(
            conversationId: conversationId, id: id, role: role, content: content, inputTokens: usage?.input,
            outputTokens: usage?.output, totalTokens: usage?.total, cachedInputTokens: usage?.cachedInput,
            cacheCreationInputTokens: usage?.cacheCreationInput, reasoningTokens: usage?.reasoning, cost: cost,
            processingTime: processingTime?.inMilliseconds, messageIndex: messageIndex, finishReason: finishReason,
            temperature: temperature, maxTokens: maxTokens, errorMessage: errorMessage, metadata: metadata, createdAt: createdAt)
        await buffer.enqueue(.event(BatchEvent(id: id.uuidString.lowercased(), body: .messageCreate(body))))
        return id
    }

    /// Enqueues a change of a conversation (the seed's `updateConversation`): status, title, error, metadata, or
    /// totals the app computed (kept by the service as reported totals; its own come from the messages).
    nonisolated(nonsending)
        public func updateConversation(
            id: UUID, status: ConversationStatus? = nil, title: String? = nil, errorMessage: String? = nil,
            metadata: [String: LLMLogJSON]? = nil, totalTokensUsed: Int64? = nil, totalCost: Decimal? = nil
        ) async
    {
        let body = ConversationUpdateBody(
            conversationId: id, status: status, title: title, errorMessage: errorMessage,
            metadata: metadata, totalTokensUsed: totalTokensUsed, totalCost: totalCost)
        await buffer.enqueue(.event(BatchEvent(id: UUID.v7().uuidString.lowercased(), body: .conversationUpdate(body))))
    }
}
