import Foundation

/// The API's JSON coders: ISO 8601 dates with microseconds, exact decimals.
public enum APIJSON {
    /// A decoder for request bodies.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date-time")
            }
            return date
        }
        return decoder
    }

    /// An encoder for responses.
    public static func encoder(sortedKeys: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.format(date))
        }
        encoder.outputFormatting = sortedKeys ? [.sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        return encoder
    }

    /// SHA-256 of a request's canonical JSON (sorted keys): the fingerprint that makes retries idempotent.
    static func fingerprint<T: Encodable>(_ value: T, scope: String = "") -> Data {
        var bytes = Data(scope.utf8)
        bytes.append(0)
        bytes.append((try? encoder(sortedKeys: true).encode(value)) ?? Data())
        return SHA256Digest.hash(bytes)
    }
}
