import Foundation
import PGClient
import PGTestSupport
import Testing

@testable import LLMLogService

/// Issue #17's budgets: administration (admin and operator keys), validation naming the field, tenant isolation,
/// and `GET /v1/budgets/status` against costs logged through the API (exact decimals).
@Suite struct BudgetTests {
    static let suite = "budgets"

    /// Alerts off: these tests look at budgets only.
    static var quiet: AlertOptions {
        var options = AlertOptions()
        options.checkInterval = nil
        options.deliveryInterval = nil
        return options
    }

    /// Logs a conversation of `userId` / `type` / `model` with one message per cost (provided costs, exact); its id.
    static func spend(
        _ service: TestService, userId: String?, type: String = "CHAT", model: String = "gpt-4o", costs: [String], key: String? = nil
    ) async throws {
        var body: [String: Any] = ["type": type, "provider": "openai", "model": model]
        if let userId { body["userId"] = userId }
        let created = try await service.request(.post, "/v1/conversations", json: TestService.json(body), key: key)
        let id = try #require(created.object["id"] as? String)
        for cost in costs {
            let message = #"{"role": "ASSISTANT", "content": "x", "inputTokens": 10, "outputTokens": 5, "cost": \#(cost)}"#
            let response = try await service.request(.post, "/v1/conversations/\(id)/messages", json: message, key: key)
            #expect(response.status == .created, "\(response.object)")
        }
    }

