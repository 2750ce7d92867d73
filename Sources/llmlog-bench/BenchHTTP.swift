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

extension BenchHTTP {
    /// GETs `url` and reads its body as it streams, keeping only the counts: bytes, lines and how long it took.
    func stream(
        _ url: String, key: String, timeout: Duration = .seconds(900)
    ) async throws -> (status: Int, bytes: Int, lines: Int, elapsed: Duration) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        let start = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        var bytes = 0
        var lines = 0
        for try await chunk in response.body {
            bytes += chunk.readableBytes
            chunk.withUnsafeReadableBytes { raw in lines += raw.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
        }
        return (Int(response.status.code), bytes, lines, ContinuousClock.now - start)
    }
}
