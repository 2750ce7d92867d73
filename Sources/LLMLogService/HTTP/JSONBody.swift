import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Reads the body (at most `limit` bytes: 413 past that, without buffering the rest), checks it is JSON
    /// (415 otherwise), and decodes it (400 naming the field when it does not fit `T`).
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        if let contentType = headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard mediaType == "application/json" || mediaType?.hasSuffix("+json") == true else {
                throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json", field: "Content-Type")
            }
        }
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, code: "too_large", message: "the body is larger than \(limit) bytes", field: "body")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            // A body without Content-Length (chunked) that grows past the limit: collection stops there, nothing
            // more is buffered (Hummingbird discards the rest after the answer).
            throw APIError(.contentTooLarge, code: "too_large", message: "the body is larger than \(limit) bytes", field: "body")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, code: "too_large", message: "the body is larger than \(limit) bytes", field: "body")
        }
        if buffer.readableBytes == 0 { throw APIError.invalid("body", "is empty; send a JSON object", code: "missing_body") }
        do {
            return try APIJSON.decoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
    }
}

extension Response {
    /// A JSON response.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try APIJSON.encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
