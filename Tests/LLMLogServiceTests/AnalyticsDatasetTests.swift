import Analytics
import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// A random dataset, its figures computed in plain Swift from the generated rows, compared with the HTTP analytics,
/// the seed-compatible route, the SQL views and the rollups: exact for counts, tokens and cost; within the stated
/// bound for percentiles.
@Suite struct AnalyticsDatasetTests {
    static let suite = "analytics-dataset"

    @Test func everyFigureMatchesTheGeneratedRows() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let second = try await service.tenants.createTenant(name: "second-\(UUID().uuidString.prefix(8))")
            let tenants = [service.tenant, second]
            let prices = try await AnalyticsDataset.loadPrices(service.database)
            #expect(prices.count == 2)
            let seed = UInt64.random(in: 1...UInt64.max)
            print("analytics dataset seed: \(seed)")
            let dataset = AnalyticsDataset(seed: seed, tenants: 2, perTenant: 70, now: Date(), prices: prices)
            for (index, tenant) in tenants.enumerated() {
                let events = dataset.events(tenant: index)
                for start in stride(from: 0, to: events.count, by: 400) {
                    let chunk = Array(events[start..<min(start + 400, events.count)])
                    let response = try await service.request(.post, "/v1/batch", json: TestService.json(["events": chunk]), key: tenant.ingestKey)
                    #expect(response.status.code == 207)
                    let results = try #require(response.object["results"] as? [[String: Any]])
                    let failed = results.filter { ($0["status"] as? Int ?? 0) >= 300 }
                    #expect(failed.isEmpty, "\(failed.prefix(3))")
                }
            }

