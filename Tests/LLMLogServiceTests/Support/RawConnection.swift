import Foundation
import Glibc

/// A raw TCP connection to a service on the loopback interface, for clients an HTTP library would never be: ones
/// that stall or trickle their requests, or that come from another loopback address. Blocking socket calls: use
/// it from a thread of its own (`RawConnection.onThread`), never from Swift's cooperative pool.
final class RawConnection {
    struct SocketError: Error, CustomStringConvertible {
        let what: String
        let code = errno
        var description: String { "\(what): \(String(cString: strerror(code)))" }
    }

    let fd: Int32
    /// When `connect` returned.
    let opened: ContinuousClock.Instant
    /// Everything the server sent.
    private(set) var received: [UInt8] = []
    /// When the server's close was seen (end of stream or reset); nil while open.
    private(set) var closed: ContinuousClock.Instant?

    /// Connects to 127.0.0.1:`port`, from `source` (another loopback address, e.g. 127.0.0.2) when given.
    init(port: Int, source: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(what: "socket") }
        if let source {
            var local = Self.address(source, port: 0)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw SocketError(what: "bind \(source)")
            }
        }
        var remote = Self.address("127.0.0.1", port: port)
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw SocketError(what: "connect")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.fd = fd
        opened = .now
    }

    deinit { close(fd) }

    private static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        return address
    }

    /// Sends `text` (small: it fits the socket buffer); false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        guard closed == nil else { return false }
        let bytes = Array(text.utf8)
        let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if count < 0, errno == EPIPE || errno == ECONNRESET {
            closed = .now
            return false
        }
        return count == bytes.count
    }

    /// Reads what has arrived and notes a close; false once closed.
    @discardableResult
    func read() -> Bool {
        guard closed == nil else { return false }
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer.prefix(count)
                continue
            }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { return true }
            closed = .now  // 0: end of stream; otherwise a reset
            return false
        }
    }

    /// How long the connection was open, once closed.
    var lifetime: Duration? { closed.map { $0 - opened } }

    /// Whether what the server sent begins with an answer of `status`.
    func answered(_ status: Int) -> Bool {
        String(decoding: received.prefix(16), as: UTF8.self).hasPrefix("HTTP/1.1 \(status) ")
    }

    /// Waits (poll(2) on all of them) until every connection is closed or `deadline` passes, calling `tick` about
    /// every `interval` (to trickle bytes); true when all are closed.
    static func waitUntilClosed(
        _ connections: [RawConnection], deadline: ContinuousClock.Instant,
        interval: Duration = .milliseconds(50), tick: () -> Void = {}
    ) -> Bool {
        while ContinuousClock.now < deadline {
            let open = connections.filter { $0.closed == nil }
            if open.isEmpty { return true }
            var descriptors = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
            _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            for (connection, descriptor) in zip(open, descriptors) where descriptor.revents != 0 { connection.read() }
            tick()
        }
        return connections.allSatisfy { $0.closed != nil }
    }

    /// One request with `Connection: close`, answered in full: its status, headers (lower-cased names) and body.
    struct Answer: Sendable {
        var status: Int?
        var headers: [String: String]
        var body: Data
        var elapsed: Duration
    }

    static func request(
        port: Int, source: String? = nil, method: String, path: String, key: String? = nil, body: String? = nil,
        timeout: Duration = .seconds(20)
    ) throws -> Answer {
        let start = ContinuousClock.now
        let connection = try RawConnection(port: port, source: source)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let key { head += "Authorization: Bearer \(key)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        connection.send(head + "\r\n" + (body ?? ""))
        _ = waitUntilClosed([connection], deadline: .now + timeout)
        var answer = Answer(status: nil, headers: [:], body: Data(), elapsed: ContinuousClock.now - start)
        let bytes = connection.received
        let separator = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return answer }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        answer.status = lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { answer.headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        answer.body = Data(bytes[(end + 4)...])
        return answer
    }

    /// Runs blocking socket work on a thread of its own, off Swift's cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
