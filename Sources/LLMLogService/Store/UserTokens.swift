import Crypto
import Foundation
import PGClient
import Synchronization

/// What a verified user token says: whose it is, and until when.
public struct UserTokenClaims: Sendable, Equatable {
    public let tenantId: UUID
    public let userId: String
    public let expiresAt: Date
}

/// User tokens: compact JWS (HS256) with `kid`, `tid` (tenant), `sub` (user), `iat`, `exp`, signed with the newest
/// key of `token_signing_keys` whose `signs_from` has come, and verified in memory (no database round trip) against
/// every key not retired. The key ring is reloaded periodically, so a rotation reaches every instance: a new key
/// verifies as soon as an instance loaded it, and signs only once every instance can have loaded it.
public final class TokenKeyRing: Sendable {
    struct SigningKey: Sendable {
        let id: String
        /// The key bytes (SymmetricKey is not Sendable; one is made per use).
        let secret: Data
        let createdAt: Date
        /// From when the key signs new tokens.
        let signsFrom: Date
    }

    /// The keys not retired, by id (the dashboard's session cookies are signed with keys derived from them: `DashboardSession`).
    let keys = Mutex<[String: SigningKey]>([:])

    public init() {}

    /// Loads the keys that are not retired.
    public func reload(from pool: PGPool) async throws {
        let rows = try await pool.query("SELECT id, secret, created_at, signs_from FROM token_signing_keys WHERE retired_at IS NULL")
        let loaded = try rows.map { row -> SigningKey in
            let (id, secret, createdAt, signsFrom) = try row.decode((String, Data, Date, Date).self)
            return SigningKey(id: id, secret: secret, createdAt: createdAt, signsFrom: signsFrom)
        }
        keys.withLock { $0 = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id, $0) }) }
    }

    /// Adds a new signing key that verifies at once and signs after `signingDelay` (give it the instances' reload
    /// interval and a margin, so that every instance has loaded it before any token it signed is presented); returns
    /// its id. As the owner.
    @discardableResult
    public static func addKey(_ pool: PGPool, signingDelay: Duration = .zero) async throws -> String {
        let id = "k" + UUID.v7().lowercasedString.replacingOccurrences(of: "-", with: "").prefix(20)
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let delayMilliseconds = signingDelay.components.seconds * 1000 + signingDelay.components.attoseconds / 1_000_000_000_000_000
        try await pool.query(
            """
            INSERT INTO token_signing_keys (id, secret, signs_from)
            VALUES (\(String(id)), \(secret), clock_timestamp() + make_interval(secs => \(Double(delayMilliseconds) / 1000)))
            """)
        return String(id)
    }

    /// Adds a key when none is active (first start: no other instance runs yet, so it signs at once).
    public static func ensureActiveKey(_ pool: PGPool) async throws {
        let active = try await pool.query("SELECT count(*) FROM token_signing_keys WHERE retired_at IS NULL")[0].decode(Int.self, column: 0)
        if active == 0 { try await addKey(pool) }
    }

    /// Retires a key: tokens it signed stop verifying once instances reload. False if no such active key.
    public static func retireKey(_ pool: PGPool, id: String) async throws -> Bool {
        try await pool.query("UPDATE token_signing_keys SET retired_at = now() WHERE id = \(id) AND retired_at IS NULL").affectedRows == 1
    }

    /// A token for `userId` of `tenantId`, valid for `ttl` seconds from `now`, signed with the newest key that signs
    /// at `signingTime` (the wall clock: when every instance can have loaded it, whatever times the token carries).
    public func mint(
        tenantId: UUID, userId: String, ttl: Int, now: Date = Date(), signingTime: Date = Date()
    ) throws(APIError) -> (token: String, expiresAt: Date) {
        let signing = keys.withLock { keys in keys.values.filter { $0.signsFrom <= signingTime } }
        guard let key = signing.max(by: { ($0.signsFrom, $0.createdAt, $0.id) < ($1.signsFrom, $1.createdAt, $1.id) }) else {
            throw APIError.unavailable("no token signing key is active yet", retryAfter: 5)
        }
        let issuedAt = Int64(now.timeIntervalSince1970)
        let expiresAt = issuedAt + Int64(ttl)
        let header = Base64URL.encode(Data(#"{"alg":"HS256","typ":"JWT","kid":"\#(key.id)"}"#.utf8))
        let payloadObject: [String: Any] = ["tid": tenantId.lowercasedString, "sub": userId, "iat": issuedAt, "exp": expiresAt]
        let payloadJSON = (try? JSONSerialization.data(withJSONObject: payloadObject, options: [.sortedKeys])) ?? Data()
        let signingInput = header + "." + Base64URL.encode(payloadJSON)
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: key.secret))
        return (signingInput + "." + Base64URL.encode(Data(signature)), Date(timeIntervalSince1970: Double(expiresAt)))
    }

    /// The claims of a valid, unexpired token signed by a key of the ring; nil for anything else.
    public func verify(_ token: String, now: Date = Date()) -> UserTokenClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            header["alg"] as? String == "HS256", let keyID = header["kid"] as? String,
            let key = keys.withLock({ $0[keyID] })
        else { return nil }
        let signingInput = Data((parts[0] + "." + parts[1]).utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: SymmetricKey(data: key.secret)),
            let payload = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any],
            let tenantText = payload["tid"] as? String, let tenantId = UUID(text: tenantText),
            let userId = payload["sub"] as? String, !userId.isEmpty,
            let expires = (payload["exp"] as? NSNumber)?.int64Value,
            Double(expires) > now.timeIntervalSince1970
        else { return nil }
        return UserTokenClaims(tenantId: tenantId, userId: userId, expiresAt: Date(timeIntervalSince1970: Double(expires)))
    }
}
