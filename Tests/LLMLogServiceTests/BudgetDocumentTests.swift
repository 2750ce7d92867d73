import Foundation
import HummingbirdTesting
import PGClient
import Testing

@testable import LLMLogService

/// Every budget, alert and webhook answer — successes and errors — matches `openapi.yaml` (schemathesis fuzzes the
/// same document in CI).
@Suite struct BudgetDocumentTests {
    @Test func budgetAndWebhookAnswersConformToTheDocument() async throws {
        let document = try OpenAPIDocument.load()
        var options = AlertOptions()
        options.checkInterval = nil
        options.deliveryInterval = nil
        options.allowPrivate = true
        try await TestService.run(suite: BudgetTests.suite, alerts: options) { service in
            let admin = service.tenant.adminKey
            func check(_ response: TestResponse, _ method: String, _ path: String, _ status: String) {
                OpenAPIDocumentTests.expectConforms(document, response, method, path, status)
            }
            let body: [String: Any] = ["scope": "user", "userId": "u-1", "period": "day", "amount": "0.01", "thresholds": [0.5, 1]]
            try OpenAPIDocumentTests.expectValid(document, body, schema: "BudgetCreateRequest")
            let created = try await service.request(.post, "/v1/budgets", json: TestService.json(body), key: admin)
            check(created, "POST", "/v1/budgets", "201")
            let id = try #require(created.object["id"] as? String)
            check(try await service.request(.post, "/v1/budgets", json: #"{"scope": "x"}"#, key: admin), "POST", "/v1/budgets", "400")
            check(try await service.request(.post, "/v1/budgets", json: "{}"), "POST", "/v1/budgets", "403")
            check(try await service.request(.get, "/v1/budgets", key: admin), "GET", "/v1/budgets", "200")
            check(try await service.request(.get, "/v1/budgets/\(id)", key: admin), "GET", "/v1/budgets/{id}", "200")
            check(try await service.request(.get, "/v1/budgets/\(UUID())", key: admin), "GET", "/v1/budgets/{id}", "404")
            check(
                try await service.request(.patch, "/v1/budgets/\(id)", json: #"{"amount": 2}"#, key: admin), "PATCH", "/v1/budgets/{id}", "200")
            try await BudgetTests.spend(service, userId: "u-1", costs: ["3"])
            check(try await service.request(.get, "/v1/budgets/status?userId=u-1"), "GET", "/v1/budgets/status", "200")

            let hook = try await service.request(
                .post, "/v1/webhooks", json: #"{"url": "http://127.0.0.1:9/x", "secret": "0123456789abcdef"}"#, key: admin)
            check(hook, "POST", "/v1/webhooks", "201")
            let hookId = try #require(hook.object["id"] as? String)
            check(try await service.request(.get, "/v1/webhooks", key: admin), "GET", "/v1/webhooks", "200")
            _ = try await AlertChecker(pool: service.pool, logger: TestService.logger).runOnce()
            var refusing = AlertOptions()
            refusing.allowPrivate = false
            _ = try await WebhookDeliverer(pool: service.pool, options: refusing, logger: TestService.logger).runOnce()
            let alerts = try await service.request(.get, "/v1/alerts", key: admin)
            check(alerts, "GET", "/v1/alerts", "200")
            #expect((alerts.object["alerts"] as? [Any])?.count == 2)
            let log = try await service.request(.get, "/v1/webhooks/\(hookId)/deliveries", key: admin)
            check(log, "GET", "/v1/webhooks/{id}/deliveries", "200")
            #expect((log.object["deliveries"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "pending" } == true)
            check(
                try await service.request(.post, "/v1/webhooks", json: #"{"url": "gopher://x", "secret": "0123456789abcdef"}"#, key: admin),
                "POST", "/v1/webhooks", "400")
            // 204s have no body (the helper validates JSON bodies only).
            #expect(try await service.request(.delete, "/v1/webhooks/\(hookId)", key: admin).status == .noContent)
            check(try await service.request(.delete, "/v1/webhooks/\(hookId)", key: admin), "DELETE", "/v1/webhooks/{id}", "404")
            #expect(try await service.request(.delete, "/v1/budgets/\(id)", key: admin).status == .noContent)
        }
    }
}
