import Foundation

/// One provider call reduced to what llmlog stores: the request's history, the reply, and the settings.
/// Built by the OpenAI and Anthropic mappings; turned into writes by `ProviderIngest`.
struct ProviderCall: Sendable, Equatable {
    /// `openai` or `anthropic`: the conversation's provider.
    var provider: String
    /// The model that answered (the response's `model`, else the request's).
    var model: String
    /// The request's messages, in order (a separate system prompt first).
    var history: [ProviderMessage]
    /// The assistant's reply.
    var reply: ProviderMessage
    var finishReason: String?
    /// Where the finish reason was read (for error fields).
    var finishReasonField = "response.choices[0].finish_reason"
    var usage: TokenUsage?
    var temperature: Double?
    var maxTokens: Int64?
    /// Where the request's max-tokens setting was read (for error fields).
    var maxTokensField = "request.max_tokens"
}

/// One message of a call, normalized: the text in `content`, tool calls, images and other parts in `metadata`.
struct ProviderMessage: Sendable, Equatable {
    /// Its place in the history: `system` for a separate system prompt, else its index in the request's message
    /// list (the reply's is the list's length, the index its echo has in the next call's history).
    var position: String
    var role: MessageRole
    var content: String
    var metadata: [String: JSONValue]
    /// The JSON path of the message in the request body (error fields).
    var field: String
    /// The path of its content when that is not `field.content`.
    var contentField: String?
}

/// Helpers for building message text and metadata out of provider content parts.
enum ProviderParts {
    /// Text parts joined with this separator make `content`.
    static let separator = "\n"

    /// The decoded size of base64 text, without decoding it.
    static func base64ByteCount(_ text: String) -> Int {
        var count = 0, padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t"): continue
            case UInt8(ascii: "="): padding += 1
            default: padding = 0
            }
            count += 1
        }
        return max(0, count * 3 / 4 - padding)
    }

    /// A reference to inline binary data: `[kind: media_type, N bytes]`, and its metadata part.
    static func inlineData(_ kind: String, mediaType: String?, base64 data: String) -> (text: String, part: JSONValue) {
        let bytes = base64ByteCount(data)
        let type = mediaType ?? "unknown"
        return (
            "[\(kind): \(type), \(bytes) bytes]",
            .object(["type": .string(kind), "mediaType": .string(type), "bytes": .integer(Int64(bytes))])
        )
    }

    /// An image given by URL: the URL is kept; a `data:` URL is reduced to its media type and size.
    static func imageURL(_ url: String, detail: String? = nil) -> (text: String, part: JSONValue) {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            let mediaType = header.split(separator: ";").first.map(String.init)
            var result = inlineData("image", mediaType: mediaType, base64: String(url[url.index(after: comma)...]))
            if let detail, case .object(var fields) = result.part {
                fields["detail"] = .string(detail)
                result.part = .object(fields)
            }
            return result
        }
        var fields: [String: JSONValue] = ["type": .string("image"), "url": .string(url)]
        if let detail { fields["detail"] = .string(detail) }
        return ("[image: \(url)]", .object(fields))
    }

    /// `{"type": type}` plus the given fields that are not nil.
    static func part(_ type: String, _ fields: [String: JSONValue?] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string(type)]
        for (key, value) in fields { if let value { object[key] = value } }
        return .object(object)
    }
}

/// Collects a message's content parts: text (and references to binary parts) for `content`, and one descriptor
/// per part, in order, for `metadata.parts`.
struct ContentAccumulator {
    private(set) var texts: [String] = []
    private(set) var parts: [JSONValue] = []

    /// A text part: its text goes to `content`, `{"type": type}` to the parts.
    mutating func text(_ text: String, type: String = "text") {
        texts.append(text)
        parts.append(ProviderParts.part(type))
    }

    /// A part shown in `content` as a reference (`[image: …]`) and described in the parts.
    mutating func reference(_ reference: (text: String, part: JSONValue)) {
        texts.append(reference.text)
        parts.append(reference.part)
    }

    /// A part that has no text (a tool call, a thinking block): described in the parts only.
    mutating func describe(_ part: JSONValue) { parts.append(part) }

    var content: String { texts.joined(separator: ProviderParts.separator) }
}
