import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

@testable import LLMLogService

/// Logging in to the dashboard through the router, as a browser would: the form's CSRF cookie and field, then the
/// session cookie.
extension TestService {
    /// The session cookie's value after logging in with `key`; nil when the login was refused.
    func dashboardLogin(_ key: String) async throws -> String? {
        let form = try await request(.get, "/dashboard", key: "")
        guard let csrfCookie = form.cookie(DashboardCSRF.loginCookie), let csrf = form.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1 else {
            return nil
        }
        let body = "csrf=\(csrf)&key=\(HTML.queryValue(key))"
        var headers: HTTPFields = [.cookie: "\(DashboardCSRF.loginCookie)=\(csrfCookie)", .contentType: "application/x-www-form-urlencoded"]
        headers[.accept] = "text/html"
        let response = try await send(.post, "/dashboard/login", headers, ByteBuffer(string: body))
        guard response.status == .seeOther else { return nil }
        return response.cookie(DashboardSession.cookieName)
    }

    /// A dashboard GET with the session cookie.
    func dashboard(_ uri: String, session: String?) async throws -> TestResponse {
        var headers = HTTPFields()
        if let session { headers[.cookie] = "\(DashboardSession.cookieName)=\(session)" }
        return try await send(.get, uri, headers, nil)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The value a `Set-Cookie` header of this answer gives cookie `name`.
    func cookie(_ name: String) -> String? {
        for value in headers[values: .setCookie] where value.hasPrefix(name + "=") {
            return String(value.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    func setCookie(_ name: String) -> String? { headers[values: .setCookie].first { $0.hasPrefix(name + "=") } }
}
