import Foundation
import Hummingbird
import NIOCore
import OTLPProto
import PGClient
import SwiftProtobuf

/// `POST /v1/traces`: OTLP/HTTP trace export (protobuf or JSON, optionally gzip). GenAI spans become conversations
/// and priced messages (see `OTLPSpanMapping`); other spans are ignored. Ingest and admin keys, like the other
/// writes; the batch body and count limits. Answered with an `ExportTraceServiceResponse` in the request's encoding
/// once everything stored is committed.
struct OTLPRoutes {
    let pool: PGPool
    let writer: IngestWriter
    let limits: IngestLimits

    func register(on group: RouterGroup<AppContext>) {
        group.post("traces") { request, context in try await export(request, context) }
    }

    func export(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let encoding = OTLPEncoding(contentType: request.headers[.contentType]) else {
            throw OTLPError(.unsupportedMediaType, encoding: .json, field: "Content-Type", "must be application/x-protobuf or application/json")
        }
        do {
            let principal = try context.require(IngestRoutes.writers)
            var request = request
            let bytes = try await OTLPBody.read(&request, encoding: encoding, limit: limits.maxBatchBodyBytes)
            let export = try OTLPBody.decode(bytes, encoding: encoding)
            let ingest = ProviderIngest(pool: pool, writer: writer, limits: limits)
            let outcome = try await OTLPTraceIngest(ingest: ingest).store(export, principal: principal, receivedAt: context.receivedAt)
            if let overload = outcome.overload { throw OTLPError(overload, encoding: encoding) }
            var answer = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
            if outcome.rejected > 0 {
                answer.partialSuccess.rejectedSpans = Int64(outcome.rejected)
                answer.partialSuccess.errorMessage = outcome.firstRejection ?? ""
            }
            let body: [UInt8] =
                switch encoding {
                case .protobuf: try answer.serializedBytes()
                case .json: try answer.jsonUTF8Bytes()
                }
            return Response(status: .ok, headers: [.contentType: encoding.contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        } catch let error as APIError {
            throw OTLPError(error, encoding: encoding)
        } catch let error as PGError where error.isRetryable {
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            throw OTLPError(
                .serviceUnavailable, encoding: encoding, field: nil, "the database is unavailable or too slow right now", retryAfterSeconds: 2)
        }
    }
}
