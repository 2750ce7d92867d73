import Analytics
import Foundation
import LLMLogService
import PGClient

/// A small deterministic random generator (SplitMix64), so a failing dataset can be regenerated from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random dataset for the analytics tests — tenants, users, anonymous conversations, types, priced and unpriced
/// models, all four statuses, client-reported totals, messages over many days and hours — with every expected
/// figure computed here, in plain Swift, from the generated rows.
struct AnalyticsDataset {
    struct Price { let input, cachedInput, cacheCreation, output, reasoning: Decimal }

    struct Message {
        let id: UUID
        let createdAt: Date
        let role: String
        let input, cachedInput, cacheCreation, output, reasoning: Int64?
        let providedCost: Decimal?
        let processingTime: Int64?
        /// The cost the service must store (nil: unpriced).
        var cost: Decimal?
        var unpriced: Bool

        var carriesUsage: Bool { providedCost != nil || [input, cachedInput, cacheCreation, output, reasoning].contains { $0 != nil } }
        var totalTokens: Int64 { [input, cachedInput, cacheCreation, output, reasoning].reduce(0) { $0 + ($1 ?? 0) } }
    }

    struct Conversation {
        let id: UUID
        let tenant: Int
        let userId: String?
        let type: String
        let provider: String
        let model: String
        let createdAt: Date
        let status: String
        let reportedTokens: Int64?
        let reportedCost: Decimal?
        var messages: [Message]

        /// Reported totals count only while no message carries usage.
        var countedReportedTokens: Int64 { messages.contains(where: \.carriesUsage) ? 0 : reportedTokens ?? 0 }
        var countedReportedCost: Decimal { messages.contains(where: \.carriesUsage) ? 0 : reportedCost ?? 0 }
    }

    static let types = ["CHAT", "RESUME_ANALYSIS", "SUMMARY"]
    static let models = [("openai", "gpt-4o-mini"), ("anthropic", "claude-sonnet-4-5"), ("acme", "mystery-1")]
    static let users: [String?] = ["alice", "bob", "carol", "dave", nil]
    static let statuses = ["ACTIVE", "COMPLETED", "FAILED", "CANCELLED"]

    var conversations: [Conversation] = []

    /// Generates `perTenant` conversations for each of `tenants` tenants, created over the last 45 days before `now`.
    init(seed: UInt64, tenants: Int, perTenant: Int, now: Date, prices: [String: Price]) {
        var random = SeededGenerator(state: seed)
        for tenant in 0..<tenants {
            for _ in 0..<perTenant {
                let (provider, model) = Self.models.randomElement(using: &random)!
                let createdAt = now.addingTimeInterval(-Double(Int.random(in: 60...(45 * 86_400), using: &random))).roundedToMicroseconds
                let reported = Int.random(in: 0..<6, using: &random) == 0
                var conversation = Conversation(
                    id: UUID(), tenant: tenant, userId: Self.users.randomElement(using: &random)!, type: Self.types.randomElement(using: &random)!,
                    provider: provider, model: model, createdAt: createdAt, status: Self.statuses.randomElement(using: &random)!,
                    reportedTokens: reported ? Int64.random(in: 1...50_000, using: &random) : nil,
                    reportedCost: reported ? Decimal(Int.random(in: 1...99_999, using: &random)) / 10_000 : nil, messages: [])
                let count = reported ? 0 : Int.random(in: 0...7, using: &random)
                for _ in 0..<count {
                    let latest = min(now.timeIntervalSince(createdAt) - 1, 6 * 3600)
                    let at = createdAt.addingTimeInterval(Double.random(in: 0...max(0, latest), using: &random)).roundedToMicroseconds
                    let role = ["USER", "ASSISTANT", "ASSISTANT", "SYSTEM", "TOOL"].randomElement(using: &random)!
                    let withUsage = role == "ASSISTANT" || Int.random(in: 0..<4, using: &random) == 0
                    func tokens(_ upTo: Int64, _ chance: Int = 1) -> Int64? {
                        withUsage && Int.random(in: 0..<chance, using: &random) == 0 ? Int64.random(in: 0...upTo, using: &random) : nil
                    }
                    let provided =
                        provider != "acme" && withUsage && Int.random(in: 0..<5, using: &random) == 0
                        ? Decimal(Int.random(in: 0...500_000, using: &random)) / 1_000_000 : nil
                    let processingTime: Int64? =
                        Int.random(in: 0..<3, using: &random) == 0
                        ? nil
                        : Int64(exp(Double.random(in: 0...log(60_000.0), using: &random)).rounded(.down))
                    var message = Message(
                        id: UUID(), createdAt: at, role: role, input: tokens(5000), cachedInput: tokens(20_000, 2),
                        cacheCreation: tokens(3000, 3), output: tokens(2000), reasoning: tokens(4000, 3),
                        providedCost: provided, processingTime: processingTime, cost: nil, unpriced: false)
                    if let provided {
                        message.cost = provided
                    } else if let price = prices[model] {
                        let perMillion =
                            Decimal(message.input ?? 0) * price.input + Decimal(message.cachedInput ?? 0) * price.cachedInput
                            + Decimal(message.cacheCreation ?? 0) * price.cacheCreation + Decimal(message.output ?? 0) * price.output
                            + Decimal(message.reasoning ?? 0) * price.reasoning
                        message.cost = perMillion / 1_000_000
                    } else {
                        message.unpriced = true
                    }
                    conversation.messages.append(message)
                }
                conversations.append(conversation)
            }
        }
    }

