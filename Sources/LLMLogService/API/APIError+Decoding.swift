/// Turns JSON decoding failures into 400s that name the field, e.g. `events[2].body.inputTokens`.
extension APIError {
    public init(decoding error: DecodingError, droppingPrefix: Int = 0) {
        func path(_ codingPath: [CodingKey], adding key: CodingKey? = nil) -> String {
            var parts = Array(codingPath.dropFirst(droppingPrefix))
            if let key { parts.append(key) }
            var text = ""
            for part in parts {
                if let index = part.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? part.stringValue : "." + part.stringValue
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .invalid(path(context.codingPath, adding: key), "is required", code: "missing_field")
        case .typeMismatch(let type, let context):
            self = .invalid(path(context.codingPath), "has the wrong type (expected \(Self.jsonName(type)))", code: "invalid_type")
        case .valueNotFound(let type, let context):
            self = .invalid(path(context.codingPath), "must not be null (expected \(Self.jsonName(type)))", code: "invalid_type")
        case .dataCorrupted(let context):
            if context.codingPath.count <= droppingPrefix {
                self = .invalid("body", "is not valid JSON: \(context.debugDescription)", code: "invalid_json")
            } else {
                self = .invalid(path(context.codingPath), Self.describe(context.debugDescription), code: "invalid_value")
            }
        @unknown default:
            self = .invalid("body", "could not be decoded", code: "invalid_json")
        }
    }

    static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "integer"
        case is Double.Type, is Float.Type: "number"
        case is [Any].Type: "array"
        case is [String: Any].Type: "object"
        default: "\(type)".contains("Dictionary") || "\(type)".contains("Request") ? "object" : "a valid value"
        }
    }

    static func describe(_ debugDescription: String) -> String {
        if debugDescription.contains("UUID") { return "is not a valid UUID" }
        if debugDescription.contains("ISO 8601") { return "is not an ISO 8601 date-time (e.g. 2026-11-29T12:00:00.000Z)" }
        if debugDescription.hasPrefix("Cannot initialize MessageRole") { return "must be one of USER, ASSISTANT, SYSTEM, TOOL" }
        if debugDescription.hasPrefix("Cannot initialize ConversationStatus") { return "must be one of ACTIVE, COMPLETED, FAILED, CANCELLED" }
        if debugDescription.hasPrefix("Cannot initialize") { return "is not one of the allowed values" }
        if debugDescription.contains("does not fit") || debugDescription.contains("out of range") { return "is out of range" }
        if debugDescription.hasPrefix("must be") { return debugDescription }
        return "is invalid"
    }
}