    @Test func budgetsAreCreatedReadPatchedAndDeleted() async throws {
        try await TestService.run(suite: Self.suite, alerts: Self.quiet) { service in
            let admin = service.tenant.adminKey
            let created = try await service.request(
                .post, "/v1/budgets", json: #"{"scope": "user", "userId": "u-1", "period": "month", "amount": "25.00"}"#, key: admin)
            #expect(created.status == .created, "\(created.object)")
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["scope"] as? String == "user" && created.object["userId"] as? String == "u-1")
            #expect(created.object["amount"] as? String == "25" && created.object["spent"] as? String == "0")
            #expect(created.object["remaining"] as? String == "25" && created.object["exceeded"] as? Bool == false)
            #expect((created.object["thresholds"] as? [NSNumber])?.map(\.doubleValue) == [0.5, 0.8, 1.0])
            let start = try #require(created.object["periodStart"] as? String)
            #expect(start.hasSuffix("-01T00:00:00.000000Z"), "\(start)")

            let tenantWide = try await service.request(
                .post, "/v1/budgets", json: #"{"scope": "tenant", "period": "day", "amount": 100, "thresholds": [0.25, 2]}"#, key: admin)
            #expect(tenantWide.status == .created && tenantWide.object["amount"] as? String == "100")

            let list = try await service.request(.get, "/v1/budgets", key: admin)
            #expect((list.object["budgets"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.contains(id) == true)
            #expect((list.object["budgets"] as? [[String: Any]])?.count == 2)

            let patched = try await service.request(
                .patch, "/v1/budgets/\(id)", json: #"{"amount": "12.345", "period": "week", "thresholds": [1]}"#, key: admin)
            #expect(patched.status == .ok && patched.object["amount"] as? String == "12.345" && patched.object["period"] as? String == "week")
            #expect((patched.object["thresholds"] as? [NSNumber])?.map(\.doubleValue) == [1])
            let fetched = try await service.request(.get, "/v1/budgets/\(id)", key: admin)
            #expect(fetched.object["amount"] as? String == "12.345" && fetched.object["userId"] as? String == "u-1")

            // Another tenant sees none of it; its admin key gets 404s.
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            #expect(try await service.request(.get, "/v1/budgets/\(id)", key: other.adminKey).status == .notFound)
            #expect(try await service.request(.patch, "/v1/budgets/\(id)", json: #"{"amount": 1}"#, key: other.adminKey).status == .notFound)
            #expect(try await service.request(.delete, "/v1/budgets/\(id)", key: other.adminKey).status == .notFound)
            #expect((try await service.request(.get, "/v1/budgets", key: other.adminKey).object["budgets"] as? [Any])?.count == 0)

            // Ingest keys and user tokens may not administer budgets.
            #expect(try await service.request(.get, "/v1/budgets").status == .forbidden)
            #expect(try await service.request(.post, "/v1/budgets", json: #"{"scope": "tenant", "period": "day", "amount": 1}"#).status == .forbidden)

            #expect(try await service.request(.delete, "/v1/budgets/\(id)", key: admin).status == .noContent)
            #expect(try await service.request(.get, "/v1/budgets/\(id)", key: admin).status == .notFound)
            #expect(try await service.request(.delete, "/v1/budgets/\(id)", key: admin).status == .notFound)
        }
    }

    @Test func theOperatorManagesAnyTenantsBudgetsByTenantId() async throws {
        try await TestService.run(suite: Self.suite, alerts: Self.quiet) { service in
            let operatorKey = try await service.tenants.createOperatorKey(name: "budgets").key
            let tenant = service.tenant.tenantId.uuidString.lowercased()
            let body = #"{"scope": "model", "model": "gpt-4o", "period": "month", "amount": "5"}"#
            let missing = try await service.request(.post, "/v1/budgets", json: body, key: operatorKey)
            #expect(missing.status == .badRequest && missing.errorField == "tenantId")
            let created = try await service.request(.post, "/v1/budgets?tenantId=\(tenant)", json: body, key: operatorKey)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            // The tenant's admin sees the operator's budget.
            #expect(try await service.request(.get, "/v1/budgets/\(id)", key: service.tenant.adminKey).status == .ok)
            #expect(try await service.request(.get, "/v1/budgets/\(id)?tenantId=\(tenant)", key: operatorKey).status == .ok)
            let unknown = try await service.request(.post, "/v1/budgets?tenantId=\(UUID().uuidString)", json: body, key: operatorKey)
            #expect(unknown.status == .notFound && unknown.errorField == "tenantId")
            let bad = try await service.request(.get, "/v1/budgets?tenantId=nope", key: operatorKey)
            #expect(bad.status == .badRequest && bad.errorField == "tenantId")
        }
    }

    @Test func badBudgetsAreRefusedNamingTheField() async throws {
        try await TestService.run(suite: Self.suite, alerts: Self.quiet) { service in
            let admin = service.tenant.adminKey
            let cases: [(String, String)] = [
                (#"{"scope": "team", "period": "day", "amount": 1}"#, "scope"),
                (#"{"scope": "user", "period": "day", "amount": 1}"#, "userId"),
                (#"{"scope": "type", "period": "day", "amount": 1}"#, "type"),
                (#"{"scope": "model", "model": "", "period": "day", "amount": 1}"#, "model"),
                (#"{"scope": "tenant", "userId": "u", "period": "day", "amount": 1}"#, "userId"),
                (#"{"scope": "tenant", "period": "year", "amount": 1}"#, "period"),
                (#"{"scope": "tenant", "period": "day", "amount": 0}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": "-1"}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": "1e3"}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": "abc"}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": "10000000000"}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": true}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": 1e-20}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": 1e300}"#, "body"),  // past Decimal: the decoder refuses the document
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": [1e-30]}"#, "thresholds[0]"),
                (#"{"scope": "tenant", "period": "day"}"#, "amount"),
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": []}"#, "thresholds"),
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": [0]}"#, "thresholds[0]"),
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": [0.5, 10.5]}"#, "thresholds[1]"),
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": [0.8, 0.5]}"#, "thresholds[1]"),
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": [0.5, 0.5]}"#, "thresholds[1]"),
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": [1,2,3,4,5,6,7,8,9,10,10]}"#, "thresholds"),
                (#"{"scope": "tenant", "period": "day", "amount": 1, "thresholds": ["x"]}"#, "thresholds[0]"),
            ]
            for (body, field) in cases {
                let response = try await service.request(.post, "/v1/budgets", json: body, key: admin)
                #expect(response.status == .badRequest && response.errorField == field, "\(body): \(response.object)")
            }
            let created = try await service.request(.post, "/v1/budgets", json: #"{"scope": "tenant", "period": "day", "amount": 1}"#, key: admin)
            let id = try #require(created.object["id"] as? String)
            for (body, field) in [
                (#"{"scope": "user"}"#, "scope"), (#"{"amount": "0"}"#, "amount"), (#"{"period": "hour"}"#, "period"),
                (#"{"thresholds": [2, 1]}"#, "thresholds[1]"),
            ] {
                let response = try await service.request(.patch, "/v1/budgets/\(id)", json: body, key: admin)
                #expect(response.status == .badRequest && response.errorField == field, "\(body): \(response.object)")
            }
            #expect(try await service.request(.get, "/v1/budgets/not-a-uuid", key: admin).errorField == "id")
        }
    }

    @Test func aTenantHasAtMostAThousandBudgets() async throws {
        try await TestService.run(suite: Self.suite, alerts: Self.quiet) { service in
            // Filled directly (the API path is the same insert), then the API refuses the next one.
            try await service.database.query(
                """
                INSERT INTO llm_budgets (tenant_id, id, scope, period, amount, thresholds)
                SELECT \(service.tenant.tenantId), gen_random_uuid(), 'tenant', 'day', 1, '{1}' FROM generate_series(1, 1000)
                """)
            let refused = try await service.request(
                .post, "/v1/budgets", json: #"{"scope": "tenant", "period": "day", "amount": 1}"#, key: service.tenant.adminKey)
            #expect(refused.status == .conflict && refused.errorCode == "budget_limit")
        }
    }

    @Test func statusAnswersEveryApplicableBudgetFromTheRollups() async throws {
        try await TestService.run(suite: Self.suite, alerts: Self.quiet) { service in
            let admin = service.tenant.adminKey
            func create(_ body: String) async throws -> String {
                let response = try await service.request(.post, "/v1/budgets", json: body, key: admin)
                #expect(response.status == .created, "\(response.object)")
                return try #require(response.object["id"] as? String)
            }
            let tenantBudget = try await create(#"{"scope": "tenant", "period": "month", "amount": "1.00"}"#)
            let userBudget = try await create(#"{"scope": "user", "userId": "alice", "period": "day", "amount": "0.3"}"#)
            let bobBudget = try await create(#"{"scope": "user", "userId": "bob", "period": "week", "amount": "10"}"#)
            let typeBudget = try await create(#"{"scope": "type", "type": "SUMMARY", "period": "month", "amount": "0.05"}"#)
            let modelBudget = try await create(#"{"scope": "model", "model": "gpt-4o", "period": "month", "amount": "0.35"}"#)

            // alice: 0.1 + 0.2 on gpt-4o (CHAT) — exactly 0.3, her budget's amount; a SUMMARY on another model: 0.07.
            try await Self.spend(service, userId: "alice", costs: ["0.1", "0.2"])
            try await Self.spend(service, userId: "carol", type: "SUMMARY", model: "claude-x", costs: ["0.07"])
            // Another tenant's spend counts nowhere here.
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            try await Self.spend(service, userId: "alice", costs: ["5"], key: other.ingestKey)

            let status = try await service.request(.get, "/v1/budgets/status?userId=alice&model=gpt-4o")  // the ingest key
            #expect(status.status == .ok)
            let entries = try #require(status.object["budgets"] as? [[String: Any]])
            let byId = Dictionary(uniqueKeysWithValues: entries.map { ($0["id"] as? String ?? "", $0) })
            #expect(Set(byId.keys) == [tenantBudget, userBudget, modelBudget])
            #expect(byId[tenantBudget]?["spent"] as? String == "0.37" && byId[tenantBudget]?["remaining"] as? String == "0.63")
            #expect(byId[userBudget]?["spent"] as? String == "0.3" && byId[userBudget]?["remaining"] as? String == "0")
            #expect(byId[userBudget]?["exceeded"] as? Bool == true && byId[userBudget]?["period"] as? String == "day")
            #expect(byId[modelBudget]?["spent"] as? String == "0.3" && byId[modelBudget]?["exceeded"] as? Bool == false)
            #expect(byId[tenantBudget]?["scope"] as? String == "tenant" && byId[tenantBudget]?["amount"] as? String == "1")
            #expect(status.object["exceeded"] as? Bool == true)

            let summary = try await service.request(.get, "/v1/budgets/status?userId=bob&type=SUMMARY", key: admin)
            let summaryIds = Set((summary.object["budgets"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(summaryIds == [tenantBudget, bobBudget, typeBudget])
            #expect(summary.object["exceeded"] as? Bool == true)  // SUMMARY spent 0.07 of 0.05
            let nothing = try await service.request(.get, "/v1/budgets/status", key: other.ingestKey)
            #expect(nothing.object["exceeded"] as? Bool == false && (nothing.object["budgets"] as? [Any])?.count == 0)

            // The full read shows the same figures.
            let read = try await service.request(.get, "/v1/budgets/\(userBudget)", key: admin)
            #expect(read.object["spent"] as? String == "0.3")
            let long = String(repeating: "x", count: 300)
            #expect(try await service.request(.get, "/v1/budgets/status?userId=\(long)").errorField == "userId")
        }
    }

    @Test func statusAnswersInAFewMilliseconds() async throws {
        try await TestService.run(suite: Self.suite, alerts: Self.quiet) { service in
            let admin = service.tenant.adminKey
            // 100 budgets of other users and models, and the tenant's own (stored directly: the API path is tested above).
            try await service.database.query(
                """
                INSERT INTO llm_budgets (tenant_id, id, scope, user_id, model, period, amount, thresholds)
                SELECT \(service.tenant.tenantId), gen_random_uuid(), CASE WHEN i % 2 = 0 THEN 'user' ELSE 'model' END,
                       CASE WHEN i % 2 = 0 THEN 'u' || i END, CASE WHEN i % 2 = 1 THEN 'm' || i END,
                       CASE WHEN i % 2 = 0 THEN 'month' ELSE 'day' END, 10, '{0.5,0.8,1}'
                FROM generate_series(0, 99) i
                """)
            _ = try await service.request(.post, "/v1/budgets", json: #"{"scope": "tenant", "period": "month", "amount": "10"}"#, key: admin)
            try await Self.spend(service, userId: "u0", costs: ["0.5", "0.25"])
            var timings: [Double] = []
            for _ in 0..<30 {
                let start = ContinuousClock.now
                let response = try await service.request(.get, "/v1/budgets/status?userId=u0&model=gpt-4o")
                let elapsed = (ContinuousClock.now - start).components
                timings.append(Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)
                #expect((response.object["budgets"] as? [Any])?.count == 2)
            }
            let p50 = timings.sorted()[timings.count / 2]
            print("budget status p50: \(p50) ms over \(timings.count) requests (101 budgets)")
            // Alone this prints ~2.5 ms (debug build); the bound only catches a scan gone wrong, since the whole suite's
            // parallel load (hostile-tenant floods among it) slows every request on a 2-core machine by 100× at times.
            #expect(p50 < 1000)
        }
    }
}
