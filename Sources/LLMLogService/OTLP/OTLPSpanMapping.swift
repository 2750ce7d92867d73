import Foundation
import OTLPProto
import PGClient

typealias OTLPSpan = Opentelemetry_Proto_Trace_V1_Span

/// One GenAI span as a provider call: the conversation it belongs to, the call (history and reply), the envelope
/// provider ingest needs, and the error that marks the conversation FAILED.
struct OTLPSpanCall: Sendable {
    var conversationId: UUID
    var call: ProviderCall
    var envelope: ProviderIngest.Envelope
    /// The conversation's `errorMessage` when the span failed (status ERROR or `error.type`).
    var failure: String?
    /// Span start (nanoseconds since 1970), which orders a conversation's spans.
    var startNanos: UInt64
}

/// Maps GenAI spans (the OpenTelemetry GenAI semantic conventions, `gen_ai.*`, new and older attribute names) onto
/// provider calls; see the README's mapping table.
enum OTLPSpanMapping {
    /// Namespace of conversation ids derived from a `gen_ai.conversation.id` that is not a UUID (UUID v5).
    static let conversationNamespace = UUID(uuidString: "9a4d6c1e-3b7f-4e20-8c5a-1f2e3d4c5b6a")!
    /// Operations that are model calls whether or not they report usage.
    static let callOperations: Set<String> = ["chat", "text_completion", "generate_content"]

    /// Whether llmlog stores the span: a call operation, another operation that reports usage, or any span naming
    /// the requested model.
    static func isGenAI(_ attributes: OTLPAttributes) -> Bool {
        if attributes.has("gen_ai.request.model") { return true }
        guard let operation = attributes.string("gen_ai.operation.name") else { return false }
        return callOperations.contains(operation) || usageKeys.contains { attributes.has($0) }
    }

    static let usageKeys = [
        "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens",
    ]

