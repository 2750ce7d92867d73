import Foundation

extension KeyedDecodingContainer {
    /// Decodes an optional JSON integer. Foundation's decoder reports a number that does not fit Int64
    /// (1.5, 1e20, 99999999999999999999) as "not valid JSON" without the field's path; reading it as a
    /// Decimal first keeps the path, so the 400 names the field.
    func decodeInteger(forKey key: Key) throws -> Int64? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let decimal = try decode(Decimal.self, forKey: key)
        let text = decimal.description
        guard !text.contains("."), let value = Int64(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be a whole number that fits in 64 bits")
        }
        return value
    }
}

extension MessageCreateRequest {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(UUID.self, forKey: .id)
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
