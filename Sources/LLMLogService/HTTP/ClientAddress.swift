import NIOCore

/// The client a per-address limit is kept for: an IPv4 address, or the /64 network of an IPv6 address (a single
/// host usually has a whole /64 to pick addresses from); an IPv4-mapped IPv6 address counts as its IPv4 address.
/// Behind a reverse proxy every client has the proxy's address.
enum ClientAddress {
    /// Every request whose address is unknown (Hummingbird's router test client, Unix sockets) shares this subject.
    static let unknown = "unknown"

    static func subject(_ address: SocketAddress?) -> String {
        switch address {
        case .v4?:
            return address?.ipAddress ?? unknown
        case .v6(let v6)?:
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                return bytes[12...].map(String.init).joined(separator: ".")
            }
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        case .unixDomainSocket?, nil:
            return unknown
        }
    }
}
