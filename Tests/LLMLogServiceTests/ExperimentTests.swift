import Analytics
import Foundation
import PGClient
import Testing

@testable import LLMLogService

/// Conversations carry `experiment` and `variant`; `GET /v1/analytics/experiments/{experiment}` compares the variants
/// with figures exactly those of the rows written.
@Suite struct ExperimentTests {
    static let suite = "experiments"

    static func conversation(
        _ service: TestService, experiment: String?, variant: String?, user: String, createdAt: Date? = nil, key: String? = nil
    ) async throws -> UUID {
        var body: [String: Any] = ["type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": user]
        if let experiment { body["experiment"] = experiment }
        if let variant { body["variant"] = variant }
        if let createdAt { body["createdAt"] = ISO8601.format(createdAt) }
        let response = try await service.request(.post, "/v1/conversations", json: TestService.json(body), key: key)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try response.decode(ConversationRecord.self).id
    }

    /// A priced message (`cost` as given) that took `time` ms; answers its id.
    @discardableResult
    static func message(_ service: TestService, _ conversation: UUID, cost: String, time: Int, key: String? = nil) async throws -> UUID {
        let response = try await service.request(
            .post, "/v1/conversations/\(conversation.lowercasedString)/messages",
            json: #"{"role": "ASSISTANT", "content": "x", "cost": \#(cost), "processingTime": \#(time)}"#, key: key)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try response.decode(MessageRecord.self).id
    }

    static func patch(_ service: TestService, _ conversation: UUID, _ json: String) async throws {
        let response = try await service.request(.patch, "/v1/conversations/\(conversation.lowercasedString)", json: json)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
    }

    static func score(_ service: TestService, _ conversation: UUID, message: UUID? = nil, _ json: String) async throws {
        let path = ScoreTests.path(conversation, message: message)
        #expect(try await service.request(.post, path, json: json).status == .created)
    }

    @Test func conversationsCarryExperimentAndVariant() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let created = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "p", "model": "m", "experiment": "e1", "variant": "b"}"#)
            #expect(created.status == .created && created.object["experiment"] as? String == "e1" && created.object["variant"] as? String == "b")
            let id = try #require(created.object["id"] as? String)
            let detail = try await service.request(.get, "/v1/conversations/\(id)", key: service.tenant.adminKey)
            #expect(detail.object["experiment"] as? String == "e1" && detail.object["variant"] as? String == "b")
            let plain = try await service.request(.post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "p", "model": "m"}"#)
            #expect(plain.object["experiment"] is NSNull && plain.object["variant"] is NSNull)

            // A batch event carries them too.
            let eventId = UUID()
            let batch = try await service.request(
                .post, "/v1/batch",
                json:
                    #"{"events": [{"id": "\#(eventId)", "type": "conversation.create", "body": {"type": "CHAT", "provider": "p", "model": "m", "experiment": "e2", "variant": "a"}}]}"#
            )
            #expect(batch.status == .multiStatus)
            let stored = try await service.database.query("SELECT experiment, variant FROM llm_conversations WHERE id = \(eventId)")
            let (experiment, variant) = try #require(stored.first).decode((String?, String?).self)
            #expect(experiment == "e2" && variant == "a")

