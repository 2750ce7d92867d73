import Hummingbird
import NIOCore
import PGClient

/// `GET /metrics`: the Prometheus text exposition. It carries no tenant data, so it needs no tenant credential,
/// but it should not be reachable from the internet; with `LLMLOG_METRICS_TOKEN` set it also requires
/// `Authorization: Bearer <token>` (401 otherwise).
struct MetricsRoute {
    let metrics: ServiceMetrics
    let pool: PGPool
    let writer: IngestWriter

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func register(on router: Router<AppContext>) {
        router.get("metrics") { request, _ in
            if let token = metrics.scrapeToken {
                guard let header = request.headers[.authorization], Self.matches(header, bearer: token) else {
                    throw APIError.unauthorized
                }
            }
            metrics.sample(pool: pool, writer: writer)
            return Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }

    /// Whether `header` is `Bearer <token>`, compared in time independent of where they differ.
    static func matches(_ header: String, bearer token: String) -> Bool {
        let given = Array(header.utf8), expected = Array("Bearer \(token)".utf8)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (index, byte) in expected.enumerated() {
            // The scheme is case-insensitive; the token is not.
            difference |= index < 7 ? (given[index] | 0x20) ^ (byte | 0x20) : given[index] ^ byte
        }
        return difference == 0
    }
}
