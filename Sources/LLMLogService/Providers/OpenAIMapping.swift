import Foundation

/// OpenAI Chat Completions request + Chat Completions or Responses API response → a `ProviderCall`.
enum OpenAIMapping {
    static let roles: [String: MessageRole] = [
        "system": .system, "developer": .system, "user": .user, "assistant": .assistant, "tool": .tool, "function": .tool,
    ]

    static func call(request: OpenAIRequest, response: OpenAIResponse) throws(APIError) -> ProviderCall {
        guard !request.messages.isEmpty else { throw .invalid("request.messages", "must hold at least one message") }
        var history: [ProviderMessage] = []
        for (index, message) in request.messages.enumerated() {
            let field = "request.messages[\(index)]"
            guard let roleName = message.role else { throw .invalid("\(field).role", "is required", code: "missing_field") }
            guard let role = roles[roleName] else {
                throw .invalid("\(field).role", "must be one of system, developer, user, assistant, tool, function", code: "invalid_value")
            }
            history.append(chatMessage(message, role: role, roleName: roleName, position: String(index), field: field))
        }
        guard let model = nonEmpty(response.model) ?? nonEmpty(request.model) else {
            throw .invalid("response.model", "is required (in the response or the request)", code: "missing_field")
        }
        var call: ProviderCall
        let position = String(request.messages.count)
        if let choices = response.choices {
            guard let choice = choices.first else { throw .invalid("response.choices", "must hold at least one choice") }
            guard let message = choice.message ?? choice.delta else {
                throw .invalid("response.choices[0].message", "is required", code: "missing_field")
            }
            if let role = message.role, role != "assistant" {
                throw .invalid("response.choices[0].message.role", "must be assistant", code: "invalid_value")
            }
            let reply = chatMessage(message, role: .assistant, roleName: "assistant", position: position, field: "response.choices[0].message")
            call = ProviderCall(provider: "openai", model: model, history: history, reply: reply, finishReason: choice.finishReason)
        } else if let output = response.output {
            call = ProviderCall(
                provider: "openai", model: model, history: history, reply: responsesReply(output, position: position),
                finishReason: response.status == "incomplete" ? response.incompleteDetails?.reason ?? "incomplete" : response.status)
            call.finishReasonField = "response.status"
        } else {
            throw .invalid(
                "response.choices", "is required (a Chat Completions response), or `output` (a Responses API response)", code: "missing_field")
        }
        if let id = response.id { call.reply.metadata["responseId"] = .string(id) }
        if let usage = response.usage { call.usage = try ProviderUsage.openAI(usage) }
        call.temperature = request.temperature
        if let max = request.maxCompletionTokens {
            (call.maxTokens, call.maxTokensField) = (max, "request.max_completion_tokens")
        } else if let max = request.maxTokens ?? request.maxOutputTokens {
            (call.maxTokens, call.maxTokensField) = (max, request.maxTokens != nil ? "request.max_tokens" : "request.max_output_tokens")
        }
        return call
    }

    static func nonEmpty(_ text: String?) -> String? { text?.isEmpty == false ? text : nil }

    /// A Chat Completions message: text parts in `content`; tool calls, the tool call answered, a participant name,
    /// a refusal and non-text parts in `metadata`.
    static func chatMessage(_ message: OpenAIMessage, role: MessageRole, roleName: String, position: String, field: String) -> ProviderMessage {
        var metadata: [String: JSONValue] = [:]
        var accumulator = ContentAccumulator()
        switch message.content {
        case .text(let text): accumulator.text(text)
        case .parts(let parts):
            for part in parts { add(part, to: &accumulator) }
            metadata["parts"] = .array(accumulator.parts)
        case nil: break
        }
        var content = accumulator.content
        if let refusal = message.refusal {
            metadata["refusal"] = .string(refusal)
            if content.isEmpty { content = refusal }
        }
        var calls = (message.toolCalls ?? []).map { call in
            ProviderParts.part(
                call.type ?? "function",
                [
                    "id": call.id.map(JSONValue.string), "name": call.function?.name.map(JSONValue.string),
                    "arguments": call.function?.arguments.map(JSONValue.string),
                ])
        }
        if let function = message.functionCall {
            calls.append(
                ProviderParts.part("function", ["name": function.name.map(JSONValue.string), "arguments": function.arguments.map(JSONValue.string)]))
        }
        if !calls.isEmpty { metadata["toolCalls"] = .array(calls) }
        if let id = message.toolCallId { metadata["toolCallId"] = .string(id) }
        if let name = message.name { metadata["name"] = .string(name) }
        if roleName != role.rawValue.lowercased() { metadata["providerRole"] = .string(roleName) }
        return ProviderMessage(position: position, role: role, content: content, metadata: metadata, field: field)
    }

