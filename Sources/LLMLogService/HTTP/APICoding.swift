import Analytics
import Foundation
import Hummingbird
import NIOCore

/// The request decoder of `AppContext` (`request.decode(as:context:)`): reads the body (at most
/// `context.maxUploadSize` bytes: 413 past that, without buffering the rest), checks it is JSON (415 otherwise), and
/// decodes it with `APIJSON` (400 naming the field when it does not fit). Every failure is an `APIError`, so the
/// error contract holds whichever route decodes.
public struct APIRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let limit = context.maxUploadSize
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard mediaType == "application/json" || mediaType?.hasSuffix("+json") == true else {
                throw APIError(
                    .unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json", field: "Content-Type")
            }
        }
        let tooLarge = APIError(.contentTooLarge, code: "too_large", message: "the body is larger than \(limit) bytes", field: "body")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            // A body without Content-Length (chunked) that grows past the limit: collection stops there, nothing
            // more is buffered (Hummingbird discards the rest after the answer).
            throw tooLarge
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
        if buffer.readableBytes == 0 { throw APIError.invalid("body", "is empty; send a JSON object", code: "missing_body") }
        do {
            return try APIJSON.decoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
    }
}

/// The response encoder of `AppContext`: what a route returns (a `ResponseEncodable` answer, or an `EditedResponse`
/// of one with another status) is written with `APIJSON`'s encoder as `application/json`.
public struct APIResponseEncoder: ResponseEncoder {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encoder().encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPResponse.Status {
    /// 207: a batch's answer, one status per event.
    static let multiStatus = HTTPResponse.Status(code: 207, reasonPhrase: "Multi-Status")
}

/// What a single write route answers: the conversation or the message it wrote (or found stored, for a retry).
enum WrittenRecord: ResponseEncodable {
    case conversation(ConversationRecord)
    case message(MessageRecord)

    func encode(to encoder: Encoder) throws {
        switch self {
        case .conversation(let record): try record.encode(to: encoder)
        case .message(let record): try record.encode(to: encoder)
        }
    }
}

// The typed answers of the routes, written by `APIResponseEncoder`.
extension ProviderIngestResponse: ResponseEncodable {}
extension TenantStore.CreatedTenant: ResponseEncodable {}
extension UsageReport: ResponseEncodable {}
extension LatencyReport: ResponseEncodable {}
