import Hummingbird
import PGClient

/// Every error leaves as `{"error": {"code", "message", "field"}}`: our APIErrors as they are, Hummingbird's
/// HTTPErrors (unknown route, body too large, …) mapped by status; a database that is unreachable, busy or too slow a
/// 503 with Retry-After; anything else a logged 500 that reveals nothing.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppContext

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as OTLPError {
            return try error.response(from: request, context: context)  // `POST /v1/traces`: OTLP's own error body
        } catch let error as HTTPError {
            return try Self.map(error).response(from: request, context: context)
        } catch let error as PGError where error.isRetryable {
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return try APIError.unavailable("the database is unavailable or too slow right now", retryAfter: 2).response(
                from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            return try APIError.internalError.response(from: request, context: context)
        }
    }

    static func map(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: APIError(.notFound, code: "not_found", message: "no such route")
        case .contentTooLarge: APIError(.contentTooLarge, code: "too_large", message: "the body is larger than allowed", field: "body")
        case .methodNotAllowed: APIError(.methodNotAllowed, code: "method_not_allowed", message: "method not allowed on this route")
        case .badRequest: APIError(.badRequest, code: "bad_request", message: error.body ?? "bad request", field: "body")
        default: APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
        }
    }
}