    static func add(_ part: OpenAIContentPart, to accumulator: inout ContentAccumulator) {
        switch part.type {
        case "text", "input_text", "output_text":
            accumulator.text(part.text ?? "", type: part.type)
        case "refusal":
            accumulator.text(part.refusal ?? "", type: "refusal")
        case "image_url", "input_image":
            if let url = part.imageURL {
                accumulator.reference(ProviderParts.imageURL(url, detail: part.detail))
            } else {
                let id = part.fileId ?? "unknown"
                accumulator.reference(("[image: file \(id)]", ProviderParts.part("image", ["fileId": .string(id)])))
            }
        case "input_audio":
            if let audio = part.audio {
                accumulator.reference(ProviderParts.inlineData("audio", mediaType: audio.format.map { "audio/\($0)" }, base64: audio.data))
            } else {
                accumulator.describe(ProviderParts.part("audio"))
            }
        case "file", "input_file":
            let file = part.file
            if let data = file?.fileData {
                var reference = data.hasPrefix("data:") ? dataURL(data, kind: "file") : ProviderParts.inlineData("file", mediaType: nil, base64: data)
                if let name = file?.filename, case .object(var fields) = reference.part {
                    fields["filename"] = .string(name)
                    reference.part = .object(fields)
                }
                accumulator.reference(reference)
            } else {
                let id = file?.fileId ?? part.fileId ?? "unknown"
                accumulator.reference(
                    (
                        "[file: \(file?.filename ?? id)]",
                        ProviderParts.part(
                            "file",
                            [
                                "fileId": .string(id), "filename": file?.filename.map(JSONValue.string),
                            ])
                    ))
            }
        default:
            if let text = part.text { accumulator.text(text, type: part.type) } else { accumulator.describe(ProviderParts.part(part.type)) }
        }
    }

    /// `data:MEDIA;base64,DATA` as a reference of `kind`.
    static func dataURL(_ url: String, kind: String) -> (text: String, part: JSONValue) {
        guard let comma = url.firstIndex(of: ",") else { return ProviderParts.inlineData(kind, mediaType: nil, base64: "") }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        return ProviderParts.inlineData(
            kind, mediaType: header.split(separator: ";").first.map(String.init), base64: String(url[url.index(after: comma)...]))
    }

    /// A Responses API `output`: the text of its `message` items in `content`; function calls in
    /// `metadata.toolCalls`; every item (reasoning, web search …) described in `metadata.parts`.
    static func responsesReply(_ output: [OpenAIOutputItem], position: String) -> ProviderMessage {
        var accumulator = ContentAccumulator()
        var calls: [JSONValue] = []
        var refusal: String?
        for item in output {
            switch item.type {
            case "message":
                for part in item.content ?? [] {
                    if part.type == "refusal" { refusal = part.refusal }
                    add(part, to: &accumulator)
                }
            case "function_call":
                let call = ProviderParts.part(
                    "function",
                    [
                        "id": item.callId.map(JSONValue.string), "name": item.name.map(JSONValue.string),
                        "arguments": item.arguments.map(JSONValue.string),
                    ])
                calls.append(call)
                accumulator.describe(ProviderParts.part("function_call", ["id": item.callId.map(JSONValue.string)]))
            case "reasoning":
                let summary = (item.summary ?? []).compactMap(\.text).joined(separator: ProviderParts.separator)
                accumulator.describe(ProviderParts.part("reasoning", ["summary": summary.isEmpty ? nil : .string(summary)]))
            default:
                accumulator.describe(ProviderParts.part(item.type, ["id": item.id.map(JSONValue.string)]))
            }
        }
        var metadata: [String: JSONValue] = ["parts": .array(accumulator.parts)]
        if !calls.isEmpty { metadata["toolCalls"] = .array(calls) }
        if let refusal { metadata["refusal"] = .string(refusal) }
        return ProviderMessage(
            position: position, role: .assistant, content: accumulator.content, metadata: metadata, field: "response.output",
            contentField: "response.output")
    }
}
