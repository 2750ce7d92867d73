import Foundation

/// The API's JSON coders: ISO 8601 dates with microseconds, exact decimals. One instance of each is shared
/// (their configuration never changes after creation), so no request pays for making coders.
public enum APIJSON {
    private static let sharedDecoder = makeDecoder()
    private static let sharedEncoder = makeEncoder(sortedKeys: false)
    private static let sortedEncoder = makeEncoder(sortedKeys: true)

    /// The decoder for request bodies.
    public static func decoder() -> JSONDecoder { sharedDecoder }

    /// The encoder for responses (`sortedKeys`: canonical output, for fingerprints).
    public static func encoder(sortedKeys: Bool = false) -> JSONEncoder { sortedKeys ? sortedEncoder : sharedEncoder }

    private static func makeDecoder() -> JSONDecoder {
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

    private static func makeEncoder(sortedKeys: Bool) -> JSONEncoder {
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
