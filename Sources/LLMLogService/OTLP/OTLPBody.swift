import Foundation
import Hummingbird
import NIOCore
import OTLPProto
import SwiftProtobuf

/// The two encodings of OTLP/HTTP; an answer uses the request's.
enum OTLPEncoding: Sendable {
    case protobuf
    case json

    var contentType: String {
        switch self {
        case .protobuf: "application/x-protobuf"
        case .json: "application/json"
        }
    }

    /// The encoding a `Content-Type` names; nil for anything else (415). No header: protobuf, the OTLP default.
    init?(contentType: String?) {
        guard let contentType else {
            self = .protobuf
            return
        }
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        switch mediaType {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }
}

/// Reading a `POST /v1/traces` body: the encoding, at most `limit` bytes on the wire and, for gzip, at most
/// `limit` bytes decompressed (413 past either), then the generated OTLP types. Malformed input is an `OTLPError`
/// 400, which the exporters do not retry.
enum OTLPBody {
    typealias ExportRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest

    /// The body's bytes, decompressed when `Content-Encoding: gzip`.
    static func read(_ request: inout Request, encoding: OTLPEncoding, limit: Int) async throws(OTLPError) -> ByteBuffer {
        let contentEncoding = request.headers[.contentEncoding]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "identity"
        guard ["gzip", "identity", "x-gzip"].contains(contentEncoding) else {
            throw OTLPError(.unsupportedMediaType, encoding: encoding, field: "Content-Encoding", "must be gzip or identity")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw OTLPError.tooLarge(encoding, limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw OTLPError.tooLarge(encoding, limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw OTLPError.tooLarge(encoding, limit: limit)
        } catch {
            throw OTLPError(.badRequest, encoding: encoding, field: "body", "could not be read")
        }
        guard contentEncoding != "identity" else { return buffer }
        do {
            return try GzipInflate.inflate(buffer, limit: limit)
        } catch .tooLarge {
            throw OTLPError.tooLarge(encoding, limit: limit, decompressed: true)
        } catch {
            throw OTLPError(.badRequest, encoding: encoding, field: "body", "is not a valid gzip stream")
        }
    }

    /// The export request in `bytes`, in either encoding.
    static func decode(_ bytes: ByteBuffer, encoding: OTLPEncoding) throws(OTLPError) -> ExportRequest {
        let data = Data(bytes.readableBytesView)
        switch encoding {
        case .protobuf:
            do {
                return try ExportRequest(serializedBytes: data)
            } catch {
                throw OTLPError(.badRequest, encoding: encoding, field: "body", "is not a valid OTLP ExportTraceServiceRequest (protobuf)")
            }
        case .json:
            var decoded: ExportRequest
            do {
                var options = JSONDecodingOptions()
                options.ignoreUnknownFields = true  // OTLP: receivers ignore fields they do not know
                decoded = try ExportRequest(jsonUTF8Data: data, options: options)
            } catch {
                throw OTLPError(.badRequest, encoding: encoding, field: "body", "is not a valid OTLP ExportTraceServiceRequest (JSON): \(error)")
            }
            try OTLPJSONIds.restoreHexIds(&decoded)
            return decoded
        }
    }
}
