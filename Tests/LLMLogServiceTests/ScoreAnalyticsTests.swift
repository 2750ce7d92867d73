import Analytics
import Foundation
import PGClient
import Testing

@testable import LLMLogService

/// The usage reports' `scores` and `scoresByModel`: counts, means and category counts exactly those of the scores
/// posted, over what the caller may see and inside the window only.
@Suite struct ScoreAnalyticsTests {
    static let suite = "score-analytics"

    struct Posted {
        var model: String
        var user: String
        var name: String
        var value: ScoreValue
    }

    static func conversation(_ service: TestService, model: String, user: String, key: String? = nil) async throws -> UUID {
        let body = #"{"type": "CHAT", "provider": "openai", "model": "\#(model)", "userId": "\#(user)"}"#
        return try await service.request(.post, "/v1/conversations", json: body, key: key).decode(ConversationRecord.self).id
    }

    /// The summaries of `posted`, computed here in plain Swift.
    static func expected(_ posted: [Posted]) -> [ScoreSummary] {
        Dictionary(grouping: posted, by: \.name).map { name, scores in
            let numbers = scores.compactMap { if case .number(let n) = $0.value { n } else { nil } }
            var values: [String: Int64] = [:]
            for score in scores { if case .category(let text) = score.value { values[text, default: 0] += 1 } }
            return ScoreSummary(
                name: name, count: Int64(scores.count), mean: numbers.isEmpty ? nil : numbers.reduce(0, +) / Double(numbers.count),
                values: values)
        }.sorted { $0.name < $1.name }
    }

    @Test func reportsCountAndAverageExactlyWhatWasPosted() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let posted: [Posted] = [
                Posted(model: "gpt-4o", user: "alice", name: "helpfulness", value: .number(0.5)),
                Posted(model: "gpt-4o", user: "alice", name: "helpfulness", value: .number(1)),
                Posted(model: "gpt-4o", user: "bob", name: "helpfulness", value: .number(0.25)),
                Posted(model: "gpt-4o-mini", user: "bob", name: "helpfulness", value: .number(0.75)),
                Posted(model: "gpt-4o", user: "alice", name: "thumbs", value: .category("up")),
                Posted(model: "gpt-4o-mini", user: "alice", name: "thumbs", value: .category("up")),
                Posted(model: "gpt-4o-mini", user: "bob", name: "thumbs", value: .category("down")),
                Posted(model: "gpt-4o-mini", user: "bob", name: "mixed", value: .number(2)),
                Posted(model: "gpt-4o-mini", user: "bob", name: "mixed", value: .category("n/a")),
            ]
            var conversations: [String: UUID] = [:]
            for score in posted {
                let key = score.model + "/" + score.user
                if conversations[key] == nil { conversations[key] = try await Self.conversation(service, model: score.model, user: score.user) }
                let body = try String(decoding: APIJSON.encoder().encode(ScoreCreateRequest(name: score.name, value: score.value)), as: UTF8.self)
                let response = try await service.request(.post, "/v1/conversations/\(conversations[key]!.lowercasedString)/scores", json: body)
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
            // Another tenant's scores and a score outside the window are not counted.
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let theirs = try await Self.conversation(service, model: "gpt-4o", user: "alice", key: other.ingestKey)
            #expect(
                try await service.request(
                    .post, "/v1/conversations/\(theirs.lowercasedString)/scores", json: #"{"name": "helpfulness", "value": 9}"#, key: other.ingestKey
                )
                .status == .created)
            let old = conversations["gpt-4o/alice"]!
            let oldScore = try await service.request(
                .post, "/v1/conversations/\(old.lowercasedString)/scores", json: #"{"name": "helpfulness", "value": 7}"#)
            let oldId = try #require(UUID(uuidString: oldScore.object["id"] as? String ?? ""))
            try await service.database.query("UPDATE llm_scores SET created_at = now() - interval '40 days' WHERE id = \(oldId)")

            let admin = try await service.request(.get, "/v1/analytics/usage?days=30", key: service.tenant.adminKey).decode(UsageReport.self)
            #expect(admin.scores == Self.expected(posted))
            let byModel = Dictionary(grouping: posted, by: \.model).map {
                ModelScores(provider: "openai", model: $0.key, scores: Self.expected($0.value))
            }
            .sorted { $0.model < $1.model }
            #expect(admin.scoresByModel == byModel)
            let adminAnalytics = try await service.request(.get, "/v1/admin/analytics?days=30", key: service.tenant.adminKey).decode(UsageReport.self)
            #expect(adminAnalytics.scores == admin.scores && adminAnalytics.scoresByModel == admin.scoresByModel)
            // 41 days reach the moved score.
            let wide = try await service.request(.get, "/v1/analytics/usage?days=41", key: service.tenant.adminKey).decode(UsageReport.self)
            #expect(wide.scores == Self.expected(posted + [Posted(model: "gpt-4o", user: "alice", name: "helpfulness", value: .number(7))]))

            let alice = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 600).token
            let own = try await service.request(.get, "/v1/analytics/usage?days=30", key: alice).decode(UsageReport.self)
            #expect(own.scores == Self.expected(posted.filter { $0.user == "alice" }))

            let operatorKey = try await service.tenants.createOperatorKey().key
            let system = try await service.request(.get, "/v1/admin/analytics?days=30", key: operatorKey).decode(UsageReport.self)
            let helpfulness = system.scores?.first { $0.name == "helpfulness" }
            #expect(helpfulness?.count == 5 && helpfulness?.mean == (0.5 + 1 + 0.25 + 0.75 + 9) / 5)
        }
    }

    @Test func aWindowWithoutScoresSaysSo() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let response = try await service.request(.get, "/v1/analytics/usage?days=7", key: service.tenant.adminKey)
            #expect(response.object["scores"] as? [Any] != nil && (response.object["scores"] as? [Any])?.isEmpty == true)
            #expect((response.object["scoresByModel"] as? [Any])?.isEmpty == true)
        }
    }
}
