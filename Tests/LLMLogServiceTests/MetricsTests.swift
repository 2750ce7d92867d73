import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LLMLogService
import NIOCore
import PGClient
import Testing

/// `GET /metrics`: Prometheus text whose counters move by exactly what was ingested, without tenant data.
@Suite struct MetricsTests {
    static let suite = "opsmetrics"

    func scrape(_ service: TestService, key: String = "") async throws -> PrometheusText {
        let response = try await service.request(.get, "/metrics", key: key)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        return PrometheusText(text: String(buffer: response.body))
    }

    @Test func countersMoveByWhatWasIngestedAndNoTenantDataAppears() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let name = ServiceMetrics.Name.self
            let before = try await scrape(service)
            #expect(before.value(name.messagesIngested) == 0)
            #expect(before.value("\(name.tokensIngested){bucket=\"input\"}") == 0)

            let created = try await service.request(
                .post, "/v1/conversations",
                json: TestService.json(["type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "user-secret-7"]))
            #expect(created.status == .created)
            let conversationId = try #require(created.object["id"] as? String)
            // Three single messages and a batch of two; one single message is sent twice with its id (a replay).
            let usages: [[String: Int]] = [
                ["inputTokens": 100, "cachedInputTokens": 40, "outputTokens": 7],
                ["inputTokens": 5, "cacheCreationInputTokens": 300, "reasoningTokens": 11],
                ["outputTokens": 2],
                ["inputTokens": 1000, "cachedInputTokens": 1],
                ["reasoningTokens": 3, "outputTokens": 20],
            ]
            let replayedId = UUID().uuidString.lowercased()
            for (index, usage) in usages.prefix(3).enumerated() {
                var body: [String: Any] = ["role": "ASSISTANT", "content": "secret content \(index)"]
                for (key, value) in usage { body[key] = value }
                if index == 0 { body["id"] = replayedId }
                let response = try await service.request(.post, "/v1/conversations/\(conversationId)/messages", json: TestService.json(body))
                #expect(response.status == .created)
                if index == 0 {
                    let replay = try await service.request(.post, "/v1/conversations/\(conversationId)/messages", json: TestService.json(body))
                    #expect(replay.status == .created)
                }
            }
            let events: [[String: Any]] = usages.suffix(2).enumerated().map { index, usage in
                var body: [String: Any] = ["conversationId": conversationId, "role": "USER", "content": "batch \(index)"]
                for (key, value) in usage { body[key] = value }
                return ["id": "event-\(index)", "type": "message.create", "body": body]
            }
            #expect(try await service.request(.post, "/v1/batch", json: TestService.json(["events": events])).status.code == 207)
            // A database error through the service's pool is counted by kind and SQLSTATE class.
            await #expect(throws: PGError.self) { try await service.pool.query("SELECT 1 / \(0)") }

            let after = try await scrape(service)
            #expect(after.value(name.messagesIngested) == Double(usages.count))
            func sum(_ field: String) -> Double { Double(usages.reduce(0) { $0 + ($1[field] ?? 0) }) }
            #expect(after.value("\(name.tokensIngested){bucket=\"input\"}") == sum("inputTokens"))
            #expect(after.value("\(name.tokensIngested){bucket=\"cached_input\"}") == sum("cachedInputTokens"))
            #expect(after.value("\(name.tokensIngested){bucket=\"cache_creation_input\"}") == sum("cacheCreationInputTokens"))
            #expect(after.value("\(name.tokensIngested){bucket=\"output\"}") == sum("outputTokens"))
            #expect(after.value("\(name.tokensIngested){bucket=\"reasoning\"}") == sum("reasoningTokens"))

            let route = "/v1/conversations/{id}/messages"
            #expect(after.value("\(name.httpRequests){method=\"POST\",route=\"\(route)\",status=\"201\"}") == 4)  // the replay is answered 201 too
            #expect(after.value("\(name.httpRequests){method=\"POST\",route=\"/v1/batch\",status=\"207\"}") == 1)
            #expect(after.value("\(name.httpRequests){method=\"GET\",route=\"/metrics\",status=\"200\"}") == 1)
            #expect(after.value("\(name.httpRequestDuration)_count{method=\"POST\",route=\"/v1/conversations\"}") == 1)
            #expect(after.value("\(name.databaseErrors){kind=\"server\",sqlstate_class=\"22\"}") == 1)
            #expect((after.value("\(name.flushOperations)_count") ?? 0) >= 3)
            #expect((after.value("\(name.flushOperations)_sum") ?? 0) >= Double(usages.count + 1))
            #expect((after.value("\(name.flushDuration)_count") ?? 0) >= 3)
            #expect(after.value(name.writeQueueDepth) == 0)
            #expect((after.value(name.poolConnectionsOpen) ?? 0) >= 1)
            #expect(after.value(name.poolConnectionsInUse) == 0)
            #expect(after.value(name.poolWaiters) == 0)
            #expect(
                after.families.isSuperset(of: [
                    name.httpRequests, name.httpRequestDuration, name.writeQueueDepth, name.flushOperations, name.flushDuration,
                    name.poolConnectionsInUse, name.poolConnectionsOpen, name.poolWaiters, name.databaseErrors,
                    name.messagesIngested, name.tokensIngested, name.rateLimited,
                ]))

            // Nothing identifying a tenant, user, key or conversation.
            for secret in [
                service.tenant.tenantId.uuidString, conversationId, replayedId, "user-secret-7", service.tenant.ingestKey, "secret content",
            ] {
                #expect(!after.text.lowercased().contains(secret.lowercased()), "\(secret) is in the metrics")
            }
        }
    }

    @Test func unknownPathsAndMethodsDoNotGrowTheLabels() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let path = "/v1/nothing-\(UUID().uuidString.lowercased())"
            #expect(try await service.request(.get, path).status == .notFound)
            #expect(try await service.request(.init("BREW")!, "/healthz").status.code >= 400)
            let text = try await scrape(service).text
            #expect(!text.contains("nothing-"))
            #expect(!text.contains("BREW"))
            // Hummingbird names every unmatched path "NotFound": one series, whatever the path.
            let metrics = PrometheusText(text: text)
            #expect(metrics.value("\(ServiceMetrics.Name.httpRequests){method=\"GET\",route=\"NotFound\",status=\"404\"}") == 1)
            #expect(text.contains("method=\"other\""))
        }
    }

    @Test func aConfiguredTokenIsRequired() async throws {
        try await TestService.run(suite: Self.suite, metricsToken: "scrape-secret") { service in
            #expect(try await service.request(.get, "/metrics", key: "").status == .unauthorized)
            #expect(try await service.request(.get, "/metrics", key: "scrape-wrong!").status == .unauthorized)
            #expect(try await service.request(.get, "/metrics").status == .unauthorized)  // a tenant key is not the token
            let text = try await scrape(service, key: "scrape-secret").text
            #expect(text.contains(ServiceMetrics.Name.messagesIngested))
            #expect(!text.contains("scrape-secret"))
        }
    }
}
