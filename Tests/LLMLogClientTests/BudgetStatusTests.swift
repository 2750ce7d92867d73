import Foundation
import LLMLogClient
import PGClient
import Testing

/// `LLMLogClient.budgetStatus` against the real service: the budgets that apply, with exact decimal figures.
@Suite struct BudgetStatusTests {
    @Test func budgetStatusAnswersTheApplicableBudgets() async throws {
        let service = try await LiveService.make(suite: "client-budgets")
        try await service.start(port: 0)
        let tenant = service.tenant.tenantId
        let tenantBudget = UUID(), userBudget = UUID(), otherUser = UUID()
        try await service.owner.query(
            """
            INSERT INTO llm_budgets (tenant_id, id, scope, user_id, period, amount, thresholds) VALUES
                (\(tenant), \(tenantBudget), 'tenant', NULL, 'month', 10, '{1}'),
                (\(tenant), \(userBudget), 'user', 'u+1', 'day', 0.4, '{1}'),
                (\(tenant), \(otherUser), 'user', 'someone-else', 'day', 1, '{1}')
            """)
        // Spend of user "u+1" today, as the writer's rollups hold it: 0.1 + 0.32.
        try await service.owner.query(
            """
            INSERT INTO llm_usage_hourly (tenant_id, hour, provider, model, type, user_id, lane, cost)
            VALUES (\(tenant), date_trunc('hour', now()), 'openai', 'gpt-4o', 'CHAT', 'u+1', 0, 0.1),
                   (\(tenant), date_trunc('hour', now()), 'openai', 'gpt-4o', 'CHAT', 'u+1', 1, 0.32)
            """)
        try await service.owner.query(
            """
            INSERT INTO llm_usage_daily_tenant (tenant_id, day, provider, model, type, lane, cost)
            VALUES (\(tenant), (now() AT TIME ZONE 'UTC')::date, 'openai', 'gpt-4o', 'CHAT', 0, 0.42)
            """)
        let client = LLMLogClient(configuration: .init(baseURL: service.baseURL, apiKey: service.tenant.ingestKey))
        let status = try await client.budgetStatus(userId: "u+1", model: "gpt-4o")
        #expect(status.exceeded)
        #expect(Set(status.budgets.map(\.id)) == [tenantBudget, userBudget])
        let user = try #require(status.budgets.first { $0.id == userBudget })
        #expect(user.spent == Decimal(string: "0.42") && user.remaining == 0 && user.exceeded && user.period == "day")
        let whole = try #require(status.budgets.first { $0.id == tenantBudget })
        #expect(whole.spent == Decimal(string: "0.42") && whole.remaining == Decimal(string: "9.58") && !whole.exceeded)

        let refused = LLMLogClient(configuration: .init(baseURL: service.baseURL, apiKey: "llmlog_ik_wrong"))
        await #expect(throws: LLMLogRequestError.self) { try await refused.budgetStatus() }
        try await service.close()
    }
}
