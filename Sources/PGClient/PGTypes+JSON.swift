import Foundation

/// A Codable value bound as jsonb and decoded from json or jsonb.
public struct PGJSON<Value: Codable & Sendable>: PGArrayElement, Sendable {
    public var value: Value
    /// Shared coders (never reconfigured): bulk writes encode one value per row.
    static var encoder: JSONEncoder { PGJSONCoders.encoder }
    static var decoder: JSONDecoder { PGJSONCoders.decoder }
    public init(_ value: Value) { self.value = value }

    public static var pgType: PGDataType { .jsonb }
    public static var pgArrayType: PGDataType { .jsonbArray }

    public func encode(into buffer: inout [UInt8]) {
        buffer.append(1)  // jsonb binary format version
        // Encoding a Codable value to JSON fails only for non-finite floats; they become JSON null.
        buffer.append(contentsOf: (try? Self.encoder.encode(value)) ?? Data("null".utf8))
    }

    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> PGJSON<Value> {
        let raw = try PGRawJSON.decode(from: value)
        do {
            return PGJSON(try Self.decoder.decode(Value.self, from: raw.bytes))
        } catch {
            throw .invalidValue("JSON does not decode as \(Value.self)")
        }
    }
}

/// JSON text as raw UTF-8 bytes, bound as jsonb (the server validates it) and decoded from json or jsonb.
public struct PGRawJSON: PGArrayElement, Sendable, Hashable {
    public var bytes: Data
    public init(bytes: Data) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Data(text.utf8) }

    /// The JSON text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public static var pgType: PGDataType { .jsonb }
    public static var pgArrayType: PGDataType { .jsonbArray }

    public func encode(into buffer: inout [UInt8]) {
        buffer.append(1)
        buffer.append(contentsOf: bytes)
    }

    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> PGRawJSON {
        guard let bytes = value.bytes else { throw .unexpectedNull }
        if value.format == .text || value.type == .json { return PGRawJSON(bytes: Data(bytes)) }
        guard value.type == .jsonb else { throw .typeMismatch }
        guard bytes.first == 1 else { throw .invalidValue("unknown jsonb version") }
        return PGRawJSON(bytes: Data(bytes.dropFirst()))
    }
}

/// The JSON coders PGJSON shares (a generic type cannot hold static stored properties).
enum PGJSONCoders {
    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()
}
