import Foundation

/// API keys: 32 random bytes, base64url, behind a prefix that says what the key is (`llmlog_ik_` ingest,
/// `llmlog_ak_` admin, `llmlog_ok_` operator). Only the SHA-256 of the whole key is stored.
public enum APIKeys {
    /// The prefix of operator keys.
    public static let operatorPrefix = "llmlog_ok_"

    public static func prefix(for role: KeyRole) -> String {
        switch role {
        case .ingest: "llmlog_ik_"
        case .admin: "llmlog_ak_"
        }
    }

    /// A new secret key for `role`.
    public static func generate(role: KeyRole) -> String { generate(prefix: prefix(for: role)) }

    /// A new secret key behind `prefix`.
    static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Base64URL.encode(Data(bytes))
    }

    /// What is stored and looked up: SHA-256 of the key's bytes.
    public static func hash(_ key: String) -> Data { SHA256Digest.hash(Data(key.utf8)) }

    /// The part of a key safe to show in listings.
    public static func displayPrefix(_ key: String) -> String { String(key.prefix(16)) }
}
