import Foundation

/// The load tools (Debian packages `wrk` and `postgresql`): found on PATH or PostgreSQL's bin directory, run to
/// completion off the cooperative pool, their output captured.
enum Tools {
    static func find(_ name: String) throws -> String {
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            candidates += versions.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/\(name)" }
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError("\(name) not found: apt-get install \(name == "wrk" ? "wrk" : "postgresql")")
        }
        return found
    }

    /// Runs `tool` with `arguments`; its standard output, or an error with both outputs on a non-zero exit.
    static func run(_ tool: String, _ arguments: [String]) async throws -> String {
        let path = try find(tool)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: path)
                    process.arguments = arguments
                    let out = Pipe(), err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    let stderr = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    let text = String(decoding: stdout, as: UTF8.self)
                    guard process.terminationStatus == 0 else {
                        throw BenchError(
                            "\(tool) exited with \(process.terminationStatus): \(text.suffix(2000)) \(String(decoding: stderr, as: UTF8.self).suffix(2000))"
                        )
                    }
                    continuation.resume(returning: text)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Writes `text` to a new file in `directory`; its path.
    static func write(_ text: String, named name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// What wrk's `done` printed.
struct WrkResult: Sendable {
    var requests: Int
    var seconds: Double
    var statusErrors: Int
    var socketErrors: Int
    var p50ms: Double
    var p99ms: Double

    var requestsPerSecond: Double { Double(requests) / seconds }

    /// Runs wrk with `script` against `url`: `threads` threads, `connections` connections, `seconds` long.
    static func run(script: String, url: String, threads: Int, connections: Int, seconds: Int) async throws -> WrkResult {
        let output = try await Tools.run("wrk", ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "30s", "-s", script, url])
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("WRK ") }) else {
            throw BenchError("wrk printed no result line: \(output.suffix(2000))")
        }
        var fields: [String: Double] = [:]
        for pair in line.dropFirst(4).split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let value = Double(parts[1]) { fields[String(parts[0])] = value }
        }
        guard let requests = fields["requests"], let duration = fields["duration_us"], duration > 0 else {
            throw BenchError("malformed wrk result: \(line)")
        }
        return WrkResult(
            requests: Int(requests), seconds: duration / 1e6, statusErrors: Int(fields["status_errors"] ?? -1),
            socketErrors: Int(fields["socket_errors"] ?? -1), p50ms: (fields["p50_us"] ?? 0) / 1000,
            p99ms: (fields["p99_us"] ?? 0) / 1000)
    }
}
