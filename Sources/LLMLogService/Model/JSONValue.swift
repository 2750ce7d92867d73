import PGClient

/// Arbitrary JSON (message and conversation `metadata`). Integers that fit Int64 stay exact; other numbers are
/// Doubles. Objects keep keys; they encode with sorted keys where the encoder asks for it.
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// True for a JSON object.
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// Nesting depth: 0 for a scalar, 1 for a flat array or object.
    public var depth: Int {
        switch self {
        case .array(let values): 1 + (values.map(\.depth).max() ?? 0)
        case .object(let values): 1 + (values.values.map(\.depth).max() ?? 0)
        default: 0
        }
    }

    /// True if any string or key holds U+0000, which PostgreSQL's jsonb cannot store.
    public var containsNUL: Bool {
        switch self {
        case .string(let value): value.utf8.contains(0)
        case .array(let values): values.contains { $0.containsNUL }
        case .object(let values): values.contains { $0.key.utf8.contains(0) || $0.value.containsNUL }
        default: false
        }
    }

    /// The empty object.
    public static let emptyObject = JSONValue.object([:])
}
