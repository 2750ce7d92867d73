import Analytics
import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard: `GET /dashboard` (login form or overview), `POST /dashboard/login`, `POST /dashboard/logout`,
/// `GET /dashboard/conversations`, `GET /dashboard/conversations/{id}`, `GET /dashboard/export/{conversations,
/// messages}` and the stylesheet. Pages read through the API's own code (usage report, list, detail, export) with
/// the caller a session stands for, so they show exactly what the API would.
struct DashboardRoutes: Sendable {
    let auth: DashboardAuth
    let analytics: AnalyticsRoutes
    let list: ConversationListRoute
    let detail: ReadRoutes
    let export: ConversationExport

    func register(on router: Router<AppContext>) {
        router.get("dashboard/assets/dashboard.css") { _, _ in
            // Its URL carries the stylesheet's version, so it may be cached for a year.
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=31536000, immutable",
                    .contentSecurityPolicy: DashboardResponder.contentSecurityPolicy, HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                ], body: .init(byteBuffer: ByteBuffer(string: DashboardStylesheet.css)))
        }
        let group = router.group("dashboard").add(middleware: DashboardResponder())
        group.get { request, context in try await overview(request, context) }
        group.post("login") { request, context in try await login(request, context) }
        group.post("logout") { request, context in try await logout(request, context) }
        group.get("conversations") { request, context in try await conversations(request, context) }
        group.get("conversations/{id}") { request, context in try await conversation(request, context) }
        group.get("export/conversations") { request, context in try await exportRows(request, context, messages: false) }
        group.get("export/messages") { request, context in try await exportRows(request, context, messages: true) }
        // Any other address under /dashboard is the dashboard's own 404 page, not the API's JSON.
        group.get("**") { _, _ -> Response in throw APIError.notFound("page") }
    }

    /// The login form with a fresh CSRF cookie.
    func loginForm(_ request: Request, message: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let csrf = DashboardCSRF.newToken()
        let secure = DashboardCookies.isSecure(request.headers, scheme: request.uri.scheme?.rawValue)
        return DashboardResponder.page(
            LoginPage.html(csrf: csrf, message: message), status: status,
            headers: [
                .setCookie: DashboardCookies.setCookie(DashboardCSRF.loginCookie, csrf, maxAge: 3600, secure: secure)
            ])
    }

    func overview(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let caller = try await auth.caller(request, context) else { return loginForm(request) }
        return try await caller.page { try await overview(request, caller) }
    }

    func overview(_ request: Request, _ caller: DashboardCaller) async throws -> Response {
        let days = try request.integer("days", default: 7, range: AnalyticsWindow.dayRange)
        guard OverviewPage.windows.contains(days) else { throw APIError.invalid("days", "must be 1, 7, 30 or 90") }
        let window = AnalyticsWindow(days: days)
        let scope = caller.scope
        let report = try await analytics.read(scope) { connection in
            try await UsageQuery.report(connection, scope: scope, window: window, topUsers: caller.isAdmin ? 10 : nil, byTenant: caller.isOperator)
        }
        return DashboardResponder.page(OverviewPage.html(report, days: days, caller: caller))
    }

    func login(_ request: Request, _ context: AppContext) async throws -> Response {
        let fields = try await FormBody.fields(request)
        guard DashboardCSRF.matches(fields["csrf"], DashboardCookies.value(DashboardCSRF.loginCookie, in: request.headers)) else {
            return loginForm(request, message: "The form had expired; please try again.", status: .forbidden)
        }
        let credential = (fields["key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // One clock reading for the session's expiry and the cookie's Max-Age, so the cookie lives exactly as long.
        let now = Int64(Date().timeIntervalSince1970)
        guard !credential.isEmpty, credential.utf8.count <= 4096,
            let session = try await auth.session(for: credential, context, now: Date(timeIntervalSince1970: Double(now))),
            let cookie = auth.signer.sign(session)
        else {
            return loginForm(
                request, message: "That key was not accepted. Use an admin key, a user token or an operator key.",
                status: .unauthorized)
        }
        let secure = DashboardCookies.isSecure(request.headers, scheme: request.uri.scheme?.rawValue)
        var headers = HTTPFields()
        headers.append(
            HTTPField(
                name: .setCookie,
                value: DashboardCookies.setCookie(
                    DashboardSession.cookieName, cookie, maxAge: max(1, Int(session.expires - now)), secure: secure)))
        headers.append(HTTPField(name: .setCookie, value: DashboardCookies.setCookie(DashboardCSRF.loginCookie, "", maxAge: 0, secure: secure)))
        return DashboardResponder.redirect(to: "/dashboard", headers: headers)
    }

    func logout(_ request: Request, _ context: AppContext) async throws -> Response {
        let fields = try await FormBody.fields(request)
        let session = DashboardCookies.value(DashboardSession.cookieName, in: request.headers).flatMap { auth.signer.verify($0) }
        guard let session, DashboardCSRF.matches(fields["csrf"], session.csrf) else {
            throw APIError(.forbidden, code: "csrf", message: "the form's token did not match this session", field: "csrf")
        }
        let secure = DashboardCookies.isSecure(request.headers, scheme: request.uri.scheme?.rawValue)
        return DashboardResponder.redirect(
            to: "/dashboard",
            headers: [
                .setCookie: DashboardCookies.setCookie(DashboardSession.cookieName, "", maxAge: 0, secure: secure)
            ])
    }

    /// Runs a page for a caller who may read conversations (admins and users; the operator reads none).
    func reader(
        _ request: Request, _ context: AppContext,
        _ body: (DashboardCaller, Principal) async throws -> Response
    ) async throws -> Response {
        let caller = try await auth.requireCaller(request, context)
        return try await caller.page { try await body(caller, try caller.context.require(ReadRoutes.readers)) }
    }

    func conversations(_ request: Request, _ context: AppContext) async throws -> Response {
        try await reader(request, context) { caller, principal in try await conversations(request, caller, principal) }
    }

    func conversations(_ request: Request, _ caller: DashboardCaller, _ principal: Principal) async throws -> Response {
        // The filter form is a GET form: its query is form-encoded (`+` for spaces).
        let query = FormBody.parse(request.uri.query ?? "")
        let filters = try ConversationFilters(lookup: { query[$0] }, principal: principal, wholeDays: true)
        let cursor = try ConversationListRoute.cursor(query["cursor"])
        let page = try await list.page(principal: principal, filters: filters, cursor: cursor, limit: 50)
        var parameters: [String: String] = [:]
        for name in ConversationsPage.parameterNames { if let value = query[name], !value.isEmpty { parameters[name] = value } }
        return DashboardResponder.page(ConversationsPage.html(page.conversations, next: page.next?.encoded, parameters: parameters, caller: caller))
    }

    func conversation(_ request: Request, _ context: AppContext) async throws -> Response {
        try await reader(request, context) { caller, principal in try await conversation(request, context, caller, principal) }
    }

    func conversation(_ request: Request, _ context: AppContext, _ caller: DashboardCaller, _ principal: Principal) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = UUID(text: text) else { throw APIError.notFound("conversation", field: "id") }
        let after = try request.integer("after", default: -1, range: -1...Int(Int32.max))
        guard let found = try await detail.detail(id: id, principal: principal, limit: 200, after: after) else {
            throw APIError.notFound("conversation", field: "id")
        }
        return DashboardResponder.page(ConversationPage.html(found, caller: caller))
    }

    func exportRows(_ request: Request, _ context: AppContext, messages: Bool) async throws -> Response {
        try await reader(request, context) { _, principal in try await exportRows(request, principal, messages: messages) }
    }

    func exportRows(_ request: Request, _ principal: Principal, messages: Bool) async throws -> Response {
        let query = FormBody.parse(request.uri.query ?? "")
        let filters = try ConversationFilters(lookup: { query[$0] }, principal: principal, wholeDays: true)
        let format = try ExportFormat(parameter: query["format"])
        return messages
            ? try await export.messages(principal: principal, filters: filters, format: format)
            : try await export.conversations(principal: principal, filters: filters, format: format)
    }
}
