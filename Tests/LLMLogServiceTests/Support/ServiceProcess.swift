import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `llmlog serve` as a child process on a loopback port (for faults a service in-process cannot suffer: SIGKILL,
/// SIGTERM). Its output goes to a log file.
final class ServiceProcess: @unchecked Sendable {
    let port: Int
    let process: Process
    let logPath: String

    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/llmlog")
    }

    /// Starts the service; `waitUntilReady` tells when it answers.
    init(databaseURL: String, port: Int, environment: [String: String] = [:], logPath: String) throws {
        self.port = port
        self.logPath = logPath
        process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--database-url", databaseURL, "--port", String(port)]
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Polls `GET /readyz` until 200 (or throws after `timeout`).
    func waitUntilReady(_ client: HTTPProbe, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw ServiceProcessError(message: "llmlog serve exited with \(process.terminationStatus); see \(logPath)") }
            if await client.send(.init(method: "GET", path: "/readyz")).status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServiceProcessError(message: "llmlog serve not ready after \(timeout); see \(logPath)")
    }

    /// Sends `signal` to the process.
    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the exit; its status, or nil if still running after `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }
}

struct ServiceProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A small HTTP client over URLSession for driving a service process: every call answers (status nil for a
/// transport error), nothing throws.
struct HTTPProbe: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var body: Data?
        var key: String?
    }

    struct Answer: Sendable {
        var status: Int?
        var retryAfter: String?
        var body: Data
        var elapsed: Duration
    }

    let base: String
    let session: URLSession

    init(port: Int, connections: Int = 64) {
        base = "http://127.0.0.1:\(port)"
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration)
    }

    func send(_ request: Request) async -> Answer {
        var urlRequest = URLRequest(url: URL(string: base + request.path)!)
        urlRequest.httpMethod = request.method
        if let key = request.key { urlRequest.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body = request.body {
            urlRequest.httpBody = body
            urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let start = ContinuousClock.now
        do {
            let (data, response) = try await session.data(for: urlRequest)
            let http = response as? HTTPURLResponse
            return Answer(
                status: http?.statusCode, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"), body: data,
                elapsed: ContinuousClock.now - start)
        } catch {
            return Answer(status: nil, retryAfter: nil, body: Data(), elapsed: ContinuousClock.now - start)
        }
    }
}
