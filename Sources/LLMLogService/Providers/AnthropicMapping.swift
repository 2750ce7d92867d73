import Foundation

/// Anthropic Messages request + response → a `ProviderCall`.
enum AnthropicMapping {
    static func call(request: AnthropicRequest, response: AnthropicResponse) throws(APIError) -> ProviderCall {
        guard !request.messages.isEmpty else { throw .invalid("request.messages", "must hold at least one message") }
        var history: [ProviderMessage] = []
        if let system = request.system {
            var converted = message(system, role: .system, position: "system", field: "request.system")
            converted.contentField = "request.system"
            history.append(converted)
        }
        for (index, item) in request.messages.enumerated() {
            let field = "request.messages[\(index)]"
            let role: MessageRole
            switch item.role {
            case "user":
                // A user turn that only returns tool results is the tools speaking.
                if case .blocks(let blocks) = item.content, !blocks.isEmpty, blocks.allSatisfy({ $0.type == "tool_result" }) {
                    role = .tool
                } else {
                    role = .user
                }
            case "assistant": role = .assistant
            default: throw .invalid("\(field).role", "must be user or assistant", code: "invalid_value")
            }
            var converted = message(item.content, role: role, position: String(index), field: field)
            if role == .tool { converted.metadata["providerRole"] = .string("user") }
            history.append(converted)
        }
        guard let model = OpenAIMapping.nonEmpty(response.model) ?? OpenAIMapping.nonEmpty(request.model) else {
            throw .invalid("response.model", "is required (in the response or the request)", code: "missing_field")
        }
        var reply = message(.blocks(response.content), role: .assistant, position: String(request.messages.count), field: "response.content")
        reply.contentField = "response.content"
        if let id = response.id { reply.metadata["responseId"] = .string(id) }
        if let stopSequence = response.stopSequence { reply.metadata["stopSequence"] = .string(stopSequence) }
        var call = ProviderCall(provider: "anthropic", model: model, history: history, reply: reply, finishReason: response.stopReason)
        call.finishReasonField = "response.stop_reason"
        if let usage = response.usage { call.usage = try ProviderUsage.anthropic(usage) }
        call.temperature = request.temperature
        call.maxTokens = request.maxTokens
        return call
    }

    /// Text blocks (and tool results' text) in `content`; tool calls, tool results, images, documents and thinking
    /// described in `metadata`.
    static func message(_ content: AnthropicContent, role: MessageRole, position: String, field: String) -> ProviderMessage {
        var metadata: [String: JSONValue] = [:]
        var accumulator = ContentAccumulator()
        switch content {
        case .text(let text): accumulator.text(text)
        case .blocks(let blocks):
            var calls: [JSONValue] = [], results: [JSONValue] = []
            for block in blocks {
                switch block.type {
                case "tool_use", "server_tool_use":
                    calls.append(
                        ProviderParts.part(
                            block.type,
                            [
                                "id": block.id.map(JSONValue.string), "name": block.name.map(JSONValue.string),
                                "input": block.input,
                            ]))
                    accumulator.describe(ProviderParts.part(block.type, ["id": block.id.map(JSONValue.string)]))
                case "tool_result":
                    let result = ProviderParts.part(
                        "tool_result",
                        [
                            "toolUseId": block.toolUseId.map(JSONValue.string),
                            "isError": block.isError.map(JSONValue.bool),
                        ])
                    results.append(result)
                    var inner = ContentAccumulator()
                    switch block.content {
                    case .text(let text): inner.text(text)
                    case .blocks(let innerBlocks): for innerBlock in innerBlocks { add(innerBlock, to: &inner) }
                    case nil: break
                    }
                    // The result's text joins the content; its own parts are described inside its descriptor.
                    var descriptor = result
                    if case .object(var fields) = result, !inner.parts.isEmpty {
                        fields["parts"] = .array(inner.parts)
                        descriptor = .object(fields)
                    }
                    accumulator.reference((inner.content, descriptor))
                default:
                    add(block, to: &accumulator)
                }
            }
            metadata["parts"] = .array(accumulator.parts)
            if !calls.isEmpty { metadata["toolCalls"] = .array(calls) }
            if !results.isEmpty { metadata["toolResults"] = .array(results) }
        }
        return ProviderMessage(position: position, role: role, content: accumulator.content, metadata: metadata, field: field)
    }

    /// A block other than tool use and tool result.
    static func add(_ block: AnthropicBlock, to accumulator: inout ContentAccumulator) {
        switch block.type {
        case "text":
            accumulator.text(block.text ?? "")
        case "image", "document":
            guard let source = block.source else { return accumulator.describe(ProviderParts.part(block.type)) }
            switch source.type {
            case "base64":
                accumulator.reference(ProviderParts.inlineData(block.type, mediaType: source.mediaType, base64: source.data ?? ""))
            case "url" where source.url != nil:
                let url = source.url ?? ""
                accumulator.reference(("[\(block.type): \(url)]", ProviderParts.part(block.type, ["url": .string(url)])))
            case "text":
                let bytes = source.data?.utf8.count ?? 0
                accumulator.reference(
                    (
                        "[\(block.type): \(source.mediaType ?? "text/plain"), \(bytes) bytes]",
                        ProviderParts.part(
                            block.type,
                            [
                                "mediaType": .string(source.mediaType ?? "text/plain"), "bytes": .integer(Int64(bytes)),
                            ])
                    ))
            default:
                let id = source.fileId ?? "unknown"
                accumulator.reference(("[\(block.type): file \(id)]", ProviderParts.part(block.type, ["fileId": .string(id)])))
            }
        case "thinking":
            // The thinking text is not stored (it can be long); its size is.
            accumulator.describe(ProviderParts.part("thinking", ["characters": .integer(Int64(block.thinking?.count ?? 0))]))
        default:
            if let text = block.text { accumulator.text(text, type: block.type) } else { accumulator.describe(ProviderParts.part(block.type)) }
        }
    }
}
