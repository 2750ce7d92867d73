import HTTPTypes
import Hummingbird
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
        } catch let failure as DashboardPageError {
            response = Self.errorPage(failure.error, caller: failure.caller, context: context)
        } catch {
            response = Self.errorPage(error, caller: nil, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// The answer for an error: the login form's address for a missing session, else an HTML error page (with
    /// the navigation when the caller is known).
    static func errorPage(_ error: any Error, caller: DashboardCaller?, context: AppContext) -> Response {
        let apiError: APIError
        switch error {
        case is DashboardLoginRequired:
            return redirect(to: "/dashboard")
        case let error as APIError:
            apiError = error
        case let error as HTTPError:
            apiError = ErrorMiddleware.map(error)
        case let error as PGError where error.isRetryable:
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            apiError = APIError.unavailable("the database is unavailable or too slow right now", retryAfter: 2)
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            apiError = .internalError
        }
        var response = page(ErrorPage.html(apiError, caller: caller), status: apiError.status)
        if let seconds = apiError.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
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
