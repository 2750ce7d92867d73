#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address a webhook may be sent to, or not (SSRF): loopback, private (RFC 1918, fc00::/7, 100.64/10),
/// link-local (169.254/16, fe80::/10), unspecified, multicast and broadcast addresses are refused, as are IPv4
/// addresses mapped into IPv6 when their IPv4 address is.
enum OutboundAddress: Hashable, Sendable {
    case v4([UInt8])
    case v6([UInt8])

    /// An IP literal (`10.0.0.1`, `::1`, `[::1]`); nil for anything else (a name).
    init?(literal text: String) {
        var host = text
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// The address as text (`inet_ntop`), for connecting to it.
    var text: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch self {
        case .v4(let bytes):
            var address = in_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
        case .v6(let bytes):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True for an address that is not on the public internet.
    var isInternal: Bool {
        switch self {
        case .v4(let b):
            return b[0] == 0 || b[0] == 127 || b[0] == 10 || (b[0] == 172 && b[1] & 0xF0 == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] & 0xC0 == 64) || b[0] >= 224
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
        case .v6(let b):
            if b.allSatisfy({ $0 == 0 }) { return true }  // ::
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }  // ::1
            if b[0] & 0xFE == 0xFC { return true }  // fc00::/7
            if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return true }  // fe80::/10
            if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return true }  // fec0::/10 (old site-local)
            if b[0] == 0xFF { return true }  // multicast
            if b[0..<10].allSatisfy({ $0 == 0 }) && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0)) {
                return OutboundAddress.v4(Array(b[12..<16])).isInternal  // IPv4-mapped / -compatible
            }
            if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..<12].allSatisfy({ $0 == 0 }) {
                return OutboundAddress.v4(Array(b[12..<16])).isInternal  // NAT64 64:ff9b::/96
            }
            return false
        }
    }
}
