import Foundation

/// `POST /v1/ingest/openai` and `POST /v1/ingest/anthropic` body: the conversation's attributes around one
/// provider call's request and response, as the provider's SDK sent and returned them.
struct ProviderIngestRequest<ProviderRequest: Decodable & Sendable, ProviderResponse: Decodable & Sendable>: Decodable, Sendable {
    /// The conversation to log into (created when it does not exist); a new UUIDv7 when absent.
    var conversationId: UUID?
    var userId: String?
    var type: String
    var title: String?
    var request: ProviderRequest
    var response: ProviderResponse
    /// Milliseconds the call took; stored on the reply.
    var processingTime: Int64?
    /// The experiment and variant of the conversation (when this call creates it), the prompt of the reply.
    var experiment: String?
    var variant: String?
    var promptName: String?
    var promptVersion: String?

    enum CodingKeys: String, CodingKey {
        case conversationId, userId, type, title, request, response, processingTime, experiment, variant, promptName, promptVersion
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        conversationId = try container.decodeIfPresent(UUID.self, forKey: .conversationId)
        userId = try container.decodeIfPresent(String.self, forKey: .userId)
        type = try container.decode(String.self, forKey: .type)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        request = try container.decode(ProviderRequest.self, forKey: .request)
        response = try container.decode(ProviderResponse.self, forKey: .response)
        processingTime = try container.decodeInteger(forKey: .processingTime)
        experiment = try container.decodeIfPresent(String.self, forKey: .experiment)
        variant = try container.decodeIfPresent(String.self, forKey: .variant)
        promptName = try container.decodeIfPresent(String.self, forKey: .promptName)
        promptVersion = try container.decodeIfPresent(String.self, forKey: .promptVersion)
    }
}

/// The answer of the provider ingest routes: the conversation and every message of the call, in order (the
/// request's history, then the reply), each logged now or found logged by an earlier call (`replayed`).
struct ProviderIngestResponse: Encodable, Sendable {
    var conversationId: UUID
    /// True when this call created the conversation.
    var conversationCreated: Bool
    var messages: [LoggedMessage]
    /// The assistant's reply as stored (tokens, cost, finish reason …).
    var reply: MessageRecord

    /// One message of the call.
    struct LoggedMessage: Encodable, Sendable, Equatable {
        var id: UUID
        var role: MessageRole
        var messageIndex: Int
        /// True when an earlier call had logged it already (nothing was written for it now).
        var replayed: Bool

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id.lowercasedString, forKey: .id)
            try container.encode(role, forKey: .role)
            try container.encode(messageIndex, forKey: .messageIndex)
            try container.encode(replayed, forKey: .replayed)
        }
        enum CodingKeys: String, CodingKey { case id, role, messageIndex, replayed }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationId.lowercasedString, forKey: .conversationId)
        try container.encode(conversationCreated, forKey: .conversationCreated)
        try container.encode(messages, forKey: .messages)
        try container.encode(reply, forKey: .reply)
    }
    enum CodingKeys: String, CodingKey { case conversationId, conversationCreated, messages, reply }

    /// True when nothing was written: the conversation and every message existed.
    var isReplay: Bool { !conversationCreated && messages.allSatisfy(\.replayed) }
}
