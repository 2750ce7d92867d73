import Foundation

/// The GenAI conventions' structured messages (`gen_ai.system_instructions`, `gen_ai.input.messages`,
/// `gen_ai.output.messages`) and the older per-message span events, as provider-ingest messages: text parts in
/// `content`, tool calls and tool results described in `metadata` as the provider mappings describe them.
enum OTLPMessages {
    /// Roles of the conventions (and of the older events), onto ours.
    static let roles: [String: MessageRole] = [
        "system": .system, "developer": .system, "user": .user, "assistant": .assistant, "tool": .tool, "function": .tool,
    ]

    /// One message from its `parts` (the structured form) or its `content` (older events: text, or parts).
    static func message(_ object: [String: JSONValue], role: MessageRole, position: String, field: String) -> ProviderMessage {
        var metadata: [String: JSONValue] = [:]
        var accumulator = ContentAccumulator()
        var calls: [JSONValue] = [], results: [JSONValue] = []
        let parts: [JSONValue]
        switch object["parts"] ?? object["content"] {
        case .array(let items): parts = items
        case .string(let text): parts = [.object(["type": .string("text"), "content": .string(text)])]
        default: parts = []
        }
        for case .object(let part) in parts {
            let type = part["type"]?.stringValue ?? "text"
            switch type {
            case "text":
                accumulator.text(part["content"]?.stringValue ?? part["text"]?.stringValue ?? "")
            case "tool_call":
                calls.append(ProviderParts.part("tool_call", ["id": part["id"], "name": part["name"], "arguments": part["arguments"]]))
                accumulator.describe(ProviderParts.part("tool_call", ["id": part["id"]]))
            case "tool_call_response":
                results.append(ProviderParts.part("tool_call_response", ["id": part["id"]]))
                accumulator.reference((text(of: part["response"]), ProviderParts.part("tool_call_response", ["id": part["id"]])))
            case "reasoning":
                // Like a thinking block of provider ingest: its size, not its text.
                let characters = Int64(part["content"]?.stringValue?.count ?? 0)
                accumulator.describe(ProviderParts.part("reasoning", ["characters": .integer(characters)]))
            case "uri", "blob", "file":
                let modality = part["modality"]?.stringValue ?? "file"
                if let uri = part["uri"]?.stringValue {
                    accumulator.reference(("[\(modality): \(uri)]", ProviderParts.part(type, ["uri": .string(uri), "mimeType": part["mime_type"]])))
                } else if let content = part["content"]?.stringValue {
                    accumulator.reference(ProviderParts.inlineData(modality, mediaType: part["mime_type"]?.stringValue, base64: content))
                } else {
                    accumulator.describe(ProviderParts.part(type, ["fileId": part["file_id"]]))
                }
            default:
                if let text = part["content"]?.stringValue {
                    accumulator.text(text, type: type)
                } else {
                    accumulator.describe(ProviderParts.part(type))
                }
            }
        }
        // Older events: tool calls beside the content, and the id of the call a tool message answers.
        if case .array(let eventCalls) = object["tool_calls"] { calls.append(contentsOf: eventCalls) }
        if let id = object["id"]?.stringValue, role == .tool { metadata["toolCallId"] = .string(id) }
        if !accumulator.parts.isEmpty { metadata["parts"] = .array(accumulator.parts) }
        if !calls.isEmpty { metadata["toolCalls"] = .array(calls) }
        if !results.isEmpty { metadata["toolResults"] = .array(results) }
        if let name = object["name"]?.stringValue { metadata["name"] = .string(name) }
        return ProviderMessage(position: position, role: role, content: accumulator.content, metadata: metadata, field: field)
    }

    /// A tool result as text: a string as it is, anything else as its JSON.
    static func text(of value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let text)?: text
        case let other?: (try? String(decoding: APIJSON.encoder().encode(other), as: UTF8.self)) ?? ""
        }
    }
}

extension JSONValue {
    /// The text of a string value.
    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
}