            // Tenant admins, user tokens and the operator, over several windows.
            let operatorKey = try await service.tenants.createOperatorKey().key
            for days in [1, 7, 30, 365] {
                for (index, tenant) in tenants.enumerated() {
                    let report = try await usage(service, "/v1/analytics/usage?days=\(days)", key: tenant.adminKey)
                    try check(report, days: days, against: dataset.visible(tenant: index))
                }
                let token = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 600).token
                let own = try await usage(service, "/v1/analytics/usage?days=\(days)", key: token)
                try check(own, days: days, against: dataset.visible(tenant: 0, user: "alice"))
                let system = try await usage(service, "/v1/admin/analytics?days=\(days)", key: operatorKey)
                try check(system, days: days, against: dataset.visible(tenant: nil))
                let byTenant = try #require(system.byTenant)
                for (index, tenant) in tenants.enumerated() {
                    let expected = AnalyticsDataset.expectedReport(
                        dataset.visible(tenant: index), from: system.from, to: system.to,
                        dayStrings: AnalyticsWindow(days: days, now: system.from.addingTimeInterval(Double(days - 1) * 86_400)).dayStrings)
                    let row = byTenant.first { $0.tenantId == tenant.tenantId }
                    if expected.totals.conversations + expected.totals.messages == 0 {
                        #expect(row == nil)
                    } else {
                        #expect(row?.conversations == expected.totals.conversations)
                        #expect(row?.messages == expected.totals.messages)
                        #expect(row?.totalTokens == expected.totals.totalTokens)
                        #expect(row?.cost == expected.totals.cost)
                    }
                }
            }

            // Latency per model over a window, against the exact percentiles of the raw values.
            let latency = try await service.request(.get, "/v1/analytics/latency?days=30", key: service.tenant.adminKey)
                .decode(LatencyReport.self)
            let window30 = AnalyticsWindow(days: 30, now: latency.to.addingTimeInterval(-1))
            #expect(latency.from == window30.from)
            for (provider, model) in AnalyticsDataset.models {
                let times = dataset.visible(tenant: 0).filter { $0.model == model }.flatMap(\.messages)
                    .filter { $0.createdAt >= window30.from && $0.createdAt < window30.to }.compactMap(\.processingTime)
                let row = latency.models.first { $0.provider == provider && $0.model == model }
                #expect((row?.timedMessages ?? 0) == Int64(times.count))
                guard let row else { continue }
                #expect(row.avgProcessingTime == Double(times.reduce(0, +)) / Double(times.count))
                var counts: [Int64] = []
                for time in times { LatencyHistogram.add(Self.oneHot(time), into: &counts) }
                for (p, measured) in [(0.50, row.p50ProcessingTime), (0.95, row.p95ProcessingTime), (0.99, row.p99ProcessingTime)] {
                    try checkPercentile(measured, exact: AnalyticsDataset.exactPercentile(p, times))
                    #expect(measured == LatencyHistogram.percentile(p, of: counts))
                }
            }

            // Admin analytics: the tenant's users, heaviest first; the anonymous conversations as userId null.
            let admin = try await usage(service, "/v1/admin/analytics?days=30", key: service.tenant.adminKey)
            #expect(admin.byTenant == nil)
            let expectedUsers = AnalyticsDataset.users.compactMap { user -> UserUsage? in
                let report = AnalyticsDataset.expectedReport(
                    dataset.visible(tenant: 0, user: .some(user)), from: admin.from, to: admin.to, dayStrings: [])
                guard report.totals.conversations + report.totals.messages > 0 else { return nil }
                return UserUsage(
                    userId: user, conversations: report.totals.conversations, messages: report.totals.messages,
                    totalTokens: report.totals.totalTokens, cost: report.totals.cost)
            }.sorted { ($0.cost, $0.totalTokens, $0.messages, $1.userId ?? "") > ($1.cost, $1.totalTokens, $1.messages, $0.userId ?? "") }
            #expect(admin.byUser == expectedUsers)
            let two = try await usage(service, "/v1/admin/analytics?days=30&limit=2", key: service.tenant.adminKey)
            #expect(two.byUser == Array(expectedUsers.prefix(2)))

            // The seed-compatible route answers the same.
            let seedRoute = try await usage(service, "/api/llm-analytics?action=analytics&days=7", key: service.tenant.adminKey)
            #expect(seedRoute == (try await usage(service, "/v1/analytics/usage?days=7", key: service.tenant.adminKey)))
            let seedAdmin = try await service.request(.post, "/api/llm-analytics", json: #"{"days": 30}"#, key: service.tenant.adminKey)
            #expect(try seedAdmin.decode(UsageReport.self) == admin)

            try await checkViews(service, dataset, tenants: tenants.map(\.tenantId))
            try await checkRollupsEqualRawRows(service)
        }
    }

    func usage(_ service: TestService, _ uri: String, key: String) async throws -> UsageReport {
        let response = try await service.request(.get, uri, key: key)
        #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
        return try response.decode(UsageReport.self)
    }

    /// Compares a report with the figures computed from `conversations` over the report's own window.
    func check(_ report: UsageReport, days: Int, against conversations: [AnalyticsDataset.Conversation]) throws {
        let window = AnalyticsWindow(days: days, now: report.to.addingTimeInterval(-1))
        #expect(report.from == window.from && report.to == window.to)
        let expected = AnalyticsDataset.expectedReport(conversations, from: window.from, to: window.to, dayStrings: window.dayStrings)
        var totals = report.totals
        totals.p50ProcessingTime = expected.totals.p50ProcessingTime
        totals.p95ProcessingTime = expected.totals.p95ProcessingTime
        #expect(totals == expected.totals)
        #expect(report.byType.sorted { $0.type < $1.type } == expected.byType)
        #expect(report.byModel.sorted { ($0.provider, $0.model) < ($1.provider, $1.model) } == expected.byModel)
        #expect(report.daily == expected.daily)
        try checkPercentile(report.totals.p50ProcessingTime, exact: expected.totals.p50ProcessingTime)
        try checkPercentile(report.totals.p95ProcessingTime, exact: expected.totals.p95ProcessingTime)
        // Exactly what the histogram of the raw values gives.
        let times = conversations.flatMap(\.messages).filter { $0.createdAt >= window.from && $0.createdAt < window.to }.compactMap(\.processingTime)
        var counts: [Int64] = []
        for time in times { LatencyHistogram.add(Self.oneHot(time), into: &counts) }
        #expect(report.totals.p95ProcessingTime == LatencyHistogram.percentile(0.95, of: counts))
        #expect(report.totals.p50ProcessingTime == LatencyHistogram.percentile(0.5, of: counts))
    }

    static func oneHot(_ milliseconds: Int64) -> [Int64] {
        var counts = [Int64](repeating: 0, count: LatencyHistogram.bucket(milliseconds: milliseconds) + 1)
        counts[counts.count - 1] = 1
        return counts
    }

    /// A histogram percentile is within +9.06 % / −8.30 % of the exact nearest-rank value (0 stays 0).
    func checkPercentile(_ measured: Double?, exact: Double?) throws {
        #expect((measured == nil) == (exact == nil))
        guard let measured, let exact else { return }
        if exact == 0 {
            #expect(measured == 0)
            return
        }
        let bound = 1 + LatencyHistogram.relativeErrorBound
        #expect(measured <= exact * bound && measured >= exact / bound, "measured \(measured), exact \(exact)")
    }

    /// The analyst views, read as the owner, against all-time figures from the rows.
    func checkViews(_ service: TestService, _ dataset: AnalyticsDataset, tenants: [UUID]) async throws {
        let distant = (Date.distantPast, Date.distantFuture)
        for (index, tenantId) in tenants.enumerated() {
            let rows = dataset.visible(tenant: index)
            let all = AnalyticsDataset.expectedReport(rows, from: distant.0, to: distant.1, dayStrings: [])
            let daily = try await service.database.query(
                """
                SELECT coalesce(sum(conversations), 0)::bigint, coalesce(sum(messages), 0)::bigint, coalesce(sum(total_tokens), 0)::bigint,
                       coalesce(sum(cost), 0), coalesce(sum(failed_conversations), 0)::bigint, coalesce(sum(unpriced_messages), 0)::bigint
                FROM llm_usage_daily WHERE tenant_id = \(tenantId)
                """)[0].decode((Int64, Int64, Int64, Decimal, Int64, Int64).self)
            #expect(daily.0 == all.totals.conversations && daily.1 == all.totals.messages)
            #expect(daily.2 == all.totals.totalTokens && daily.3 == all.totals.cost && daily.4 == all.totals.failed)
            #expect(daily.5 == all.byModel.reduce(0) { $0 + $1.unpricedMessages })

            let outcomes = try await service.database.query(
                """
                SELECT type, total, active, completed, failed, cancelled, success_rate FROM llm_conversation_outcomes WHERE tenant_id = \(tenantId)
                """
            ).map { try $0.decode((String, Int64, Int64, Int64, Int64, Int64, Double?).self) }
            for type in AnalyticsDataset.types {
                let ofType = rows.filter { $0.type == type }
                let row = outcomes.first { $0.0 == type }
                guard !ofType.isEmpty else {
                    #expect(row == nil)
                    continue
                }
                func count(_ status: String) -> Int64 { Int64(ofType.filter { $0.status == status }.count) }
                #expect(row?.1 == Int64(ofType.count) && row?.2 == count("ACTIVE") && row?.3 == count("COMPLETED"))
                #expect(row?.4 == count("FAILED") && row?.5 == count("CANCELLED"))
                let decided = count("COMPLETED") + count("FAILED")
                #expect(row?.6 == (decided == 0 ? nil : Double(count("COMPLETED")) / Double(decided)))
            }

            let models = try await service.database.query(
                """
                SELECT provider, model, messages, total_tokens, cost, unpriced_messages FROM llm_model_costs
                WHERE tenant_id = \(tenantId) AND (messages > 0 OR total_tokens > 0 OR cost > 0) ORDER BY provider, model
                """
            ).map { row in
                let (provider, model, messages, tokens, cost, unpriced) = try row.decode((String, String, Int64, Int64, Decimal, Int64).self)
                var usage = ModelUsage(provider: provider, model: model)
                (usage.messages, usage.totalTokens, usage.cost, usage.unpricedMessages) = (messages, tokens, cost, unpriced)
                return usage
            }
            #expect(models == all.byModel)

            let users = try await service.database.query(
                """
                SELECT user_id, conversations, messages, total_tokens, cost, first_activity FROM llm_user_usage WHERE tenant_id = \(tenantId)
                """
            ).map { try $0.decode((String?, Int64, Int64, Int64, Decimal, Date?).self) }
            for user in AnalyticsDataset.users {
                let mine = rows.filter { $0.userId == user }
                let expected = AnalyticsDataset.expectedReport(mine, from: distant.0, to: distant.1, dayStrings: [])
                let row = users.first { $0.0 == user }
                guard !mine.isEmpty else {
                    #expect(row == nil)
                    continue
                }
                #expect(row?.1 == expected.totals.conversations && row?.2 == expected.totals.messages)
                #expect(row?.3 == expected.totals.totalTokens && row?.4 == expected.totals.cost)
                #expect(row?.5 == mine.map(\.createdAt).min())
            }

            let latency = try await service.database.query(
                """
                SELECT provider, model, timed_messages, p50_processing_time, p95_processing_time, p99_processing_time
                FROM llm_latency WHERE tenant_id = \(tenantId)
                """
            ).map { try $0.decode((String, String, Int64, Double?, Double?, Double?).self) }
            for (provider, model) in AnalyticsDataset.models {
                let times = rows.filter { $0.model == model }.flatMap(\.messages).compactMap(\.processingTime)
                let row = latency.first { $0.0 == provider && $0.1 == model }
                #expect((row?.2 ?? 0) == Int64(times.count))
                var counts: [Int64] = []
                for time in times { LatencyHistogram.add(Self.oneHot(time), into: &counts) }
                for (p, measured) in [(0.50, row?.3), (0.95, row?.4), (0.99, row?.5)] {
                    try checkPercentile(measured ?? nil, exact: AnalyticsDataset.exactPercentile(p, times))
                    #expect((measured ?? nil) == LatencyHistogram.percentile(p, of: counts))
                }
            }
        }
    }

    /// Every rollup row equals the aggregation of the raw rows it counts; derived totals equal their messages' sums.
    func checkRollupsEqualRawRows(_ service: TestService) async throws {
        let rollups = try await StoreConsistency.rollupMismatches(service.database)
        #expect(rollups.rawNotRolled == 0 && rollups.rolledNotRaw == 0)
        #expect(rollups.groups > 0)
        let totals = try await StoreConsistency.totalMismatches(service.database)
        #expect(totals.conversations == 0 && totals.rollupConversations == 0)
        let tenantLevel = try await StoreConsistency.tenantRollupMismatches(service.database)
        #expect(tenantLevel.missing == 0 && tenantLevel.extra == 0 && tenantLevel.rows > 0)
    }
}