    /// The default price of `model` by the documented rule (exact beats pattern, longer pattern first, latest row).
    static func loadPrices(_ pool: PGPool) async throws -> [String: Price] {
        var prices: [String: Price] = [:]
        for (provider, model) in models {
            let rows = try await pool.query(
                """
                SELECT input_per_mtok, coalesce(cached_input_per_mtok, input_per_mtok), coalesce(cache_creation_per_mtok, input_per_mtok),
                       output_per_mtok, coalesce(reasoning_per_mtok, output_per_mtok)
                FROM model_prices
                WHERE tenant_id IS NULL AND provider = \(provider) AND \(model) LIKE model_pattern AND effective_from <= now() - interval '60 days'
                ORDER BY (model_pattern = \(model)) DESC, length(model_pattern) DESC, effective_from DESC LIMIT 1
                """)
            if let row = rows.first {
                let (a, b, c, d, e) = try row.decode((Decimal, Decimal, Decimal, Decimal, Decimal).self)
                prices[model] = Price(input: a, cachedInput: b, cacheCreation: c, output: d, reasoning: e)
            }
        }
        return prices
    }

    /// The batch events that load tenant `tenant`'s part: conversations (with their final status and reported
    /// totals), then messages.
    func events(tenant: Int) -> [[String: Any]] {
        var creates: [[String: Any]] = [], updates: [[String: Any]] = [], messages: [[String: Any]] = []
        for conversation in conversations where conversation.tenant == tenant {
            var body: [String: Any] = [
                "id": conversation.id.uuidString, "type": conversation.type, "provider": conversation.provider,
                "model": conversation.model, "createdAt": ISO8601.format(conversation.createdAt),
            ]
            if let user = conversation.userId { body["userId"] = user }
            creates.append(["id": "c-\(conversation.id)", "type": "conversation.create", "body": body])
            var update: [String: Any] = ["conversationId": conversation.id.uuidString, "status": conversation.status]
            if let tokens = conversation.reportedTokens { update["totalTokensUsed"] = tokens }
            if let cost = conversation.reportedCost { update["totalCost"] = NSDecimalNumber(decimal: cost) }
            updates.append(["id": "u-\(conversation.id)", "type": "conversation.update", "body": update])
            for message in conversation.messages {
                var body: [String: Any] = [
                    "id": message.id.uuidString, "conversationId": conversation.id.uuidString, "role": message.role,
                    "content": "m", "createdAt": ISO8601.format(message.createdAt),
                ]
                for (key, value) in [
                    ("inputTokens", message.input), ("cachedInputTokens", message.cachedInput),
                    ("cacheCreationInputTokens", message.cacheCreation), ("outputTokens", message.output),
                    ("reasoningTokens", message.reasoning), ("processingTime", message.processingTime),
                ] {
                    if let value { body[key] = value }
                }
                if let cost = message.providedCost { body["cost"] = NSDecimalNumber(decimal: cost) }
                messages.append(["id": "m-\(message.id)", "type": "message.create", "body": body])
            }
        }
        return creates + updates + messages
    }

    // MARK: expected figures

    /// The conversations and messages a scope sees inside [from, to): conversations by their createdAt, messages by theirs.
    func visible(tenant: Int?, user: String?? = .none) -> [Conversation] {
        conversations.filter { conversation in
            (tenant == nil || conversation.tenant == tenant) && (user == nil || conversation.userId == user!)
        }
    }

