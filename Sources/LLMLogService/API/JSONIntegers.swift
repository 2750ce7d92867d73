import Foundation

extension KeyedDecodingContainer {
    /// Decodes an optional JSON integer. Foundation's decoder reports a number that does not fit Int64
    /// (1.5, 1e20, 99999999999999999999) as "not valid JSON" without the field's path; reading it as a
    /// Decimal first keeps the path, so the 400 names the field.
    func decodeInteger(forKey key: Key) throws -> Int64? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let decimal = try decode(Decimal.self, forKey: key)
        // Foundation reads 1.0, 1e3 and also 12345678901234567.5 as Int64 (the last one truncated); equality with
        // the exact Decimal keeps only whole numbers. (Cheaper than printing the Decimal: ~30 % per field.)
        if let value = try? decode(Int64.self, forKey: key), Decimal(value) == decimal { return value }
        throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be a whole number that fits in 64 bits")
    }
}

extension MessageCreateRequest {
    /// The message's keys, and `conversationId`, which batch events carry in the same object.
    enum DecodingKeys: String, CodingKey {
        case id, role, content, inputTokens, outputTokens, totalTokens, cachedInputTokens, cacheCreationInputTokens,
            reasoningTokens, cost, processingTime, messageIndex, finishReason, temperature, maxTokens, errorMessage,
            metadata, createdAt, promptName, promptVersion, conversationId
    }

    public init(from decoder: Decoder) throws {
        try self.init(container: decoder.container(keyedBy: DecodingKeys.self))
    }

    /// Decodes from an object's container (a batch event's body is read once for its conversation and message).
    init(container: KeyedDecodingContainer<DecodingKeys>) throws {
        id = try container.decodeUUIDIfPresent(forKey: .id)
        role = try container.decode(MessageRole.self, forKey: .role)
        content = try container.decode(String.self, forKey: .content)
        inputTokens = try container.decodeInteger(forKey: .inputTokens)
        outputTokens = try container.decodeInteger(forKey: .outputTokens)
        totalTokens = try container.decodeInteger(forKey: .totalTokens)
        cachedInputTokens = try container.decodeInteger(forKey: .cachedInputTokens)
        cacheCreationInputTokens = try container.decodeInteger(forKey: .cacheCreationInputTokens)
        reasoningTokens = try container.decodeInteger(forKey: .reasoningTokens)
        cost = try container.decodeIfPresent(Decimal.self, forKey: .cost)
        processingTime = try container.decodeInteger(forKey: .processingTime)
        messageIndex = try container.decodeInteger(forKey: .messageIndex)
        finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        maxTokens = try container.decodeInteger(forKey: .maxTokens)
        errorMessage = try container.decodeIfPresent(String.self, forKey: .errorMessage)
        metadata = try container.decodeIfPresent(JSONValue.self, forKey: .metadata)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        promptName = try container.decodeIfPresent(String.self, forKey: .promptName)
        promptVersion = try container.decodeIfPresent(String.self, forKey: .promptVersion)
    }
}

extension ConversationUpdateRequest {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(ConversationStatus.self, forKey: .status)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        errorMessage = try container.decodeIfPresent(String.self, forKey: .errorMessage)
        metadata = try container.decodeIfPresent(JSONValue.self, forKey: .metadata)
        totalTokensUsed = try container.decodeInteger(forKey: .totalTokensUsed)
        totalCost = try container.decodeIfPresent(Decimal.self, forKey: .totalCost)
    }
}
