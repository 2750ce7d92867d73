import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LLMLogService

/// Logging in and out of the dashboard: the cookie's attributes and signature, expiry, tampering, CSRF, every
/// kind of credential, and the security headers of every answer.
@Suite struct DashboardSessionTests {
    @Test func cookiesAreSignedExpireAndResistTampering() async throws {
        try await TestService.run(suite: "dashboard-session") { service in
            let signer = DashboardSessionSigner(ring: service.tokens)
            let now = Date()
            let session = DashboardSession(
                kind: .admin, tenantId: service.tenant.tenantId, userId: nil, keyHash: "abc",
                expires: Int64(now.timeIntervalSince1970) + 60, csrf: "token")
            let cookie = try #require(signer.sign(session, now: now))
            #expect(signer.verify(cookie, now: now) == session)
            #expect(signer.verify(cookie, now: now.addingTimeInterval(61)) == nil, "expired")
            // Another payload under the same signature, a changed signature, another key id: all refused.
            var forged = session
            forged.kind = .operator
            let parts = cookie.split(separator: ".").map(String.init)
            let forgedPayload = Base64URL.encode(try JSONEncoder().encode(forged))
            #expect(signer.verify([forgedPayload, parts[1], parts[2]].joined(separator: ".")) == nil)
            #expect(signer.verify([parts[0], parts[1], String(parts[2].reversed())].joined(separator: ".")) == nil)
            #expect(signer.verify([parts[0], "kunknown", parts[2]].joined(separator: ".")) == nil)
            #expect(signer.verify("garbage") == nil)
            // A session cookie is no user token, and a user token no session cookie.
            let token = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 600).token
            #expect(signer.verify(token) == nil)
            #expect(service.tokens.verify(cookie) == nil)
        }
    }

    @Test func loginWithEachCredentialAndLogout() async throws {
        try await TestService.run(suite: "dashboard-login") { service in
            // Without a session: the login form, with its CSRF cookie, and the security headers.
            let form = try await service.request(.get, "/dashboard", key: "")
            #expect(form.status == .ok)
            #expect(form.headers[.contentType] == "text/html; charset=utf-8")
            #expect(form.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
            #expect(form.text.contains("<input id=\"key\" name=\"key\"") && form.text.contains("<button type=\"submit\""))
            #expect(!form.text.contains("<script") && !form.text.contains("style="))
            let loginCookie = try #require(form.setCookie(DashboardCSRF.loginCookie))
            #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict"))

            // Admin key.
            let admin = try #require(try await service.dashboardLogin(service.tenant.adminKey))
            #expect(!admin.contains(service.tenant.adminKey))
            let overview = try await service.dashboard("/dashboard?days=7", session: admin)
            #expect(overview.status == .ok)
            #expect(overview.text.contains("data-metric=\"cost\"") && overview.text.contains("Top users"))
            #expect(!overview.text.contains(service.tenant.adminKey))
            #expect(overview.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
            #expect(overview.headers[.cacheControl] == "no-store")

            // User token and operator key.
            let token = try #require(
                try await service.request(.post, "/v1/tokens", json: #"{"userId": "alice"}"#, key: service.tenant.adminKey)
                    .object["token"] as? String)
            let user = try #require(try await service.dashboardLogin(token))
            let userPage = try await service.dashboard("/dashboard", session: user)
            #expect(userPage.text.contains("user alice") && !userPage.text.contains("Top users"))
            let operatorKey = try await service.tenants.createOperatorKey().key
            let operatorSession = try #require(try await service.dashboardLogin(operatorKey))
            let operatorPage = try await service.dashboard("/dashboard?days=30", session: operatorSession)
            #expect(operatorPage.text.contains("By tenant"))
            #expect(try await service.dashboard("/dashboard/conversations", session: operatorSession).status == .forbidden)

            // Refused: an ingest key, a wrong key, a bad CSRF token.
            #expect(try await service.dashboardLogin(service.tenant.ingestKey) == nil)
            #expect(try await service.dashboardLogin("llmlog_ak_nonsense") == nil)
            #expect(try await service.dashboardLogin("not-a-token") == nil)
            let noCSRF = try await service.send(
                .post, "/dashboard/login", [.contentType: "application/x-www-form-urlencoded"],
                .init(string: "key=\(service.tenant.adminKey)&csrf=x"))
            #expect(noCSRF.status == .forbidden && noCSRF.cookie(DashboardSession.cookieName) == nil)

            // The session cookie's attributes.
            let signedIn = try await login(service, service.tenant.adminKey)
            let attributes = try #require(signedIn.setCookie(DashboardSession.cookieName))
            #expect(
                attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict") && attributes.contains("Max-Age=43200")
                    && !attributes.contains("Secure"))

            // Behind an https proxy the cookies are Secure.
            let overHTTPS = try await login(service, service.tenant.adminKey, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(overHTTPS.setCookie(DashboardSession.cookieName)?.hasSuffix("; Secure") == true)

            // Pages without a session go to the login form; a tampered cookie is no session.
            #expect(try await service.dashboard("/dashboard/conversations", session: nil).status == .seeOther)
            #expect(try await service.dashboard("/dashboard/conversations", session: admin + "x").status == .seeOther)

            // Logout needs the session's CSRF token, and clears the cookie.
            let csrf = try #require(overview.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let cookieHeader: HTTPFields = [.cookie: "\(DashboardSession.cookieName)=\(admin)", .contentType: "application/x-www-form-urlencoded"]
            #expect(try await service.send(.post, "/dashboard/logout", cookieHeader, .init(string: "csrf=wrong")).status == .forbidden)
            let out = try await service.send(.post, "/dashboard/logout", cookieHeader, .init(string: "csrf=\(csrf)"))
            #expect(out.status == .seeOther && out.setCookie(DashboardSession.cookieName)?.contains("Max-Age=0") == true)

            // A revoked admin key ends its sessions at once.
            try await service.database.query("UPDATE api_keys SET revoked_at = now() WHERE tenant_id = \(service.tenant.tenantId) AND role = 'admin'")
            #expect(try await service.dashboard("/dashboard", session: admin).text.contains("name=\"key\""))

            // The stylesheet is cached.
            let css = try await service.request(.get, DashboardLayout.stylesheetURL, key: "")
            #expect(css.status == .ok && css.headers[.cacheControl]?.contains("max-age") == true)
        }
    }

    /// The login POST's answer.
    func login(_ service: TestService, _ key: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        let form = try await service.request(.get, "/dashboard", key: "")
        let csrfCookie = try #require(form.cookie(DashboardCSRF.loginCookie))
        var headers: HTTPFields = [.cookie: "\(DashboardCSRF.loginCookie)=\(csrfCookie)", .contentType: "application/x-www-form-urlencoded"]
        headers.append(contentsOf: extra)
        return try await service.send(.post, "/dashboard/login", headers, .init(string: "csrf=\(csrfCookie)&key=\(key)"))
    }
}
