import Foundation
import OTLPProto

typealias OTLPAnyValue = Opentelemetry_Proto_Common_V1_AnyValue
typealias OTLPKeyValue = Opentelemetry_Proto_Common_V1_KeyValue

/// A span's (or resource's) attributes by key, read with the conventions' types. The first value of a repeated
/// key wins.
struct OTLPAttributes: Sendable {
    private var values: [String: OTLPAnyValue] = [:]

    init(_ attributes: [OTLPKeyValue]) {
        values.reserveCapacity(attributes.count)
        for attribute in attributes where values[attribute.key] == nil { values[attribute.key] = attribute.value }
    }

    subscript(_ key: String) -> OTLPAnyValue? { values[key] }

    func has(_ key: String) -> Bool { values[key]?.value != nil }

    /// A string value (other scalar kinds are written as text); nil when absent or empty.
    func string(_ keys: String...) -> String? {
        for key in keys {
            switch values[key]?.value {
            case .stringValue(let text) where !text.isEmpty: return text
            case .intValue(let number): return String(number)
            case .boolValue(let flag): return String(flag)
            case .doubleValue(let number): return String(number)
            default: continue
            }
        }
        return nil
    }

    /// An integer: an int value, an integral double, or decimal text. A value of another kind is `.invalid`.
    enum IntegerValue: Equatable {
        case absent
        case value(Int64)
        case invalid
    }

    func integer(_ keys: String...) -> (key: String, value: IntegerValue) {
        for key in keys {
            switch values[key]?.value {
            case nil: continue
            case .intValue(let number): return (key, .value(number))
            case .doubleValue(let number):
                guard number.rounded() == number, let exact = Int64(exactly: number) else { return (key, .invalid) }
                return (key, .value(exact))
            case .stringValue(let text):
                guard let number = Int64(text.trimmingCharacters(in: .whitespaces)) else { return (key, .invalid) }
                return (key, .value(number))
            default: return (key, .invalid)
            }
        }
        return (keys.first ?? "", .absent)
    }

    /// A number (int or double, or numeric text).
    func double(_ key: String) -> Double? {
        switch values[key]?.value {
        case .doubleValue(let number): number
        case .intValue(let number): Double(number)
        case .stringValue(let text): Double(text)
        default: nil
        }
    }

    /// A string array (a single string counts as a one-element array).
    func strings(_ key: String) -> [String] {
        switch values[key]?.value {
        case .arrayValue(let array): array.values.compactMap { if case .stringValue(let text) = $0.value { text } else { nil } }
        case .stringValue(let text): [text]
        default: []
        }
    }

    /// A structured value: an array or map attribute as JSON, or a string attribute holding JSON text (the
    /// conventions allow both for `gen_ai.input.messages` and its siblings). Nil when absent; `.invalid` when text is
    /// not JSON.
    func json(_ key: String) -> JSONValue?? {
        guard let value = values[key], value.value != nil else { return nil }
        if case .stringValue(let text) = value.value {
            guard let parsed = try? APIJSON.decoder().decode(JSONValue.self, from: Data(text.utf8)) else { return .some(nil) }
            return parsed
        }
        return value.jsonValue
    }
}

extension OTLPAnyValue {
    /// The value as JSON: maps as objects, arrays as arrays, bytes as base64 text.
    var jsonValue: JSONValue {
        switch value {
        case nil: .null
        case .stringValue(let text): .string(text)
        case .boolValue(let flag): .bool(flag)
        case .intValue(let number): .integer(number)
        case .doubleValue(let number): number.isFinite ? .number(number) : .null
        case .bytesValue(let data): .string(data.base64EncodedString())
        case .arrayValue(let array): .array(array.values.map(\.jsonValue))
        case .stringValueStrindex: .null  // a profiles-only form; not used by traces
        case .kvlistValue(let list):
            .object(Dictionary(list.values.map { ($0.key, $0.value.jsonValue) }, uniquingKeysWith: { first, _ in first }))
        }
    }
}
