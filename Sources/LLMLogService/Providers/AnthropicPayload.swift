import Foundation

// The parts of Anthropic's Messages API payloads that llmlog reads. Unknown properties are ignored; what llmlog
// relies on is checked when the payload is mapped (AnthropicMapping).

/// An Anthropic Messages request: `{model, system?, messages, max_tokens, temperature?, tools?}`.
struct AnthropicRequest: Decodable, Sendable {
    var model: String?
    var system: AnthropicContent?
    var messages: [AnthropicMessage]
    var maxTokens: Int64?
    var temperature: Double?

    enum CodingKeys: String, CodingKey {
        case model, system, messages, temperature
        case maxTokens = "max_tokens"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        system = try container.decodeIfPresent(AnthropicContent.self, forKey: .system)
        messages = try container.decode([AnthropicMessage].self, forKey: .messages)
        maxTokens = try container.decodeInteger(forKey: .maxTokens)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
    }
}

/// A message of the request: `role` (`user` or `assistant`) and its content.
struct AnthropicMessage: Decodable, Sendable {
    var role: String
    var content: AnthropicContent
}

/// Content: a string, or a list of blocks.
enum AnthropicContent: Decodable, Sendable {
    case text(String)
    case blocks([AnthropicBlock])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .blocks(try container.decode([AnthropicBlock].self))
        }
    }
}

/// A content block: `text`, `image` / `document` (`source`), `tool_use`, `tool_result` (its own content),
/// `thinking`, `redacted_thinking`, server tool blocks …
struct AnthropicBlock: Decodable, Sendable {
    var type: String
    var text: String?
    var source: Source?
    var id: String?
    var name: String?
    /// A tool call's input: an object, or the JSON text a stream assembler accumulated from `partial_json`.
    var input: JSONValue?
    var toolUseId: String?
    var content: AnthropicContent?
    var isError: Bool?
    var thinking: String?

    struct Source: Decodable, Sendable {
        var type: String
        var mediaType: String?
        var data: String?
        var url: String?
        var fileId: String?
        enum CodingKeys: String, CodingKey {
            case type, data, url
            case mediaType = "media_type"
            case fileId = "file_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, text, source, id, name, input, content, thinking
        case toolUseId = "tool_use_id"
        case isError = "is_error"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        source = try container.decodeIfPresent(Source.self, forKey: .source)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        input = try container.decodeIfPresent(JSONValue.self, forKey: .input)
        toolUseId = try container.decodeIfPresent(String.self, forKey: .toolUseId)
        // A tool_result's content is text or blocks; other blocks (web search results …) may carry other shapes.
        if type == "tool_result" {
            content = try container.decodeIfPresent(AnthropicContent.self, forKey: .content)
        } else {
            content = nil
        }
        isError = try container.decodeIfPresent(Bool.self, forKey: .isError)
        thinking = try container.decodeIfPresent(String.self, forKey: .thinking)
    }
}

/// An Anthropic Messages response, plain or assembled by the client from stream events (`message_start`'s
/// message, the content blocks built from their deltas, `stop_reason` and final `usage` from `message_delta`).
struct AnthropicResponse: Decodable, Sendable {
    var id: String?
    var model: String?
    var content: [AnthropicBlock]
    var stopReason: String?
    var stopSequence: String?
    var usage: AnthropicUsage?

    enum CodingKeys: String, CodingKey {
        case id, model, content, usage
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }
}

/// Anthropic `usage`: `input_tokens` excludes the cache reads and cache writes.
struct AnthropicUsage: Decodable, Sendable {
    var inputTokens: Int64?
    var outputTokens: Int64?
    var cacheReadInputTokens: Int64?
    var cacheCreationInputTokens: Int64?

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = try container.decodeInteger(forKey: .inputTokens)
        outputTokens = try container.decodeInteger(forKey: .outputTokens)
        cacheReadInputTokens = try container.decodeInteger(forKey: .cacheReadInputTokens)
        cacheCreationInputTokens = try container.decodeInteger(forKey: .cacheCreationInputTokens)
    }
}
