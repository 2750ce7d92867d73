import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PGClient
import PGTestSupport
import Synchronization
import Testing

@testable import LLMLogService

/// Issue #17's alerts: webhooks (administration, SSRF refusals at registration and at delivery), and threshold alerts
/// delivered to a real HTTP receiver in this process — signed, retried while it fails, each exactly once even with
/// several checkers and deliverers racing.
@Suite(.serialized) struct WebhookTests {
    static let suite = "webhooks"

    /// What the receiver saw: every request's alert id and whether it verified and was accepted.
    final class Receiver: Sendable {
        struct Hit: Sendable {
            let alertId: String
            let signed: Bool
            let accepted: Bool
            let body: [String: String]
        }
        let secret: String
        let failFirst: Int
        let hits = Mutex<[Hit]>([])

        init(secret: String, failFirst: Int) {
            self.secret = secret
            self.failFirst = failFirst
        }

        var accepted: [Hit] { hits.withLock { $0.filter(\.accepted) } }
        var count: Int { hits.withLock { $0.count } }

        /// Runs `body` with a receiver listening on 127.0.0.1 at the port it is given.
        func run(_ body: @Sendable @escaping (Int) async throws -> Void) async throws {
            let router = Router()
            router.post("hook") { request, _ -> Response in
                let bytes = Data(buffer: try await request.body.collect(upTo: 1 << 16))
                let header = request.headers[HTTPField.Name("LLMLog-Signature")!] ?? ""
                let signed = WebhookSignature.verify(header: header, secret: self.secret, body: bytes)
                let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] ?? [:]
                let fields = object.compactMapValues { value -> String? in
                    if let text = value as? String { return text }
                    if let number = value as? NSNumber { return number.stringValue }
                    return nil
                }
                let accepted = self.hits.withLock { hits -> Bool in
                    let accept = signed && hits.count >= self.failFirst
                    hits.append(Hit(alertId: fields["id"] ?? "", signed: signed, accepted: accept, body: fields))
                    return accept
                }
                return Response(status: accepted ? .ok : .internalServerError)
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await body(try #require(client.port))
            }
        }
    }

