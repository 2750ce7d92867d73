import Foundation

/// A server the benchmark runs as a child process (`llmlog serve`, the echo server), so its memory can be read
/// from `/proc` and it competes for the CPU like a real deployment. Output goes to a log file.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    let logPath: String

    init(name: String, executable: String, arguments: [String], environment: [String: String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Polls `GET /readyz` until it answers 200.
    func waitUntilReady(_ http: BenchHTTP, port: Int, timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchError("\(name) exited with \(process.terminationStatus); see \(logPath)") }
            if let answer = try? await http.send("GET", "http://127.0.0.1:\(port)/readyz"), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("\(name) not ready after \(timeout); see \(logPath)")
    }

    /// Peak resident memory so far (VmHWM), in bytes.
    func peakRSS() throws -> Int {
        try Self.statusField("VmHWM", pid: pid)
    }

    /// Current resident memory (VmRSS), in bytes.
    func currentRSS() throws -> Int {
        try Self.statusField("VmRSS", pid: pid)
    }

    static func statusField(_ field: String, pid: Int32) throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kilobytes = Int(parts[1]) { return kilobytes * 1024 }
        }
        throw BenchError("no \(field) in /proc/\(pid)/status")
    }

    /// SIGTERM, then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(10)) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// A benchmark failure: a crash, a tool that failed, or a result that is not what was asked for.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
