import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id (the client's `X-Request-Id` when it sends a sane one, else a new UUID), puts it in
/// the response header and in every log line of the request, and writes one line per request: method, route
/// (the route pattern, never the raw path), status and duration. Bodies, keys and tokens are never logged.
/// The same route, status and duration feed the request metrics.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppContext
    var metrics: ServiceMetrics?

    static let header = HTTPField.Name("X-Request-Id")!

    /// A client-given id is used when it is short and printable (it goes into logs and headers).
    static func requestID(from request: Request) -> String {
        if let given = request.headers[header], (1...128).contains(given.utf8.count),
            given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        {
            return given
        }
        return UUID().lowercasedString
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let id = Self.requestID(from: request)
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        }
        response.headers[Self.header] = id
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let route = context.endpointPath ?? "unmatched"
        metrics?.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "route": .string(route),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.2f", milliseconds)),
            ])
        return response
    }
}
