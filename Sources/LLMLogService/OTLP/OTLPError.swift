import Foundation
import Hummingbird
import NIOCore
import OTLPProto
import SwiftProtobuf

/// An error answer of `POST /v1/traces`, as OTLP/HTTP asks: the HTTP status (400 for malformed data, which the
/// exporters do not retry; 429/503 with `Retry-After`, which they do) and a `google.rpc.Status` body in the
/// request's encoding, whose message names the offending field.
struct OTLPError: Error, HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var encoding: OTLPEncoding
    var field: String?
    var message: String
    var retryAfterSeconds: Int?

    init(_ status: HTTPResponse.Status, encoding: OTLPEncoding, field: String?, _ message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.encoding = encoding
        self.field = field
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The same error as one of our `APIError`s (auth, limits, write queue), in OTLP's form.
    init(_ error: APIError, encoding: OTLPEncoding) {
        self.init(error.status, encoding: encoding, field: error.field, error.message, retryAfterSeconds: error.retryAfterSeconds)
    }

    static func tooLarge(_ encoding: OTLPEncoding, limit: Int, decompressed: Bool = false) -> OTLPError {
        OTLPError(
            .contentTooLarge, encoding: encoding, field: "body",
            "is larger than \(limit) bytes\(decompressed ? " decompressed" : "")")
    }

    /// The gRPC status code that goes with the HTTP status (google.rpc.Code).
    var rpcCode: Int32 {
        switch status.code {
        case 400: 3  // INVALID_ARGUMENT
        case 401: 16  // UNAUTHENTICATED
        case 403: 7  // PERMISSION_DENIED
        case 404: 5  // NOT_FOUND
        case 413, 429: 8  // RESOURCE_EXHAUSTED
        case 415: 3
        case 503: 14  // UNAVAILABLE
        default: 13  // INTERNAL
        }
    }

    /// `field: message`, or the message alone.
    var statusMessage: String { field.map { "\($0): \(message)" } ?? message }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var status = Google_Rpc_Status()
        status.code = rpcCode
        status.message = statusMessage
        let bytes: [UInt8]
        switch encoding {
        case .protobuf: bytes = (try? status.serializedBytes()) ?? []
        case .json: bytes = (try? status.jsonUTF8Bytes()) ?? []
        }
        var headers: HTTPFields = [.contentType: encoding.contentType]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
