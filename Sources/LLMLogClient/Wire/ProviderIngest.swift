import Foundation

/// Which provider's request/response pair an ingest carries, and so which route takes it.
enum ProviderFormat: String, Sendable {
    case openAI = "openai"
    case anthropic = "anthropic"

    /// `/v1/ingest/openai` or `/v1/ingest/anthropic`.
    var path: String { "/v1/ingest/\(rawValue)" }
}

/// A provider request or response: raw JSON bytes (sent verbatim) or an `Encodable` value (encoded when sent).
enum JSONPayload: Sendable {
    case raw(Data)
    case value(any Encodable & Sendable)

    func data(_ encoder: JSONEncoder) throws -> Data {
        switch self {
        case .raw(let data): data
        case .value(let value): try encoder.encode(value)
        }
    }
}

/// `POST /v1/ingest/{provider}` body `{conversationId?, userId?, type, title?, request, response, processingTime?}`.
struct ProviderIngest: Sendable {
    /// The fields besides `request` and `response`.
    struct Envelope: Encodable, Sendable, Equatable {
        var conversationId: UUID?
        var userId: String?
        var type: ConversationType
        var title: String?
        var processingTime: Int64?
    }

    /// Sent as `Idempotency-Key` on every attempt.
    let id: UUID
    let provider: ProviderFormat
    let envelope: Envelope
    let request: JSONPayload
    let response: JSONPayload

    /// The body: the envelope's JSON object with `request` and `response` spliced in as they are (raw JSON keeps
    /// its exact numbers and key order).
    func body(_ encoder: JSONEncoder) throws -> Data {
        var body = try encoder.encode(envelope)
        guard body.last == UInt8(ascii: "}") else {
            throw EncodingError.invalidValue(envelope, .init(codingPath: [], debugDescription: "envelope is not an object"))
        }
        body.removeLast()
        if body.count > 1 { body.append(UInt8(ascii: ",")) }
        body.append(contentsOf: Array(#""request":"#.utf8))
        body.append(try request.data(encoder))
        body.append(contentsOf: Array(#","response":"#.utf8))
        body.append(try response.data(encoder))
        body.append(UInt8(ascii: "}"))
        return body
    }
}
