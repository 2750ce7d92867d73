import Foundation

/// Semantic checks after JSON decoding; each failure names its field. Sizes over a limit are 413.
enum IngestValidation {
    /// `^[A-Z][A-Z0-9_]{0,63}$`: an upper-case identifier (RESUME_ANALYSIS).
    static func isValidType(_ type: String) -> Bool {
        let bytes = Array(type.utf8)
        guard let first = bytes.first, bytes.count <= 64, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
        }
    }
    static let maxTokenCount: Int64 = 1_000_000_000_000
    static let maxCost = Decimal(1_000_000_000)

    static func text(_ value: String?, field: String, max: Int, required: Bool = false) throws(APIError) {
        guard let value else {
            if required { throw .invalid(field, "is required", code: "missing_field") }
            return
        }
        if required && value.isEmpty { throw .invalid(field, "must not be empty") }
        if value.utf8.count > max { throw .invalid(field, "is longer than \(max) bytes", code: "too_long") }
        try noNUL(value, field: field)
    }

    /// PostgreSQL text cannot hold U+0000: such input is refused whole (never altered or truncated).
    static func noNUL(_ value: String, field: String) throws(APIError) {
        if value.utf8.contains(0) {
            throw .invalid(field, "contains U+0000 (NUL), which cannot be stored; remove or escape it", code: "nul_character")
        }
    }

    static func metadata(_ value: JSONValue?, field: String = "metadata", limits: IngestLimits) throws(APIError) {
        guard let value else { return }
        guard value.isObject else { throw .invalid(field, "must be a JSON object", code: "invalid_type") }
        if value.depth > limits.maxMetadataDepth {
            throw .invalid(field, "is nested deeper than \(limits.maxMetadataDepth) levels", code: "too_deep")
        }
        if value.containsNUL { throw .invalid(field, "contains U+0000 (NUL), which cannot be stored", code: "nul_character") }
        let size = (try? APIJSON.encoder().encode(value).count) ?? Int.max
        if size > limits.maxMetadataBytes {
            throw APIError(.contentTooLarge, code: "too_large", message: "metadata is larger than \(limits.maxMetadataBytes) bytes", field: field)
        }
    }

    static func count(_ value: Int64?, field: String, max: Int64 = maxTokenCount) throws(APIError) {
        guard let value else { return }
        if value < 0 { throw .invalid(field, "must not be negative") }
        if value > max { throw .invalid(field, "must be at most \(max)") }
    }

    static func createdAt(_ value: Date?, now: Date, limits: IngestLimits) throws(APIError) {
        guard let value else { return }
        if value.timeIntervalSince(now) > limits.maxFutureSkewSeconds {
            throw .invalid("createdAt", "is more than \(Int(limits.maxFutureSkewSeconds)) seconds in the future", code: "in_future")
        }
        if value.timeIntervalSince1970 < 0 { throw .invalid("createdAt", "is before 1970") }
    }

    static func cost(_ value: Decimal?, field: String) throws(APIError) {
        guard let value else { return }
        if value.isNaN || value < 0 { throw .invalid(field, "must be a non-negative number") }
        if value > maxCost { throw .invalid(field, "must be at most \(maxCost)") }
    }
}

extension ConversationCreateRequest {
    func validate(limits: IngestLimits, now: Date) throws(APIError) {
        if !IngestValidation.isValidType(type) {
            throw .invalid("type", "must match ^[A-Z][A-Z0-9_]{0,63}$ (e.g. RESUME_ANALYSIS)")
        }
        try IngestValidation.text(provider, field: "provider", max: 100, required: true)
        try IngestValidation.text(model, field: "model", max: 200, required: true)
        try IngestValidation.text(userId, field: "userId", max: 256)
        if userId == "" { throw .invalid("userId", "must not be empty (omit it for an anonymous conversation)") }
        try IngestValidation.text(title, field: "title", max: 4096)
        try IngestValidation.text(documentId, field: "documentId", max: 256)
        try IngestValidation.metadata(metadata, limits: limits)
        try IngestValidation.createdAt(createdAt, now: now, limits: limits)
        try IngestValidation.text(experiment, field: "experiment", max: 200)
        try IngestValidation.text(variant, field: "variant", max: 200)
    }
}

extension ConversationUpdateRequest {
    func validate(limits: IngestLimits) throws(APIError) {
        try IngestValidation.text(title, field: "title", max: 4096)
        try IngestValidation.text(errorMessage, field: "errorMessage", max: 64 * 1024)
        try IngestValidation.metadata(metadata, limits: limits)
        try IngestValidation.count(totalTokensUsed, field: "totalTokensUsed")
        try IngestValidation.cost(totalCost, field: "totalCost")
    }
}

extension MessageCreateRequest {
    func validate(limits: IngestLimits, now: Date) throws(APIError) {
        if content.utf8.count > limits.maxContentBytes {
            throw APIError(.contentTooLarge, code: "too_large", message: "content is larger than \(limits.maxContentBytes) bytes", field: "content")
        }
        try IngestValidation.noNUL(content, field: "content")
        for (value, field) in [
            (inputTokens, "inputTokens"), (outputTokens, "outputTokens"), (totalTokens, "totalTokens"),
            (cachedInputTokens, "cachedInputTokens"), (cacheCreationInputTokens, "cacheCreationInputTokens"),
            (reasoningTokens, "reasoningTokens"),
        ] {
            try IngestValidation.count(value, field: field)
        }
        try IngestValidation.cost(cost, field: "cost")
        try IngestValidation.count(processingTime, field: "processingTime", max: Int64(Int32.max))
        try IngestValidation.count(messageIndex, field: "messageIndex", max: Int64(Int32.max) - 1)
        try IngestValidation.count(maxTokens, field: "maxTokens", max: Int64(Int32.max))
        if let temperature, !temperature.isFinite || temperature < 0 || temperature > 100 {
            throw .invalid("temperature", "must be a number from 0 to 100")
        }
        try IngestValidation.text(finishReason, field: "finishReason", max: 100)
        try IngestValidation.text(promptName, field: "promptName", max: 200)
        try IngestValidation.text(promptVersion, field: "promptVersion", max: 200)
        try IngestValidation.text(errorMessage, field: "errorMessage", max: 64 * 1024)
        try IngestValidation.metadata(metadata, limits: limits)
        try IngestValidation.createdAt(createdAt, now: now, limits: limits)
    }
}
