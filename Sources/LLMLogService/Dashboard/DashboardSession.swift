import Crypto
import Foundation

/// What a dashboard session cookie says: who logged in and until when, never the key itself. An admin or operator
/// session carries its key's SHA-256, which is looked up again on every request (a revoked key ends the session);
/// a user session carries its token's tenant and user, and ends when the token would have.
struct DashboardSession: Sendable, Equatable, Codable {
    enum Kind: String, Sendable, Codable { case admin, user, `operator` }

    var kind: Kind
    /// The tenant (admin and user sessions).
    var tenantId: UUID?
    /// The user (user sessions).
    var userId: String?
    /// SHA-256 of the admin or operator key, base64url.
    var keyHash: String?
    /// Seconds since 1970 after which the session is void.
    var expires: Int64
    /// The token every form of this session carries (see `DashboardCSRF`).
    var csrf: String

    enum CodingKeys: String, CodingKey {
        case kind = "k"
        case tenantId = "t"
        case userId = "u"
        case keyHash = "h"
        case expires = "exp"
        case csrf = "c"
    }

    /// Name of the cookie.
    static let cookieName = "llmlog_session"

    var expiresAt: Date { Date(timeIntervalSince1970: Double(expires)) }
}

/// Signs and verifies session cookies: `base64url(JSON payload) "." kid "." base64url(HMAC-SHA256)`. The HMAC key
/// is derived (HKDF, its own label) from the user-token signing key `kid` of the `TokenKeyRing`, so the secret is
/// the server's, rotates with it, and a session cookie can never pass for a user token or the other way round.
struct DashboardSessionSigner: Sendable {
    let ring: TokenKeyRing

    static let label = Data("llmlog dashboard session v1".utf8)

    static func derivedKey(_ secret: Data) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: label, outputByteCount: 32)
    }

    /// The cookie value for `session`, signed with the newest key that signs now; nil when no key is active.
    func sign(_ session: DashboardSession, now: Date = Date()) -> String? {
        let signing = ring.keys.withLock { keys in keys.values.filter { $0.signsFrom <= now } }
        guard let key = signing.max(by: { ($0.signsFrom, $0.createdAt, $0.id) < ($1.signsFrom, $1.createdAt, $1.id) }),
            let payload = try? JSONEncoder().encode(session)
        else { return nil }
        let input = Base64URL.encode(payload) + "." + key.id
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: Self.derivedKey(key.secret))
        return input + "." + Base64URL.encode(Data(mac))
    }

    /// The session of a cookie value that a key of the ring signed and that has not expired; nil for anything else.
    func verify(_ value: String, now: Date = Date()) -> DashboardSession? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let mac = Base64URL.decode(parts[2]),
            let key = ring.keys.withLock({ $0[String(parts[1])] })
        else { return nil }
        let input = Data((parts[0] + "." + parts[1]).utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: input, using: Self.derivedKey(key.secret)),
            let payload = Base64URL.decode(parts[0]),
            let session = try? JSONDecoder().decode(DashboardSession.self, from: payload),
            Double(session.expires) > now.timeIntervalSince1970
        else { return nil }
        return session
    }
}
