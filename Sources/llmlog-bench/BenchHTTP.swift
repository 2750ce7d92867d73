import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small HTTP client for set-up requests, read timings and the paced load (AsyncHTTPClient, up to 64
/// connections to one host).
struct BenchHTTP: Sendable {
    let client: HTTPClient

    struct Answer: Sendable {
        let status: Int
        let body: Data
        let elapsed: Duration
    }

    static func make(connections: Int = 64) -> BenchHTTP {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return BenchHTTP(client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration))
    }

    func send(_ method: String, _ url: String, key: String? = nil, body: Data? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let start = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), body: Data(buffer: buffer), elapsed: ContinuousClock.now - start)
    }

    /// Sends and insists on `expect`; the body otherwise goes into the error.
    func must(_ method: String, _ url: String, key: String? = nil, body: Data? = nil, expect: Int) async throws -> Data {
        let answer = try await send(method, url, key: key, body: body)
        guard answer.status == expect else {
            throw BenchError("\(method) \(url) answered \(answer.status), not \(expect): \(String(decoding: answer.body.prefix(500), as: UTF8.self))")
        }
        return answer.body
    }

    func shutdown() async { try? await client.shutdown() }
}
