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
        var headers: HTTPHeaders = [:]
    }

    static func make(connections: Int = 64) -> BenchHTTP {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        configuration.redirectConfiguration = .disallow  // the dashboard login answers 303 with its cookie
        return BenchHTTP(client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration))
    }

    func send(
        _ method: String, _ url: String, key: String? = nil, body: Data? = nil, headers: [(String, String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if !request.headers.contains(name: "Content-Type") { request.headers.add(name: "Content-Type", value: "application/json") }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let start = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), body: Data(buffer: buffer), elapsed: ContinuousClock.now - start, headers: response.headers)
    }

    /// Logs in to the dashboard with `key` as a browser does (the login form's CSRF cookie and field, then the form
    /// post); the `Cookie` header value of the session.
    func dashboardSession(base: String, key: String) async throws -> String {
        func cookies(_ answer: Answer) -> [String] {
            answer.headers["Set-Cookie"].compactMap { $0.split(separator: ";").first.map(String.init) }
        }
        let form = try await send("GET", base + "/dashboard")
        let page = String(decoding: form.body, as: UTF8.self)
        guard let marker = page.range(of: #"name="csrf" value=""#),
            let end = page[marker.upperBound...].firstIndex(of: "\"")
        else { throw BenchError("the dashboard's login form has no CSRF field") }
        let csrf = String(page[marker.upperBound..<end])
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        let login = try await send(
            "POST", base + "/dashboard/login", body: Data("key=\(encoded(key))&csrf=\(encoded(csrf))".utf8),
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookies(form).joined(separator: "; "))])
        guard let session = cookies(login).first(where: { $0.hasPrefix("llmlog_session=") }) else {
            throw BenchError("dashboard login answered \(login.status) without a session")
        }
        return session
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
