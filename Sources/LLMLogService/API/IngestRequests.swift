import Foundation

/// `POST /v1/conversations` body: the seed's `createConversation`.
public struct ConversationCreateRequest: Codable, Sendable, Equatable {
    public var id: UUID?
    public var userId: String?
    public var type: String
    public var title: String?
    public var documentId: String?
    public var provider: String
    public var model: String
    public var metadata: JSONValue?
    public var createdAt: Date?
    /// The experiment the conversation belongs to (A/B tests of prompts or models), and its variant: at most 200 bytes
    /// each, compared by `GET /v1/analytics/experiments/{experiment}`.
    public var experiment: String? = nil
    public var variant: String? = nil
}

/// `PATCH /v1/conversations/{id}` body: the seed's `updateConversation`.
public struct ConversationUpdateRequest: Codable, Sendable, Equatable {
    public var status: ConversationStatus?
    public var title: String?
    public var errorMessage: String?
    public var metadata: JSONValue?
    public var totalTokensUsed: Int64?
    public var totalCost: Decimal?

    enum CodingKeys: String, CodingKey { case status, title, errorMessage, metadata, totalTokensUsed, totalCost }
}

/// `POST /v1/conversations/{id}/messages` body: the seed's `logMessage`, with all token buckets.
public struct MessageCreateRequest: Codable, Sendable, Equatable {
    public var id: UUID?
    public var role: MessageRole
    public var content: String
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var totalTokens: Int64?
    public var cachedInputTokens: Int64?
    public var cacheCreationInputTokens: Int64?
    public var reasoningTokens: Int64?
    public var cost: Decimal?
    public var processingTime: Int64?
    public var messageIndex: Int64?
    public var finishReason: String?
    public var temperature: Double?
    public var maxTokens: Int64?
    public var errorMessage: String?
    public var metadata: JSONValue?
    public var createdAt: Date?
    /// The prompt that produced the message (up to 200 characters each).
    public var promptName: String? = nil
    public var promptVersion: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, role, content, inputTokens, outputTokens, totalTokens, cachedInputTokens, cacheCreationInputTokens,
            reasoningTokens, cost, processingTime, messageIndex, finishReason, temperature, maxTokens, errorMessage,
            metadata, createdAt, promptName, promptVersion
    }

    /// The token buckets given (missing ones are 0).
    public var usage: TokenUsage {
        TokenUsage(
            input: inputTokens ?? 0, cachedInput: cachedInputTokens ?? 0, cacheCreationInput: cacheCreationInputTokens ?? 0,
            output: outputTokens ?? 0, reasoning: reasoningTokens ?? 0)
    }

    /// True when the message reports any usage (a token count or a cost).
    public var carriesUsage: Bool {
        cost != nil
            || [inputTokens, outputTokens, totalTokens, cachedInputTokens, cacheCreationInputTokens, reasoningTokens]
                .contains { $0 != nil }
    }
}

/// `POST /v1/batch` body. Each event decodes on its own, so one malformed event fails only itself.
public struct BatchRequest: Decodable, Sendable {
    public var events: [BatchEventSlot]
}

/// An event as decoded: the event, or why it could not be (with its id when that much was readable).
public struct BatchEventSlot: Decodable, Sendable {
    public var id: String?
    public var event: Result<BatchEvent, APIError>

    enum CodingKeys: String, CodingKey { case id }

    public init(from decoder: Decoder) throws {
        id = try? decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .id)
        do {
            event = .success(try BatchEvent(from: decoder))
        } catch let error as DecodingError {
            // Field paths are relative to the event ("body.content").
            event = .failure(APIError(decoding: error, droppingPrefix: decoder.codingPath.count))
        }
    }
}

/// One event of a batch; `body` is decoded according to `type`.
public struct BatchEvent: Decodable, Sendable {
    public var id: String
    public var type: String
    public var body: Body

    public enum Body: Sendable {
        case conversationCreate(ConversationCreateRequest)
        case conversationUpdate(conversationId: UUID, ConversationUpdateRequest)
        case messageCreate(conversationId: UUID, MessageCreateRequest)
    }

    enum CodingKeys: String, CodingKey { case id, type, body }
    /// Where update events name their conversation.
    struct ConversationReference: Decodable {
        let conversationId: UUID
    }

    /// A message event's body: the message and its conversation, read in one pass over the object.
    struct MessageEventBody: Decodable {
        let conversationId: UUID
        let request: MessageCreateRequest

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: MessageCreateRequest.DecodingKeys.self)
            conversationId = try container.decodeUUID(forKey: .conversationId)
            request = try MessageCreateRequest(container: container)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        switch type {
        case "conversation.create":
            body = .conversationCreate(try container.decode(ConversationCreateRequest.self, forKey: .body))
        case "conversation.update":
            let reference = try container.decode(ConversationReference.self, forKey: .body)
            body = .conversationUpdate(conversationId: reference.conversationId, try container.decode(ConversationUpdateRequest.self, forKey: .body))
        case "message.create":
            let message = try container.decode(MessageEventBody.self, forKey: .body)
            body = .messageCreate(conversationId: message.conversationId, message.request)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "must be conversation.create, conversation.update or message.create")
        }
    }
}
