import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP attempt against the service: a POST with the key, answered by a status and body or a network error.
struct HTTPTransport: Sendable {
    enum Outcome: Sendable {
        case response(status: Int, body: ByteBuffer, retryAfter: Duration?)
        case networkError(String)
    }

    let baseURL: String
    let apiKey: String
    let client: HTTPClient

    /// Largest answer read (a batch answer is about 100 bytes per event).
    static let maxResponseBytes = 8 << 20

    func post(_ path: String, body: Data, headers extra: [(String, String)] = [], timeout: Duration) async -> Outcome {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "llmlog-swift-client")
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(max(1_000_000, timeout.inNanoseconds)))
            let answer = try await response.body.collect(upTo: Self.maxResponseBytes)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
            return .response(status: Int(response.status.code), body: answer, retryAfter: retryAfter)
        } catch {
            return .networkError(String(describing: error))
        }
    }
}

extension Duration {
    var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Whole milliseconds, as the service's `processingTime` takes them.
    var inMilliseconds: Int64 { inNanoseconds / 1_000_000 }
}

/// How a status, of the whole request or of one event, is handled.
enum StatusClass: Equatable {
    case success, retryable, final

    init(_ status: Int) {
        switch status {
        case 200..<300: self = .success
        case 408, 425, 429, 500...: self = .retryable
        default: self = .final
        }
    }
}