    /// Polls `condition` until it holds or `seconds` pass.
    static func eventually(_ seconds: Double = 20, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    static var fast: AlertOptions {
        var options = AlertOptions()
        options.allowPrivate = true
        options.checkInterval = .milliseconds(50)
        options.deliveryInterval = .milliseconds(50)
        options.retryBase = .milliseconds(50)
        options.maxRetryDelay = .milliseconds(200)
        return options
    }

    @Test func privateAndLoopbackURLsAreRefused() async throws {
        var options = AlertOptions()
        options.checkInterval = nil
        options.deliveryInterval = nil
        try await TestService.run(suite: Self.suite, alerts: options) { service in
            let admin = service.tenant.adminKey
            for url in [
                "http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/",
                "http://localhost:8080/hook", "https://192.168.0.1/", "http://172.16.5.5/", "http://[fe80::1]/", "http://[fd00::1]/",
                "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://2130706433/", "ftp://example.com/", "not a url", "http:///x",
                "http://user:pass@example.com/",
            ] {
                let response = try await service.request(
                    .post, "/v1/webhooks", json: TestService.json(["url": url, "secret": "0123456789abcdef"]), key: admin)
                #expect(response.status == .badRequest && response.errorField == "url", "\(url): \(response.object)")
            }
            let short = try await service.request(
                .post, "/v1/webhooks", json: TestService.json(["url": "http://127.0.0.1/", "secret": "short"]), key: admin)
            #expect(short.status == .badRequest)
            #expect(try await service.request(.get, "/v1/webhooks").status == .forbidden)
        }
    }

    @Test func webhooksAreAdministeredPerTenant() async throws {
        try await TestService.run(suite: Self.suite, alerts: Self.fast) { service in
            let admin = service.tenant.adminKey
            let created = try await service.request(
                .post, "/v1/webhooks", json: TestService.json(["url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"]), key: admin)
            #expect(created.status == .created && created.object["secret"] == nil)
            let id = try #require(created.object["id"] as? String)
            let list = try await service.request(.get, "/v1/webhooks", key: admin)
            #expect((list.object["webhooks"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            #expect(try await service.request(.delete, "/v1/webhooks/\(id)", key: other.adminKey).status == .notFound)
            #expect(try await service.request(.get, "/v1/webhooks/\(id)/deliveries", key: other.adminKey).status == .notFound)
            #expect((try await service.request(.get, "/v1/webhooks", key: other.adminKey).object["webhooks"] as? [Any])?.count == 0)
            let log = try await service.request(.get, "/v1/webhooks/\(id)/deliveries", key: admin)
            #expect(log.status == .ok && (log.object["deliveries"] as? [Any])?.count == 0)
            #expect(try await service.request(.delete, "/v1/webhooks/\(id)", key: admin).status == .noContent)
            #expect(try await service.request(.delete, "/v1/webhooks/\(id)", key: admin).status == .notFound)
        }
    }

    @Test func thresholdAlertsAreSignedRetriedAndDeliveredExactlyOnce() async throws {
        let receiver = Receiver(secret: "whsec-0123456789abcdef", failFirst: 3)
        try await receiver.run { port in
            try await TestService.run(suite: Self.suite, alerts: Self.fast) { service in
                let admin = service.tenant.adminKey
                let hook = try await service.request(
                    .post, "/v1/webhooks",
                    json: TestService.json(["url": "http://127.0.0.1:\(port)/hook", "secret": receiver.secret]), key: admin)
                #expect(hook.status == .created, "\(hook.object)")
                let hookId = try #require(hook.object["id"] as? String)
                let budget = try await service.request(
                    .post, "/v1/budgets",
                    json: #"{"scope": "user", "userId": "spender", "period": "day", "amount": "1.00", "thresholds": [0.5, 0.8, 1.0]}"#,
                    key: admin)
                let budgetId = try #require(budget.object["id"] as? String)
                // 0.6 then 0.45: crosses 0.5, then 0.8 and 1.0 (1.05 spent).
                try await BudgetTests.spend(service, userId: "spender", costs: ["0.6"])
                // Checkers of two more "instances" race the service's own.
                let checkers = (0..<2).map { _ in AlertChecker(pool: service.pool, logger: TestService.logger) }
                var extra = AlertOptions()
                extra.allowPrivate = true
                extra.retryBase = .milliseconds(50)
                extra.maxRetryDelay = .milliseconds(200)
                let deliverers = (0..<2).map { _ in WebhookDeliverer(pool: service.pool, options: extra, logger: TestService.logger) }
                try await BudgetTests.spend(service, userId: "spender", costs: ["0.45"])
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for checker in checkers { group.addTask { for _ in 0..<5 { try await checker.runOnce() } } }
                    for deliverer in deliverers { group.addTask { for _ in 0..<20 { try await deliverer.runOnce() } } }
                    try await group.waitForAll()
                }
                let delivered = try await Self.eventually {
                    try await service.database.query(
                        "SELECT count(*) FROM llm_webhook_deliveries WHERE tenant_id = \(service.tenant.tenantId) AND delivered_at IS NOT NULL"
                    )[0].decode(Int.self, column: 0) == 3
                }
                #expect(delivered)
                let alerts = try await service.request(.get, "/v1/alerts", key: admin)
                let list = try #require(alerts.object["alerts"] as? [[String: Any]])
                #expect(list.count == 3)
                #expect(Set(list.compactMap { ($0["threshold"] as? NSNumber)?.doubleValue }) == [0.5, 0.8, 1.0])
                #expect(list.allSatisfy { $0["budgetId"] as? String == budgetId && $0["type"] as? String == "budget.threshold" })
                #expect(list.allSatisfy { $0["amount"] as? String == "1" })

                // Every alert reached the receiver once, signed, after the receiver's first failures were retried.
                let accepted = receiver.accepted
                #expect(accepted.count == 3 && Set(accepted.map(\.alertId)) == Set(list.compactMap { $0["id"] as? String }))
                #expect(receiver.count == 3 + receiver.failFirst)
                #expect(receiver.hits.withLock { $0.allSatisfy(\.signed) })
                #expect(accepted.allSatisfy { $0.body["type"] == "budget.threshold" && $0.body["budgetId"] == budgetId })
                let log = try await service.request(.get, "/v1/webhooks/\(hookId)/deliveries", key: admin)
                let deliveries = try #require(log.object["deliveries"] as? [[String: Any]])
                #expect(deliveries.count == 3 && deliveries.allSatisfy { $0["status"] as? String == "delivered" && $0["statusCode"] as? Int == 200 })
                #expect(deliveries.map { $0["attempts"] as? Int ?? 0 }.reduce(0, +) == 3 + receiver.failFirst)

                // More passes later change nothing: no new alert, nothing sent again.
                for checker in checkers { try await checker.runOnce() }
                for deliverer in deliverers { try await deliverer.runOnce() }
                #expect(receiver.accepted.count == 3)
                let again = try await service.request(.get, "/v1/alerts?budgetId=\(budgetId)", key: admin)
                #expect((again.object["alerts"] as? [Any])?.count == 3)
            }
        }
    }

