import Crypto
import Foundation

/// CSRF tokens. A logged-in form carries its session's `csrf` (the session cookie is signed, so the pair cannot be
/// forged); the login form, before any session, is a double submit: a random value in an HttpOnly, SameSite=Strict
/// cookie and the same value in the form. Compared in constant time.
enum DashboardCSRF {
    /// Name of the login form's cookie.
    static let loginCookie = "llmlog_login"

    /// A new random token (256 bits, base64url).
    static func newToken() -> String {
        Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// Whether a submitted token matches the expected one (both present, equal, compared in constant time).
    static func matches(_ submitted: String?, _ expected: String?) -> Bool {
        guard let submitted, let expected, !expected.isEmpty else { return false }
        let a = Array(submitted.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