    /// The call `span` stands for, nil when it is not a GenAI span; a 400 `APIError` (naming the attribute) when it
    /// is one that cannot be stored.
    static func call(_ span: OTLPSpan, resource: OTLPAttributes, serviceName: String?, tenantId: UUID) throws(APIError) -> OTLPSpanCall? {
        let attributes = OTLPAttributes(span.attributes)
        guard isGenAI(attributes) else { return nil }
        guard span.traceID.count == 16, span.traceID.contains(where: { $0 != 0 }) else {
            throw .invalid("traceId", "must be 16 bytes, not all zero")
        }
        guard span.spanID.count == 8, span.spanID.contains(where: { $0 != 0 }) else {
            throw .invalid("spanId", "must be 8 bytes, not all zero")
        }
        let traceHex = OTLPJSONIds.hex(span.traceID), spanHex = OTLPJSONIds.hex(span.spanID)

        let conversationId: UUID
        if let given = attributes.string("gen_ai.conversation.id") ?? resource.string("gen_ai.conversation.id") {
            conversationId =
                UUID(text: given)
                ?? UUID.v5(namespace: conversationNamespace, name: "\(tenantId.lowercasedString)/\(given)")
        } else {
            conversationId = span.traceID.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
        }
        guard let model = attributes.string("gen_ai.response.model", "gen_ai.request.model") else {
            throw .invalid("gen_ai.request.model", "is missing (neither gen_ai.response.model nor gen_ai.request.model is set)")
        }
        let provider =
            (attributes.string("gen_ai.provider.name", "gen_ai.system")
            ?? resource.string("gen_ai.provider.name", "gen_ai.system") ?? "unknown").lowercased()
        let operation = attributes.string("gen_ai.operation.name")
        let type =
            attributes.string("llmlog.conversation.type") ?? resource.string("llmlog.conversation.type")
            ?? operation.map { $0.uppercased().replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_") } ?? "CHAT"

        // The request's messages: the structured attributes, else the older per-message events.
        var history: [ProviderMessage] = []
        if let system = try structured("gen_ai.system_instructions", attributes) {
            let parts: JSONValue = if case .array = system { system } else { .array([system]) }
            var message = OTLPMessages.message(["parts": parts], role: .system, position: "system", field: "gen_ai.system_instructions")
            message.contentField = "gen_ai.system_instructions"
            history.append(message)
        }
        var inputCount = 0
        if let input = try structured("gen_ai.input.messages", attributes) {
            guard case .array(let items) = input else { throw .invalid("gen_ai.input.messages", "must be an array of messages") }
            for (index, item) in items.enumerated() {
                let field = "gen_ai.input.messages[\(index)]"
                guard case .object(let object) = item else { throw .invalid(field, "must be a message object") }
                history.append(try message(object, position: String(index), field: field))
            }
            inputCount = items.count
        } else {
            for event in span.events where eventRoles[event.name] != nil {
                let field = "events[\(event.name)]"
                var object = eventObject(OTLPAttributes(event.attributes))
                object["role"] = object["role"] ?? .string(eventRoles[event.name]!)
                history.append(try message(object, position: String(inputCount), field: field))
                inputCount += 1
            }
        }

        // The reply: the output messages (else the older `gen_ai.choice` events), at the position its echo takes in
        // the next call's history; without input messages (content capture off), a position of the span's own.
        var outputParts: [JSONValue] = []
        var outputFinish: String?
        var outputObjects: [[String: JSONValue]] = []
        if let output = try structured("gen_ai.output.messages", attributes) {
            guard case .array(let items) = output else { throw .invalid("gen_ai.output.messages", "must be an array of messages") }
            for case .object(let object) in items { outputObjects.append(object) }
        } else {
            for event in span.events where event.name == "gen_ai.choice" {
                let eventAttributes = OTLPAttributes(event.attributes)
                var object: [String: JSONValue] = [:]
                if case .object(let message)?? = eventAttributes.json("message") { object = message }
                if let reason = eventAttributes.string("finish_reason") { object["finish_reason"] = .string(reason) }
                outputObjects.append(object)
            }
        }
        var toolCalls: [JSONValue] = []
        for object in outputObjects {
            switch object["parts"] ?? object["content"] {
            case .array(let parts): outputParts.append(contentsOf: parts)
            case .string(let text): outputParts.append(.object(["type": .string("text"), "content": .string(text)]))
            default: break
            }
            if case .array(let calls) = object["tool_calls"] { toolCalls.append(contentsOf: calls) }
            if outputFinish == nil { outputFinish = object["finish_reason"]?.stringValue }
        }
        let replyPosition = inputCount > 0 ? String(inputCount) : "span:\(traceHex):\(spanHex)"
        var replyObject: [String: JSONValue] = ["parts": .array(outputParts)]
        if !toolCalls.isEmpty { replyObject["tool_calls"] = .array(toolCalls) }
        var reply = OTLPMessages.message(replyObject, role: .assistant, position: replyPosition, field: "gen_ai.output.messages")
        reply.metadata["traceId"] = .string(traceHex)
        reply.metadata["spanId"] = .string(spanHex)
        if let serviceName { reply.metadata["serviceName"] = .string(serviceName) }

        var call = ProviderCall(provider: provider, model: model, history: history, reply: reply)
        call.finishReason = attributes.strings("gen_ai.response.finish_reasons").first ?? outputFinish
        call.finishReasonField = "gen_ai.response.finish_reasons"
        call.usage = try usage(attributes)
        call.temperature = attributes.double("gen_ai.request.temperature")
        switch attributes.integer("gen_ai.request.max_tokens").value {
        case .value(let number): call.maxTokens = number
        case .invalid: throw .invalid("gen_ai.request.max_tokens", "must be an integer")
        case .absent: break
        }
        call.maxTokensField = "gen_ai.request.max_tokens"

        let start = span.startTimeUnixNano, end = span.endTimeUnixNano
        var envelope = ProviderIngest.Envelope(
            conversationId: conversationId,
            userId: attributes.string("user.id", "enduser.id") ?? resource.string("user.id", "enduser.id"),
            type: type, title: nil, processingTime: end >= start && start > 0 ? Int64((end - start) / 1_000_000) : nil)
        envelope.conversationCreatedAt = date(start)
        envelope.historyCreatedAt = date(start)
        envelope.replyCreatedAt = date(end)
        envelope.experiment = attributes.string("llmlog.experiment") ?? resource.string("llmlog.experiment")
        envelope.variant = attributes.string("llmlog.variant") ?? resource.string("llmlog.variant")
        envelope.promptName = attributes.string("llmlog.prompt.name")
        envelope.promptVersion = attributes.string("llmlog.prompt.version")

        var failure: String?
        if span.status.code == .error || attributes.has("error.type") {
            let description = span.status.message.isEmpty ? nil : span.status.message
            failure = description ?? attributes.string("error.type") ?? "error"
        }
        return OTLPSpanCall(conversationId: conversationId, call: call, envelope: envelope, failure: failure, startNanos: start)
    }

    /// Older span events that carry one input message each, with their role.
    static let eventRoles = [
        "gen_ai.system.message": "system", "gen_ai.user.message": "user", "gen_ai.assistant.message": "assistant", "gen_ai.tool.message": "tool",
    ]

    /// An older event's attributes as a message object (`content`, `role`, `tool_calls`, `id`).
    static func eventObject(_ attributes: OTLPAttributes) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        if let content = attributes["content"], content.value != nil {
            object["content"] = content.jsonValue
        }
        if let role = attributes.string("role") { object["role"] = .string(role) }
        if case .array(let calls)?? = attributes.json("tool_calls") { object["tool_calls"] = .array(calls) }
        if let id = attributes.string("id") { object["id"] = .string(id) }
        return object
    }

