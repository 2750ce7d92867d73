import Crypto
import Foundation

/// SHA-1 for name-based UUIDs (RFC 4122 v5 demands it; no security relies on it).
enum SHA1Digest {
    static func hash(_ bytes: [UInt8]) -> [UInt8] { Array(Insecure.SHA1.hash(data: bytes)) }
}

/// SHA-256 of bytes, for API key hashes and request fingerprints.
enum SHA256Digest {
    static func hash(_ bytes: some DataProtocol) -> Data { Data(SHA256.hash(data: bytes)) }
}
