import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PGClient

/// Sends due webhook deliveries: claims them (`WebhookTable.claim`: `FOR UPDATE SKIP LOCKED` and a lease, so two
/// instances never send the same one at once), checks the target's addresses again (`OutboundPolicy`) and connects to
/// exactly the addresses it checked, POSTs the alert as JSON with `LLMLog-Signature`, and records the outcome: a 2xx
/// is delivered; anything else (another status, a refused address, a connection error, a timeout) is retried after
/// `AlertOptions.retryDelay`, until `retryWindow` after the alert. Redirects are not followed.
public struct WebhookDeliverer: Sendable {
    let pool: PGPool
    let options: AlertOptions
    let logger: Logger

    public init(pool: PGPool, options: AlertOptions, logger: Logger) {
        self.pool = pool
        self.options = options
        self.logger = logger
    }

    /// Claims and sends what is due now; returns how many were attempted.
    @discardableResult
    public func runOnce() async throws -> Int {
        let claimed = try await pool.withAllTenants {
            try await WebhookTable.claim($0, limit: options.batchSize, lease: options.lease)
        }
        await withTaskGroup(of: Void.self) { group in
            for delivery in claimed {
                group.addTask { await deliver(delivery) }
            }
        }
        return claimed.count
    }

    /// The JSON body of an alert's delivery.
    static func body(_ alert: BudgetAlert) throws -> Data {
        try APIJSON.encoder(sortedKeys: true).encode(alert)
    }

    private func deliver(_ delivery: ClaimedDelivery) async {
        let outcome = await send(delivery)
        let retryIn: Duration?
        if outcome.delivered {
            retryIn = nil
        } else {
            let delay = options.retryDelay(afterAttempt: delivery.attempts)
            let window = Double(options.retryWindow.components.seconds)
            let delaySeconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            let giveUp = Date().addingTimeInterval(delaySeconds) > delivery.createdAt.addingTimeInterval(window)
            retryIn = giveUp ? nil : delay
        }
        do {
            try await pool.withAllTenants {
                try await WebhookTable.record(
                    $0, tenantId: delivery.tenantId, id: delivery.id, delivered: outcome.delivered, statusCode: outcome.status,
                    error: outcome.error, retryIn: retryIn)
            }
        } catch {
            // The lease runs out and the delivery is attempted again.
            logger.warning("recording a webhook delivery failed", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }

    private func send(_ delivery: ClaimedDelivery) async -> (delivered: Bool, status: Int?, error: String?) {
        let policy = OutboundPolicy(allowPrivate: options.allowPrivate)
        let target: OutboundPolicy.Target
        var pinned: [String: String] = [:]
        do {
            target = try OutboundPolicy.target(delivery.url)
            let addresses = try await policy.addresses(for: target)
            if target.literal == nil, let first = addresses.first { pinned[target.host] = first.text }
        } catch {
            return (false, nil, "refused: \(error.message)")
        }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .init(options.requestTimeout))
        configuration.dnsOverride = pinned
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result = await post(delivery, to: target, with: client)
        try? await client.shutdown()
        return result
    }

    private func post(
        _ delivery: ClaimedDelivery, to target: OutboundPolicy.Target, with client: HTTPClient
    ) async -> (delivered: Bool, status: Int?, error: String?) {
        do {
            let body = try Self.body(delivery.alert)
            var request = HTTPClientRequest(url: target.url.absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "llmlog-webhooks")
            request.headers.add(
                name: WebhookSignature.headerName,
                value: WebhookSignature.header(secret: delivery.secret, timestamp: Int64(Date().timeIntervalSince1970), body: body))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .init(options.requestTimeout))
            _ = try? await response.body.collect(upTo: 4096)
            let status = Int(response.status.code)
            return ((200..<300).contains(status), status, (200..<300).contains(status) ? nil : "HTTP \(status)")
        } catch {
            return (false, nil, String("\(error)".prefix(200)))
        }
    }
}
