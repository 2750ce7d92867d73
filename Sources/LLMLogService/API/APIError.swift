import Foundation
import Hummingbird
import NIOCore

/// An error answer: `{"error": {"code", "message", "field"}}` with its HTTP status (and Retry-After for 503/429).
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    public var retryAfterSeconds: Int?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// 400 naming the offending field.
    public static func invalid(_ field: String, _ message: String, code: String = "invalid_field") -> APIError {
        APIError(.badRequest, code: code, message: message, field: field)
    }

    public static func notFound(_ what: String, field: String? = nil) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) not found", field: field)
    }

    public static func conflict(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.conflict, code: code, message: message, field: field)
    }

    public static let unauthorized = APIError(.unauthorized, code: "unauthorized", message: "missing or invalid credentials")
    public static let forbidden = APIError(.forbidden, code: "forbidden", message: "this key may not do that")

    public static func unavailable(_ message: String, retryAfter: Int = 1) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", message: message, retryAfterSeconds: retryAfter)
    }

    /// 429: the caller sent more than its rate limit allows.
    public static func rateLimited(retryAfter: Int) -> APIError {
        APIError(
            .tooManyRequests, code: "rate_limited", message: "rate limit exceeded; retry after \(retryAfter) s",
            retryAfterSeconds: retryAfter)
    }

    /// 429 for a client address that failed to authenticate too often (code `rate_limited`, like the per-caller limit).
    public static func authFailuresLimited(retryAfter: Int) -> APIError {
        APIError(
            .tooManyRequests, code: "rate_limited",
            message: "too many failed authentications from this address; retry after \(retryAfter) s", retryAfterSeconds: retryAfter)
    }

    public static let internalError = APIError(.internalServerError, code: "internal", message: "internal error")

    struct Body: Encodable {
        struct Inner: Encodable {
            let code: String
            let message: String
            let field: String?
            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(code, forKey: .code)
                try container.encode(message, forKey: .message)
                try container.encode(field, forKey: .field)
            }
            enum CodingKeys: String, CodingKey { case code, message, field }
        }
        let error: Inner
    }

    /// The JSON body bytes.
    public var jsonBody: ByteBuffer {
        let data = (try? APIJSON.encoder().encode(Body(error: .init(code: code, message: message, field: field)))) ?? Data()
        return ByteBuffer(bytes: data)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: jsonBody))
    }
}
