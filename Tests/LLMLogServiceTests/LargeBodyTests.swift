import Foundation
import Glibc
import LLMLogService
import Logging
import PGClient
import Testing

/// A 100 MB body against `llmlog serve` as a child process, over a raw socket (so nothing between test and server
/// buffers or reframes it): announced with `Content-Length`, and streamed with `Transfer-Encoding: chunked` and no
/// length. Either way the answer is `413` naming `body`, it comes while the client is still sending, and the
/// service's peak resident memory stays far below the 100 MB it was offered.
@Suite(.serialized) struct LargeBodyTests {
    static let bodyBytes = 100 * 1024 * 1024
    /// What the service's peak RSS may grow by over both requests: the 2 MiB limit, NIO's read buffers and the
    /// allocator's slack fit many times over; buffering either body would not.
    static let allowedPeakGrowth = 24 * 1024 * 1024

    @Test func hundredMegabyteBodiesAreRefusedWithoutBeingBuffered() async throws {
        let cluster = try await PGLocalCluster.startTemporary()
        defer { cluster.stop() }
        try await Migrator(logger: Logger(label: "large-body")).migrate(cluster.configuration())
        let owner = PGPool(configuration: cluster.configuration(), options: .init(maxConnections: 2))
        let tenant = try await TenantStore(pool: owner).createTenant(name: "large-body")
        await owner.close()
        let port = try PGLocalCluster.freeLoopbackPort()
        let logPath = NSTemporaryDirectory() + "llmlog-large-body-\(UUID().uuidString.prefix(8)).log"
        let service = try ServiceProcess(databaseURL: cluster.url(), port: port, environment: ["LLMLOG_RATE_LIMIT_PER_SECOND": "0"], logPath: logPath)
        defer { if service.process.isRunning { service.signal(SIGKILL) } }
        let http = HTTPProbe(port: port, connections: 4)
        try await service.waitUntilReady(http)

        // A conversation, and a few ordinary messages so the baseline includes a warmed-up request path.
        let conversation = UUID()
        let create = await http.send(
            .init(
                method: "POST", path: "/v1/conversations",
                body: Data(
                    #"{"id": "\#(conversation)", "type": "CHAT", "provider": "openai", "model": "gpt-4o-mini"}"#.utf8), key: tenant.ingestKey))
        #expect(create.status == 201)
        let path = "/v1/conversations/\(conversation)/messages"
        for index in 0..<3 {
            let message = await http.send(
                .init(
                    method: "POST", path: path,
                    body: Data(
                        #"{"role": "USER", "content": "\#(String(repeating: "x", count: 100_000 * index))"}"#.utf8), key: tenant.ingestKey))
            #expect(message.status == 201)
        }
        let pid = service.process.processIdentifier
        let before = try #require(Self.memory(pid))

        var figures: [String] = []
        for framing in [RawUpload.Framing.contentLength, .chunked] {
            let upload = try await RawUpload.run(port: port, path: path, key: tenant.ingestKey, framing: framing, bodyBytes: Self.bodyBytes)
            #expect(upload.status == 413, "\(framing): \(upload.status.map(String.init) ?? "no answer")")
            let error = (try? JSONSerialization.jsonObject(with: upload.body)) as? [String: Any]
            let detail = error?["error"] as? [String: Any]
            #expect(detail?["field"] as? String == "body", "\(framing): \(String(decoding: upload.body, as: UTF8.self))")
            #expect(detail?["code"] as? String == "too_large")
            // The answer came while the client was still sending: the server did not wait for the whole body.
            #expect(upload.bodyBytesSent < Self.bodyBytes, "\(framing): the whole body was sent before the answer")
            figures.append("\(framing): 413 after \(upload.bodyBytesSent) body bytes sent")
        }
        let after = try #require(Self.memory(pid))
        let growth = after.peak - before.peak
        #expect(growth < Self.allowedPeakGrowth, "peak RSS grew by \(growth) bytes (\(before.peak) → \(after.peak))")
        print(
            "large body: \(figures.joined(separator: "; ")); peak RSS \(before.peak / 1024) kB → \(after.peak / 1024) kB (+\(growth / 1024) kB), RSS now \(after.resident / 1024) kB"
        )

        // The service is still well: ready, and an ordinary message is stored.
        #expect(await http.send(.init(method: "GET", path: "/readyz")).status == 200)
        let ordinary = await http.send(
            .init(method: "POST", path: path, body: Data(#"{"role": "ASSISTANT", "content": "still here"}"#.utf8), key: tenant.ingestKey))
        #expect(ordinary.status == 201)

        service.signal(SIGTERM)
        #expect(await service.waitForExit(timeout: .seconds(30)) != nil)
    }

    /// `VmHWM` (peak resident set) and `VmRSS` of a process, in bytes.
    static func memory(_ pid: Int32) -> (peak: Int, resident: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func kilobytes(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
        }
        guard let peak = kilobytes("VmHWM"), let resident = kilobytes("VmRSS") else { return nil }
        return (peak * 1024, resident * 1024)
    }
}

/// One HTTP/1.1 POST over a raw, non-blocking TCP socket: sends the head, then streams body bytes (as they are
/// accepted) until the server answers or the body is complete, then reads the answer.
struct RawUpload {
    enum Framing: String, CustomStringConvertible {
        case contentLength = "Content-Length"
        case chunked = "chunked"
        var description: String { rawValue }
    }

    var status: Int?
    var body: Data
    var bodyBytesSent: Int

    static func run(port: Int, path: String, key: String, framing: Framing, bodyBytes: Int) async throws -> RawUpload {
        try await withCheckedThrowingContinuation { continuation in
            // Blocking socket work on a thread of its own, off Swift's cooperative pool.
            let thread = Thread {
                continuation.resume(with: Result { try blocking(port: port, path: path, key: key, framing: framing, bodyBytes: bodyBytes) })
            }
            thread.start()
        }
    }

    struct SocketError: Error, CustomStringConvertible {
        let what: String
        let code = errno
        var description: String { "\(what): \(String(cString: strerror(code)))" }
    }

    static func blocking(port: Int, path: String, key: String, framing: Framing, bodyBytes: Int) throws -> RawUpload {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(what: "socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SocketError(what: "connect") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\n"
        head += framing == .contentLength ? "Content-Length: \(bodyBytes)\r\n\r\n" : "Transfer-Encoding: chunked\r\n\r\n"
        var pending = Array(head.utf8)
        let chunk = 64 * 1024
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: chunk)
        let opening = Array(#"{"role": "USER", "content": ""#.utf8)
        var produced = 0  // body bytes handed to `pending`
        var sent = 0  // body bytes the kernel accepted
        var pendingBodyBytes = 0
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(120)

        func refill() {
            guard pending.isEmpty, produced < bodyBytes else { return }
            var piece = produced == 0 ? opening + filler.prefix(chunk - opening.count) : filler
            piece = Array(piece.prefix(bodyBytes - produced))
            produced += piece.count
            pendingBodyBytes = piece.count
            if framing == .chunked {
                pending = Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8)
                if produced == bodyBytes { pending += Array("0\r\n\r\n".utf8) }
            } else {
                pending = piece
            }
        }

        while ContinuousClock.now < deadline {
            refill()
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN) | (pending.isEmpty ? 0 : Int16(POLLOUT)), revents: 0)
            guard poll(&descriptor, 1, 1000) >= 0 else { throw SocketError(what: "poll") }
            if descriptor.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 { received += buffer.prefix(count) }
                if let answer = parse(received) { return RawUpload(status: answer.status, body: answer.body, bodyBytesSent: sent) }
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { break }  // closed without a full answer
                continue
            }
            if descriptor.revents & Int16(POLLOUT) != 0, !pending.isEmpty {
                let count = pending.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count < 0 {
                    if errno == EAGAIN || errno == EWOULDBLOCK { continue }
                    if errno == EPIPE || errno == ECONNRESET {
                        pending = []
                        produced = bodyBytes
                        continue
                    }  // the server stopped reading: wait for its answer
                    throw SocketError(what: "send")
                }
                // Count only body bytes (the head goes first; chunk framing is not body).
                let wasHead = pendingBodyBytes == 0
                pending.removeFirst(count)
                if pending.isEmpty && !wasHead {
                    sent += pendingBodyBytes
                    pendingBodyBytes = 0
                }
            }
        }
        let answer = parse(received)
        return RawUpload(status: answer?.status, body: answer?.body ?? Data(), bodyBytesSent: sent)
    }

    /// A complete response (head and `Content-Length` body) in `bytes`, or nil.
    static func parse(_ bytes: [UInt8]) -> (status: Int, body: Data)? {
        let separator = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        let length =
            lines.dropFirst().compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (status, Data(bytes[bodyStart..<bodyStart + length]))
    }
}
