import Foundation

extension LLMLogClient {
    /// Enqueues an OpenAI chat-completions request and its response as they were sent and received (raw JSON), for
    /// `POST /v1/ingest/openai`, which derives the conversation, messages and usage from them.
    /// - Parameters:
    ///   - conversationId: the conversation to add to; nil: a new one, with an id made here (so a retried send
    ///     cannot create a second conversation).
    /// - Returns: the conversation's id.
    ///   - processingTime: how long the call took; sent in whole milliseconds.
    @discardableResult
    nonisolated(nonsending)
        public func log(
            openAI request: Data, response: Data, conversationId: UUID? = nil, userId: String? = nil,
            type: ConversationType = .chat, title: String? = nil, processingTime: Duration? = nil
        ) async -> UUID
    {
        await enqueueProvider(.openAI, .raw(request), .raw(response), conversationId, userId, type, title, processingTime)
    }

    /// Enqueues an OpenAI request and response given as `Encodable` values (e.g. `[String: LLMLogJSON]` or the
    /// app's own types), encoded in the background, for `POST /v1/ingest/openai`.
    @discardableResult
    nonisolated(nonsending)
        public func log(
            openAI request: some Encodable & Sendable, response: some Encodable & Sendable, conversationId: UUID? = nil,
            userId: String? = nil, type: ConversationType = .chat, title: String? = nil, processingTime: Duration? = nil
        ) async -> UUID
    {
        await enqueueProvider(.openAI, .value(request), .value(response), conversationId, userId, type, title, processingTime)
    }

    /// Enqueues an Anthropic messages request and its response as raw JSON, for `POST /v1/ingest/anthropic`.
    @discardableResult
    nonisolated(nonsending)
        public func log(
            anthropic request: Data, response: Data, conversationId: UUID? = nil, userId: String? = nil,
            type: ConversationType = .chat, title: String? = nil, processingTime: Duration? = nil
        ) async -> UUID
    {
        await enqueueProvider(.anthropic, .raw(request), .raw(response), conversationId, userId, type, title, processingTime)
    }

    /// Enqueues an Anthropic request and response given as `Encodable` values, for `POST /v1/ingest/anthropic`.
    @discardableResult
    nonisolated(nonsending)
        public func log(
            anthropic request: some Encodable & Sendable, response: some Encodable & Sendable, conversationId: UUID? = nil,
            userId: String? = nil, type: ConversationType = .chat, title: String? = nil, processingTime: Duration? = nil
        ) async -> UUID
    {
        await enqueueProvider(.anthropic, .value(request), .value(response), conversationId, userId, type, title, processingTime)
    }

    nonisolated(nonsending)
        private func enqueueProvider(
            _ provider: ProviderFormat, _ request: JSONPayload, _ response: JSONPayload, _ conversationId: UUID?,
            _ userId: String?, _ type: ConversationType, _ title: String?, _ processingTime: Duration?
        ) async -> UUID
    {
        let conversationId = conversationId ?? UUID.v7()
        let envelope = ProviderIngest.Envelope(
            conversationId: conversationId, userId: userId, type: type, title: title,
            processingTime: processingTime?.inMilliseconds)
        await buffer.enqueue(.provider(ProviderIngest(id: UUID.v7(), provider: provider, envelope: envelope, request: request, response: response)))
        return conversationId
    }
}