    @Test func deliveryRechecksTheAddressAndNeverConnectsToAPrivateOne() async throws {
        let receiver = Receiver(secret: "whsec-0123456789abcdef", failFirst: 0)
        try await receiver.run { port in
            var options = AlertOptions()
            options.checkInterval = nil
            options.deliveryInterval = nil
            try await TestService.run(suite: Self.suite, alerts: options) { service in
                // A webhook stored as if its name had resolved publicly when it was registered (DNS rebinding).
                let tenant = service.tenant.tenantId
                try await service.database.query(
                    """
                    INSERT INTO llm_webhooks (tenant_id, id, url, secret)
                    VALUES (\(tenant), gen_random_uuid(), \("http://localhost:\(port)/hook"), \(receiver.secret))
                    """)
                _ = try await service.request(
                    .post, "/v1/budgets", json: #"{"scope": "tenant", "period": "month", "amount": "0.01", "thresholds": [1]}"#,
                    key: service.tenant.adminKey)
                try await BudgetTests.spend(service, userId: nil, costs: ["0.02"])
                #expect(try await AlertChecker(pool: service.pool, logger: TestService.logger).runOnce() == 1)
                var strict = AlertOptions()
                strict.allowPrivate = false
                _ = try await WebhookDeliverer(pool: service.pool, options: strict, logger: TestService.logger).runOnce()
                let row = try await service.database.query(
                    "SELECT attempts, last_error, delivered_at IS NULL FROM llm_webhook_deliveries WHERE tenant_id = \(tenant)"
                )[0].decode((Int, String?, Bool).self)
                #expect(row.0 == 1 && row.1?.hasPrefix("refused") == true && row.2)
                #expect(receiver.count == 0)
            }
        }
    }

    @Test func signaturesVerifyAsDocumented() {
        let body = Data(#"{"id":"x"}"#.utf8)
        let header = WebhookSignature.header(secret: "s3cret-s3cret-s3cret", timestamp: 1_700_000_000, body: body)
        #expect(header.hasPrefix("t=1700000000,v1="))
        #expect(WebhookSignature.verify(header: header, secret: "s3cret-s3cret-s3cret", body: body, now: Date(timeIntervalSince1970: 1_700_000_100)))
        #expect(!WebhookSignature.verify(header: header, secret: "other", body: body, now: Date(timeIntervalSince1970: 1_700_000_100)))
        #expect(!WebhookSignature.verify(header: header, secret: "s3cret-s3cret-s3cret", body: body, now: Date(timeIntervalSince1970: 1_800_000_000)))
        #expect(
            !WebhookSignature.verify(
                header: header, secret: "s3cret-s3cret-s3cret", body: Data("{}".utf8), now: Date(timeIntervalSince1970: 1_700_000_100)))
        #expect(WebhookSignature.hex(secret: "key", timestamp: 1, body: Data("{}".utf8)).count == 64)
        var options = AlertOptions()
        options.retryBase = .seconds(2)
        #expect(options.retryDelay(afterAttempt: 1) == .seconds(2) && options.retryDelay(afterAttempt: 3) == .seconds(8))
        #expect(options.retryDelay(afterAttempt: 30) == .seconds(3600))
    }
}
