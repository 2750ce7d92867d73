import AsyncHTTPClient
import Foundation
import NIOCore

/// An HTTP client for load from a test (many concurrent requests, large bodies): AsyncHTTPClient on SwiftNIO, with a
/// deadline on every request. Every call answers (status nil for a transport error or a timeout); nothing throws.
final class LoadClient: Sendable {
    let base: String
    let client: HTTPClient

    init(port: Int, connections: Int) {
        base = "http://127.0.0.1:\(port)"
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends `method path` with a JSON `body` and `key` as bearer token; the answer with its status, body (up to
    /// 64 MB) and how long it took.
    func send(_ method: String, _ path: String, body: String? = nil, key: String? = nil) async -> HTTPProbe.Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let start = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return HTTPProbe.Answer(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                body: Data(buffer: bytes), elapsed: ContinuousClock.now - start)
        } catch {
            return HTTPProbe.Answer(status: nil, retryAfter: nil, body: Data(), elapsed: ContinuousClock.now - start)
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
