import Hummingbird
import HTTPTypes
import PGClient

/// Every dashboard answer: the security headers (`Content-Security-Policy: default-src 'self'`, no framing, no
/// sniffing, no referrer), and errors as HTML pages instead of JSON; a page asked for without a session goes to
/// the login form.
struct DashboardResponder: RouterMiddleware {
    typealias Context = AppContext

    static let contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch is DashboardLoginRequired {
            response = Self.redirect(to: "/dashboard")
        } catch let error as APIError {
            response = Self.page(ErrorPage.html(error, caller: nil), status: error.status)
            if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        } catch let error as HTTPError {
            let mapped = ErrorMiddleware.map(error)
            response = Self.page(ErrorPage.html(mapped, caller: nil), status: mapped.status)
        } catch let error as PGError where error.isRetryable {
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            let unavailable = APIError.unavailable("the database is unavailable or too slow right now", retryAfter: 2)
            response = Self.page(ErrorPage.html(unavailable, caller: nil), status: .serviceUnavailable)
            response.headers[.retryAfter] = "2"
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            response = Self.page(ErrorPage.html(.internalError, caller: nil), status: .internalServerError)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// An HTML page answer.
    static func page(_ html: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 See Other to `location` (after a form post, or to the login form).
    static func redirect(to location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.location: location]
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }
}