    /// The usage report this dataset must produce for `conversations` in [from, to), computed from the rows.
    static func expectedReport(_ conversations: [Conversation], from: Date, to: Date, dayStrings: [String]) -> UsageReport {
        var report = UsageReport(from: from, to: to, totals: UsageTotals(), byType: [], byModel: [], daily: dayStrings.map { DailyUsage(date: $0) })
        var types: [String: TypeUsage] = [:], typeTimes: [String: [Int64]] = [:], models: [String: ModelUsage] = [:]
        var times: [Int64] = []
        func dayIndex(_ date: Date) -> Int? { dayStrings.firstIndex(of: AnalyticsWindow.dayString(date)) }
        for conversation in conversations {
            let modelKey = conversation.provider + "/" + conversation.model
            if conversation.createdAt >= from && conversation.createdAt < to {
                report.totals.conversations += 1
                types[conversation.type, default: TypeUsage(type: conversation.type)].conversations += 1
                switch conversation.status {
                case "ACTIVE": report.totals.active += 1
                case "COMPLETED":
                    report.totals.completed += 1
                    types[conversation.type]!.completed += 1
                case "FAILED":
                    report.totals.failed += 1
                    types[conversation.type]!.failed += 1
                default: report.totals.cancelled += 1
                }
                let tokens = conversation.countedReportedTokens, cost = conversation.countedReportedCost
                report.totals.totalTokens += tokens
                report.totals.cost += cost
                types[conversation.type]!.totalTokens += tokens
                types[conversation.type]!.cost += cost
                if tokens != 0 || cost != 0 {
                    models[modelKey, default: ModelUsage(provider: conversation.provider, model: conversation.model)].totalTokens += tokens
                    models[modelKey]!.cost += cost
                }
                if let index = dayIndex(conversation.createdAt) {
                    report.daily[index].conversations += 1
                    report.daily[index].totalTokens += tokens
                    report.daily[index].cost += cost
                }
            }
            for message in conversation.messages where message.createdAt >= from && message.createdAt < to {
                report.totals.messages += 1
                report.totals.inputTokens += message.input ?? 0
                report.totals.cachedInputTokens += message.cachedInput ?? 0
                report.totals.cacheCreationInputTokens += message.cacheCreation ?? 0
                report.totals.outputTokens += message.output ?? 0
                report.totals.reasoningTokens += message.reasoning ?? 0
                report.totals.totalTokens += message.totalTokens
                report.totals.cost += message.cost ?? 0
                types[conversation.type, default: TypeUsage(type: conversation.type)].totalTokens += message.totalTokens
                types[conversation.type]!.cost += message.cost ?? 0
                models[modelKey, default: ModelUsage(provider: conversation.provider, model: conversation.model)].messages += 1
                models[modelKey]!.totalTokens += message.totalTokens
                models[modelKey]!.cost += message.cost ?? 0
                if message.unpriced { models[modelKey]!.unpricedMessages += 1 }
                if let index = dayIndex(message.createdAt) {
                    report.daily[index].messages += 1
                    report.daily[index].totalTokens += message.totalTokens
                    report.daily[index].cost += message.cost ?? 0
                }
                if let time = message.processingTime {
                    times.append(time)
                    typeTimes[conversation.type, default: []].append(time)
                }
            }
        }
        func mean(_ values: [Int64]) -> Double? { values.isEmpty ? nil : Double(values.reduce(0, +)) / Double(values.count) }
        func rate(_ completed: Int64, _ failed: Int64) -> Double? { completed + failed == 0 ? nil : Double(completed) / Double(completed + failed) }
        report.totals.successRate = rate(report.totals.completed, report.totals.failed)
        report.totals.avgProcessingTime = mean(times)
        report.totals.p50ProcessingTime = exactPercentile(0.5, times)
        report.totals.p95ProcessingTime = exactPercentile(0.95, times)
        report.byType = types.values.map { usage in
            var usage = usage
            usage.successRate = rate(usage.completed, usage.failed)
            usage.avgProcessingTime = mean(typeTimes[usage.type] ?? [])
            return usage
        }.sorted { $0.type < $1.type }
        report.byModel = models.values.sorted { ($0.provider, $0.model) < ($1.provider, $1.model) }
        return report
    }

    /// The exact nearest-rank percentile of `values`.
    static func exactPercentile(_ p: Double, _ values: [Int64]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return Double(sorted[rank - 1])
    }
}