    /// A structured message of the input, with its role checked.
    static func message(_ object: [String: JSONValue], position: String, field: String) throws(APIError) -> ProviderMessage {
        let roleName = object["role"]?.stringValue ?? ""
        guard let role = OTLPMessages.roles[roleName] else {
            throw .invalid("\(field).role", "must be one of system, developer, user, assistant, tool", code: "invalid_value")
        }
        var message = OTLPMessages.message(object, role: role, position: position, field: field)
        if roleName != role.rawValue.lowercased() { message.metadata["providerRole"] = .string(roleName) }
        return message
    }

    /// A structured attribute; a 400 naming it when it is text that is not JSON.
    static func structured(_ key: String, _ attributes: OTLPAttributes) throws(APIError) -> JSONValue? {
        switch attributes.json(key) {
        case nil: return nil
        case .some(nil): throw .invalid(key, "must be JSON (the conventions' structured form)")
        case .some(let value?): return value
        }
    }

    /// The five buckets. The conventions count cache reads and writes inside the input tokens, and reasoning tokens
    /// (where reported) inside the output tokens: both are subtracted, with checked arithmetic.
    static func usage(_ attributes: OTLPAttributes) throws(APIError) -> TokenUsage? {
        func count(_ keys: String...) throws(APIError) -> Int64? {
            var found: (key: String, value: OTLPAttributes.IntegerValue) = (keys[0], .absent)
            for key in keys where found.value == .absent { found = attributes.integer(key) }
            switch found.value {
            case .absent: return nil
            case .invalid: throw .invalid(found.key, "must be a non-negative integer")
            case .value(let number):
                guard number >= 0 else { throw .invalid(found.key, "must be a non-negative integer") }
                return number
            }
        }
        let input = try count("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
        let output = try count("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
        let cacheRead = try count("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")
        let cacheCreation = try count("gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens")
        let reasoning = try count("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens")
        guard input != nil || output != nil || cacheRead != nil || cacheCreation != nil || reasoning != nil else { return nil }
        let (cached, overflow) = (cacheRead ?? 0).addingReportingOverflow(cacheCreation ?? 0)
        let uncached = (input ?? 0) - min(cached, input ?? 0)
        guard !overflow, cached <= input ?? 0 else {
            throw .invalid("gen_ai.usage.input_tokens", "is smaller than its cache read and cache creation tokens, which it includes")
        }
        guard (reasoning ?? 0) <= (output ?? 0) else {
            throw .invalid("gen_ai.usage.output_tokens", "is smaller than the reasoning tokens, which it includes")
        }
        return TokenUsage(
            input: uncached, cachedInput: cacheRead ?? 0, cacheCreationInput: cacheCreation ?? 0,
            output: (output ?? 0) - (reasoning ?? 0), reasoning: reasoning ?? 0)
    }

    /// A span time (nanoseconds since 1970) as a date, to the microsecond; nil for 0 (unset).
    static func date(_ nanos: UInt64) -> Date? {
        guard nanos > 0 else { return nil }
        return Date(timeIntervalSince1970: Double(nanos / 1000) / 1_000_000).roundedToMicroseconds
    }
}
