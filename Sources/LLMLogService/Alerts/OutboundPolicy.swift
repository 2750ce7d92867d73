import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where webhooks may be sent (SSRF): `http`/`https` URLs whose host is, and resolves only to, public addresses that
/// are not this machine's own — unless the operator allowed private targets (`LLMLOG_WEBHOOK_ALLOW_PRIVATE`).
/// Checked when a webhook is registered and again before every delivery, on the addresses the delivery then connects
/// to (so a name that resolves differently later — DNS rebinding — is caught). Name resolution (`getaddrinfo`, which
/// blocks) runs on NIO's blocking thread pool, never on Swift's cooperative pool or an event loop.
struct OutboundPolicy: Sendable {
    /// True: any address is allowed (tests, private deployments).
    let allowPrivate: Bool

    /// A URL that passed the syntactic checks.
    struct Target: Sendable {
        let url: URL
        let host: String
        /// The host as an IP literal (brackets removed), when it is one.
        let literal: OutboundAddress?
    }

    /// Longest accepted URL.
    static let maxURLBytes = 2048

    /// The URL's scheme, host and form; 400 `field: url` otherwise.
    static func target(_ text: String) throws(APIError) -> Target {
        guard text.utf8.count <= maxURLBytes else { throw APIError.invalid("url", "is longer than \(maxURLBytes) bytes", code: "too_long") }
        guard let components = URLComponents(string: text), let url = components.url, let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { throw APIError.invalid("url", "is not an absolute http or https URL") }
        guard scheme == "http" || scheme == "https" else { throw APIError.invalid("url", "must be an http or https URL") }
        guard components.user == nil, components.password == nil else { throw APIError.invalid("url", "must not carry credentials") }
        guard components.fragment == nil else { throw APIError.invalid("url", "must not have a fragment") }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return Target(url: url, host: bare, literal: OutboundAddress(literal: bare))
    }

    /// The addresses a request to `target` may connect to: all of them checked; a refusal names why. With
    /// `allowPrivate` the name is not resolved here (the HTTP client resolves it) and the answer is empty.
    func addresses(for target: Target) async throws(APIError) -> [OutboundAddress] {
        if allowPrivate { return [] }
        let addresses: [OutboundAddress]
        if let literal = target.literal {
            addresses = [literal]
        } else {
            do {
                addresses = try await Self.resolve(target.host)
            } catch {
                throw APIError.invalid("url", "the host does not resolve")
            }
        }
        guard !addresses.isEmpty else { throw APIError.invalid("url", "the host does not resolve") }
        let own = Self.ownAddresses()
        for address in addresses where address.isInternal || own.contains(address) {
            throw APIError.invalid(
                "url", "points at a loopback, private, link-local or this service's own address (\(address.text)); not allowed",
                code: "address_not_allowed")
        }
        return addresses
    }

    /// The addresses of this machine's interfaces: a webhook must not call the service itself.
    static func ownAddresses() -> Set<OutboundAddress> {
        let devices = (try? System.enumerateDevices()) ?? []
        return Set(devices.compactMap { $0.address?.ipAddress.flatMap { OutboundAddress(literal: $0) } })
    }

    /// Every address `host` resolves to (`getaddrinfo` on the blocking thread pool), or an error after `timeout`
    /// (the lookup itself cannot be interrupted: it finishes on its thread and its answer is dropped).
    static func resolve(_ host: String, timeout: Duration = .seconds(3)) async throws -> [OutboundAddress] {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[OutboundAddress], any Error>) in
            let once = FirstAnswer(continuation)
            Task {
                do {
                    once.answer(.success(try await NIOThreadPool.singleton.runIfActive { try resolveBlocking(host) }))
                } catch {
                    once.answer(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.answer(.failure(ResolutionError(code: EAI_AGAIN)))
            }
        }
    }

    /// Resumes a continuation with the first answer given; later ones are dropped.
    private final class FirstAnswer: Sendable {
        private let continuation: Mutex<CheckedContinuation<[OutboundAddress], any Error>?>
        init(_ continuation: CheckedContinuation<[OutboundAddress], any Error>) { self.continuation = Mutex(continuation) }
        func answer(_ result: Result<[OutboundAddress], any Error>) {
            continuation.withLock { pending in
                defer { pending = nil }
                return pending
            }?.resume(with: result)
        }
    }

    struct ResolutionError: Error { let code: Int32 }

    private static func resolveBlocking(_ host: String) throws -> [OutboundAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { throw ResolutionError(code: status) }
        defer { freeaddrinfo(list) }
        var result: [OutboundAddress] = []
        var next = list
        while let info = next {
            if let address = info.pointee.ai_addr {
                if info.pointee.ai_family == AF_INET {
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin_addr
                        result.append(.v4(withUnsafeBytes(of: &value) { Array($0) }))
                    }
                } else if info.pointee.ai_family == AF_INET6 {
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin6_addr
                        result.append(.v6(withUnsafeBytes(of: &value) { Array($0) }))
                    }
                }
            }
            next = info.pointee.ai_next
        }
        var seen = Set<OutboundAddress>()
        return result.filter { seen.insert($0).inserted }
    }
}
