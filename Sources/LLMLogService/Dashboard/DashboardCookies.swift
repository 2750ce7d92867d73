import Foundation
import HTTPTypes

/// Reading the `Cookie` header and writing `Set-Cookie` for the dashboard: every cookie HttpOnly, SameSite=Strict,
/// Path=/dashboard, and Secure when the request came over https (directly or, per `X-Forwarded-Proto`, through a
/// proxy).
enum DashboardCookies {
    static let path = "/dashboard"

    /// The value of cookie `name` in `headers`, if any.
    static func value(_ name: String, in headers: HTTPFields) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }

    /// Whether the client reached us over https.
    static func isSecure(_ headers: HTTPFields, scheme: String?) -> Bool {
        if scheme == "https" { return true }
        guard let proto = headers[HTTPField.Name("X-Forwarded-Proto")!] else { return false }
        return proto.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    /// A `Set-Cookie` value; `maxAge` 0 clears it.
    static func setCookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
