import Foundation

/// The one message every ingest figure and ceiling writes: an assistant reply with usage and a processing time,
/// the same content length, tokens and columns in the service's JSON, the COPY rows and the pgbench INSERTs.
enum MessageShape {
    /// About 200 bytes of plain ASCII text (no escaping needed in JSON, SQL or Lua).
    static let content = String(repeating: "The candidate has seven years of Swift experience. ", count: 4)
    static let provider = "anthropic"
    static let model = "claude-sonnet-4-5-20250929"
    static let inputTokens: Int64 = 1200
    static let cachedInputTokens: Int64 = 800
    static let outputTokens: Int64 = 350
    static let totalTokens: Int64 = 2350
    static let cost = "0.00924"
    static let processingTime: Int32 = 2300
    static let userId = "user-42"

    /// The JSON fields after `"id"` (Lua and Swift append them), without the processing time.
    static let jsonFields =
        "\"role\":\"ASSISTANT\",\"content\":\"\(content)\",\"inputTokens\":\(inputTokens),"
        + "\"cachedInputTokens\":\(cachedInputTokens),\"outputTokens\":\(outputTokens),\"finishReason\":\"end_turn\""

    /// The message body for `POST /v1/conversations/{id}/messages`.
    static func json(id: UUID, processingTime: Int) -> Data {
        Data("{\"id\":\"\(id.uuidString.lowercased())\",\(jsonFields),\"processingTime\":\(processingTime)}".utf8)
    }

    /// The columns a COPY or INSERT of one message fills (what the writer fills for such a message).
    static let columns = [
        "tenant_id", "id", "conversation_id", "role", "content", "provider", "model", "input_tokens",
        "cached_input_tokens", "output_tokens", "total_tokens", "cost", "cost_source", "processing_time",
        "message_index", "finish_reason", "metadata", "request_hash", "created_at", "user_id",
    ]

    /// One row of `columns` as SQL text with server-made ids (for pgbench scripts); `index` keeps the unique
    /// (tenant, conversation, index) key apart within one statement.
    static func sqlValues(tenant: UUID, index: Int) -> String {
        "('\(tenant.uuidString.lowercased())', gen_random_uuid(), gen_random_uuid(), 'ASSISTANT', '\(content)', '\(provider)', "
            + "'\(model)', \(inputTokens), \(cachedInputTokens), \(outputTokens), \(totalTokens), \(cost), 'computed', "
            + "\(processingTime), \(index), 'end_turn', '{}', '\\x\(String(repeating: "ab", count: 32))', now(), '\(userId)')"
    }
}