            for field in ["experiment", "variant"] {
                let long = String(repeating: "x", count: 201)
                let response = try await service.request(
                    .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "p", "model": "m", "\#(field)": "\#(long)"}"#)
                #expect(response.status == .badRequest && response.errorField == field)
            }
        }
    }

    @Test func variantsAreComparedExactly() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let experiment = "exp-\(UUID().uuidString.prefix(8))"
            // Variant a: c1 (alice, COMPLETED, costs 0.10 + 0.05, times 100 and 300), c2 (bob, FAILED, cost 0.15, time 200),
            // c3 (alice, ACTIVE, no messages, reported total 0.30).
            let c1 = try await Self.conversation(service, experiment: experiment, variant: "a", user: "alice")
            let m1 = try await Self.message(service, c1, cost: "0.10", time: 100)
            try await Self.message(service, c1, cost: "0.05", time: 300)
            try await Self.patch(service, c1, #"{"status": "COMPLETED"}"#)
            let c2 = try await Self.conversation(service, experiment: experiment, variant: "a", user: "bob")
            try await Self.message(service, c2, cost: "0.15", time: 200)
            try await Self.patch(service, c2, #"{"status": "FAILED"}"#)
            let c3 = try await Self.conversation(service, experiment: experiment, variant: "a", user: "alice")
            try await Self.patch(service, c3, #"{"totalCost": 0.30}"#)
            try await Self.score(service, c1, #"{"name": "helpfulness", "value": 0.5}"#)
            try await Self.score(service, c2, #"{"name": "helpfulness", "value": 1}"#)
            try await Self.score(service, c1, message: m1, #"{"name": "thumbs", "value": "up"}"#)
            // Variant b: c4 (COMPLETED, 0.2, 100 ms), c5 (COMPLETED, 0.1, 400 ms).
            let c4 = try await Self.conversation(service, experiment: experiment, variant: "b", user: "alice")
            try await Self.message(service, c4, cost: "0.2", time: 100)
            try await Self.patch(service, c4, #"{"status": "COMPLETED"}"#)
            let c5 = try await Self.conversation(service, experiment: experiment, variant: "b", user: "alice")
            try await Self.message(service, c5, cost: "0.1", time: 400)
            try await Self.patch(service, c5, #"{"status": "COMPLETED"}"#)
            // No variant: c6 (bob, ACTIVE, nothing else).
            _ = try await Self.conversation(service, experiment: experiment, variant: nil, user: "bob")
            // Not counted: another experiment, a conversation before the window, another tenant's.
            let elsewhere = try await Self.conversation(service, experiment: experiment + "-other", variant: "a", user: "alice")
            try await Self.message(service, elsewhere, cost: "9", time: 9)
            let old = try await Self.conversation(
                service, experiment: experiment, variant: "a", user: "alice", createdAt: Date().addingTimeInterval(-40 * 86_400))
            try await Self.message(service, old, cost: "7", time: 7)
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let theirs = try await Self.conversation(service, experiment: experiment, variant: "a", user: "alice", key: other.ingestKey)
            try await Self.message(service, theirs, cost: "5", time: 5, key: other.ingestKey)

            let response = try await service.request(.get, "/v1/analytics/experiments/\(experiment)?days=30", key: service.tenant.adminKey)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let report = try response.decode(ExperimentReport.self)
            #expect(report.experiment == experiment && report.days == 30)
            let expected = [
                VariantFigures(variant: nil, conversations: 1, costPerConversation: 0, successRate: nil, p50ProcessingTime: nil, scores: [:]),
                VariantFigures(
                    variant: "a", conversations: 3, costPerConversation: Decimal(string: "0.2")!,  // (0.15 + 0.15 + 0.30) / 3
                    successRate: 0.5, p50ProcessingTime: 200,  // median of 100, 300, 200
                    scores: ["helpfulness": VariantScore(count: 2, mean: 0.75), "thumbs": VariantScore(count: 1, mean: nil)]),
                VariantFigures(
                    variant: "b", conversations: 2, costPerConversation: Decimal(string: "0.15")!, successRate: 1, p50ProcessingTime: 250,
                    scores: [:]),
            ]
            #expect(report.variants == expected)

            // Alice's own: c1 and c3 in a, c4 and c5 in b.
            let alice = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 600).token
            let own = try await service.request(.get, "/v1/analytics/experiments/\(experiment)", key: alice).decode(ExperimentReport.self)
            #expect(own.variants.map(\.variant) == ["a", "b"])
            let a = try #require(own.variants.first)
            #expect(a.conversations == 2 && a.costPerConversation == Decimal(string: "0.225")! && a.successRate == 1 && a.p50ProcessingTime == 200)
            #expect(a.scores == ["helpfulness": VariantScore(count: 1, mean: 0.5), "thumbs": VariantScore(count: 1, mean: nil)])

            // 41 days reach the old conversation.
            let wide = try await service.request(.get, "/v1/analytics/experiments/\(experiment)?days=41", key: service.tenant.adminKey)
                .decode(ExperimentReport.self)
            #expect(wide.variants.first { $0.variant == "a" }?.conversations == 4)
            let none = try await service.request(.get, "/v1/analytics/experiments/nothing-here", key: service.tenant.adminKey)
            #expect(none.status == .ok && (none.object["variants"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func badInputAndCallers() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let admin = service.tenant.adminKey
            let long = String(repeating: "x", count: 201)
            let tooLong = try await service.request(.get, "/v1/analytics/experiments/\(long)", key: admin)
            #expect(tooLong.status == .badRequest && tooLong.errorField == "experiment")
            let badDays = try await service.request(.get, "/v1/analytics/experiments/e?days=0", key: admin)
            #expect(badDays.status == .badRequest && badDays.errorField == "days")
            #expect(try await service.request(.get, "/v1/analytics/experiments/e").status == .forbidden)  // the ingest key
            let operatorKey = try await service.tenants.createOperatorKey().key
            #expect(try await service.request(.get, "/v1/analytics/experiments/e", key: operatorKey).status == .forbidden)
            #expect(try await service.request(.get, "/v1/analytics/experiments/e", key: "").status == .unauthorized)
            let document = try OpenAPIDocument.load()
            let ok = try await service.request(.get, "/v1/analytics/experiments/e?days=3", key: admin)
            OpenAPIDocumentTests.expectConforms(document, ok, "GET", "/v1/analytics/experiments/{experiment}", "200")
            OpenAPIDocumentTests.expectConforms(document, tooLong, "GET", "/v1/analytics/experiments/{experiment}", "400")
        }
    }
}
