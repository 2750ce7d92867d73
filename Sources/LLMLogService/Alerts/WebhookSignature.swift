import Crypto
import Foundation

/// The `LLMLog-Signature` header of a webhook delivery (Stripe's scheme): `t=<unix seconds>,v1=<hex>`, where the hex
/// is HMAC-SHA256 keyed with the webhook's secret over `"<t>.<raw body>"`. A receiver recomputes it over the bytes it
/// received and compares in constant time, and refuses timestamps too far from its clock (replays).
public enum WebhookSignature {
    /// The header's name.
    public static let headerName = "LLMLog-Signature"

    /// The header value for `body` sent at `timestamp` (unix seconds).
    public static func header(secret: String, timestamp: Int64, body: Data) -> String {
        "t=\(timestamp),v1=\(hex(secret: secret, timestamp: timestamp, body: body))"
    }

    /// The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
    public static func hex(secret: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// True when `header` is a valid signature of `body` under `secret`, made within `tolerance` seconds of `now`.
    public static func verify(header: String, secret: String, body: Data, now: Date = Date(), tolerance: Int64 = 300) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(Int64(now.timeIntervalSince1970) - timestamp) <= tolerance else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return signatures.contains { signature in
            guard let bytes = Data(hexString: signature) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: message, using: key)
        }
    }
}

extension Data {
    /// Bytes from lower- or upper-case hex text; nil when it is not hex.
    init?(hexString: String) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let byte = UInt8(String(decoding: utf8[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}
