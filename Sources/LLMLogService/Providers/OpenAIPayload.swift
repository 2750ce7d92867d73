import Foundation

// The parts of OpenAI's Chat Completions and Responses payloads that llmlog reads. Unknown properties are
// ignored; what llmlog relies on is checked when the payload is mapped (OpenAIMapping).

/// An OpenAI Chat Completions request: `{model, messages, temperature?, max_completion_tokens? | max_tokens?, tools?}`.
struct OpenAIRequest: Decodable, Sendable {
    var model: String?
    var messages: [OpenAIMessage]
    var temperature: Double?
    var maxCompletionTokens: Int64?
    var maxTokens: Int64?
    var maxOutputTokens: Int64?

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature
        case maxCompletionTokens = "max_completion_tokens"
        case maxTokens = "max_tokens"
        case maxOutputTokens = "max_output_tokens"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        messages = try container.decode([OpenAIMessage].self, forKey: .messages)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        maxCompletionTokens = try container.decodeInteger(forKey: .maxCompletionTokens)
        maxTokens = try container.decodeInteger(forKey: .maxTokens)
        maxOutputTokens = try container.decodeInteger(forKey: .maxOutputTokens)
    }
}

/// A Chat Completions message (also a response's `choices[i].message`, where `role` may be missing when the
/// client assembled it from stream deltas).
struct OpenAIMessage: Decodable, Sendable {
    var role: String?
    var content: OpenAIContent?
    var name: String?
    var refusal: String?
    var toolCalls: [OpenAIToolCall]?
    var toolCallId: String?
    /// The legacy `function_call` of an assistant message.
    var functionCall: OpenAIToolCall.Function?

    enum CodingKeys: String, CodingKey {
        case role, content, name, refusal
        case toolCalls = "tool_calls"
        case toolCallId = "tool_call_id"
        case functionCall = "function_call"
    }
}

/// `content`: a string, null, or a list of parts.
enum OpenAIContent: Decodable, Sendable {
    case text(String)
    case parts([OpenAIContentPart])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([OpenAIContentPart].self))
        }
    }
}

/// A content part: `text` / `input_text` / `output_text`, `image_url` / `input_image`, `input_audio`, `file` /
/// `input_file`, `refusal`.
struct OpenAIContentPart: Decodable, Sendable {
    var type: String
    var text: String?
    var refusal: String?
    /// Chat: `{"url", "detail"}`; Responses `input_image`: the URL itself.
    var imageURL: String?
    var detail: String?
    var fileId: String?
    var audio: Audio?
    var file: File?

    struct Audio: Decodable, Sendable {
        var data: String
        var format: String?
    }

    struct File: Decodable, Sendable {
        var fileId: String?
        var filename: String?
        var fileData: String?
        enum CodingKeys: String, CodingKey {
            case fileId = "file_id"
            case filename
            case fileData = "file_data"
        }
    }

    struct ImageURL: Decodable, Sendable {
        var url: String
        var detail: String?
    }

    enum CodingKeys: String, CodingKey {
        case type, text, refusal, detail, file, filename
        case imageURL = "image_url"
        case fileId = "file_id"
        case audio = "input_audio"
        case fileData = "file_data"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        refusal = try container.decodeIfPresent(String.self, forKey: .refusal)
        detail = try container.decodeIfPresent(String.self, forKey: .detail)
        fileId = try container.decodeIfPresent(String.self, forKey: .fileId)
        audio = try container.decodeIfPresent(Audio.self, forKey: .audio)
        if let url = try? container.decodeIfPresent(String.self, forKey: .imageURL) {
            imageURL = url
        } else if let image = try container.decodeIfPresent(ImageURL.self, forKey: .imageURL) {
            imageURL = image.url
            detail = image.detail ?? detail
        }
        if let nested = try container.decodeIfPresent(File.self, forKey: .file) {
            file = nested
        } else if type == "input_file" {
            file = File(
                fileId: fileId, filename: try container.decodeIfPresent(String.self, forKey: .filename),
                fileData: try container.decodeIfPresent(String.self, forKey: .fileData))
        }
    }
}

/// A Chat Completions tool call (`tool_calls[i]`); `type` may be missing in a stream-assembled message.
struct OpenAIToolCall: Decodable, Sendable {
    var id: String?
    var type: String?
    var function: Function?

    struct Function: Decodable, Sendable {
        var name: String?
        var arguments: String?
    }
}

/// An OpenAI response: Chat Completions (`choices`) or Responses API (`output`); either plain or assembled by
/// the client from stream chunks (`choices[0].message` built from the deltas, `usage` from the last chunk).
struct OpenAIResponse: Decodable, Sendable {
    var id: String?
    var model: String?
    var choices: [Choice]?
    var output: [OpenAIOutputItem]?
    var status: String?
    var incompleteDetails: IncompleteDetails?
    var usage: OpenAIUsage?

    struct Choice: Decodable, Sendable {
        var message: OpenAIMessage?
        /// Some stream assemblers keep the accumulated message under `delta`.
        var delta: OpenAIMessage?
        var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case message, delta
            case finishReason = "finish_reason"
        }
    }

    struct IncompleteDetails: Decodable, Sendable {
        var reason: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, model, choices, output, status, usage
        case incompleteDetails = "incomplete_details"
    }
}

/// A Responses API output item: `message` (with `output_text` / `refusal` parts), `function_call`, `reasoning`, …
struct OpenAIOutputItem: Decodable, Sendable {
    var type: String
    var id: String?
    var role: String?
    var content: [OpenAIContentPart]?
    var callId: String?
    var name: String?
    var arguments: String?
    var summary: [OpenAIContentPart]?

    enum CodingKeys: String, CodingKey {
        case type, id, role, content, name, arguments, summary
        case callId = "call_id"
    }
}

/// OpenAI `usage`, both spellings: Chat Completions (`prompt_tokens`, `completion_tokens`, `*_tokens_details`)
/// and Responses API (`input_tokens`, `output_tokens`, `*_tokens_details`).
struct OpenAIUsage: Decodable, Sendable {
    var promptTokens: Int64?
    var completionTokens: Int64?
    var inputTokens: Int64?
    var outputTokens: Int64?
    var cachedTokens: Int64?
    var reasoningTokens: Int64?
    /// Which spelling was sent: the field paths of the input and output counts and their details.
    var isResponsesAPI: Bool { promptTokens == nil && completionTokens == nil && (inputTokens != nil || outputTokens != nil) }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case promptDetails = "prompt_tokens_details"
        case completionDetails = "completion_tokens_details"
        case inputDetails = "input_tokens_details"
        case outputDetails = "output_tokens_details"
    }
    enum DetailKeys: String, CodingKey {
        case cachedTokens = "cached_tokens"
        case reasoningTokens = "reasoning_tokens"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try container.decodeInteger(forKey: .promptTokens)
        completionTokens = try container.decodeInteger(forKey: .completionTokens)
        inputTokens = try container.decodeInteger(forKey: .inputTokens)
        outputTokens = try container.decodeInteger(forKey: .outputTokens)
        func detail(_ key: CodingKeys, _ detail: DetailKeys) throws -> Int64? {
            guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
            return try container.nestedContainer(keyedBy: DetailKeys.self, forKey: key).decodeInteger(forKey: detail)
        }
        cachedTokens = try detail(.promptDetails, .cachedTokens) ?? detail(.inputDetails, .cachedTokens)
        reasoningTokens = try detail(.completionDetails, .reasoningTokens) ?? detail(.outputDetails, .reasoningTokens)
    }
}
