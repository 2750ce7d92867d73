import Foundation
import HummingbirdTesting
import LLMLogService
import NIOCore
import PGClient
import PGTestSupport
import Testing

/// `LLMLOG_READ_DATABASE_URL` against a real streaming replica (`TestReplica`: `pg_basebackup -R` of a primary of its
/// own): lists, details, analytics and exports read from the replica, writes and read-your-writes paths from the
/// primary; tenant scope holds there; a replica that goes away is replaced by the primary (never a 500) and takes the
/// reads back when it returns. Serialized: the tests pause and stop the one replica.
@Suite(.serialized) struct ReadReplicaTests {
    /// The reads that go to the replica, as an admin key calls them (`userId` filters so that only the test's rows count).
    static func replicaReads(_ id: UUID, user: String) -> [String] {
        [
            "/v1/conversations?userId=\(user)", "/v1/conversations/\(id)", "/v1/analytics/usage?days=1", "/v1/analytics/latency?days=1",
            "/v1/admin/analytics?days=1", "/v1/export/conversations?userId=\(user)", "/v1/export/messages?userId=\(user)",
            "/api/llm-analytics?action=analytics&days=1",
        ]
    }

    /// Runs `body` with a service whose reads go to the shared replica, on a new migrated database it has replayed.
    static func withService<R: Sendable>(_ body: @Sendable (TestService, TestReplica) async throws -> R) async throws -> R {
        let pair = try await TestReplica.shared()
        let (primary, replicaURL) = try await pair.createDatabase()
        try await Migrator(logger: TestService.logger).migrate(primary)
        try await pair.waitForReplay()
        return try await TestService.run(
            suite: "read-replica", database: primary, readDatabaseURL: replicaURL, readReplicaRetry: .milliseconds(100)
        ) { service in
            try await pair.waitForReplay()  // the tenant and its keys
            return try await body(service, pair)
        }
    }

    /// A conversation of `user` with one message, through the API (the writer, on the primary); its id.
    static func conversation(_ service: TestService, user: String) async throws -> UUID {
        let created = try await service.request(
            .post, "/v1/conversations", json: TestService.json(["type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": user]))
        #expect(created.status == .created)
        let id = try #require(UUID(uuidString: created.object["id"] as? String ?? ""))
        let message = try await service.request(
            .post, "/v1/conversations/\(id)/messages",
            json: #"{"role": "ASSISTANT", "content": "hello", "inputTokens": 10, "outputTokens": 5, "processingTime": 120}"#)
        #expect(message.status == .created)
        return id
    }

    static func listedIds(_ response: TestResponse) -> Set<String> {
        Set((response.object["conversations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    static func usageMessages(_ service: TestService) async throws -> Int? {
        let usage = try await service.request(.get, "/v1/analytics/usage?days=1", key: service.tenant.adminKey)
        return (usage.object["totals"] as? [String: Any])?["messages"] as? Int
    }

    static func fallbacks(_ service: TestService) -> Double { gauge(service, ServiceMetrics.Name.readFallbacks) }

    /// A sample without labels from the service's metrics (0 when absent).
    static func gauge(_ service: TestService, _ name: String) -> Double {
        PrometheusText(text: service.metrics.render()).value(name) ?? 0
    }

    /// With `LLMLOG_REPLICA_FIGURES` set: the median time of a list, a detail and a usage report, over 100 rounds.
    static func medianReadTime(_ service: TestService, _ id: UUID) async throws -> Duration? {
        guard ProcessInfo.processInfo.environment["LLMLOG_REPLICA_FIGURES"] != nil else { return nil }
        var times: [Duration] = []
        for _ in 0..<100 {
            let start = ContinuousClock.now
            for uri in ["/v1/conversations?userId=ann", "/v1/conversations/\(id)", "/v1/analytics/usage?days=1"] {
                _ = try await service.request(.get, uri, key: service.tenant.adminKey)
            }
            times.append(ContinuousClock.now - start)
        }
        return times.sorted()[times.count / 2]
    }

    @Test func readsComeFromTheReplicaAndWritesFromThePrimary() async throws {
        try await Self.withService { service, pair in
            let admin = service.tenant.adminKey
            let first = try await Self.conversation(service, user: "ann")
            let written = ContinuousClock.now
            try await pair.waitForReplay()
            if ProcessInfo.processInfo.environment["LLMLOG_REPLICA_FIGURES"] != nil {
                print("replica figures: a conversation and its message were on the replica \(ContinuousClock.now - written) after their commit")
            }
            for uri in Self.replicaReads(first, user: "ann") {
                let response = try await service.request(.get, uri, key: admin)
                #expect(response.status == .ok, "\(uri)")
            }
            #expect(service.reads.replicaState == .up)

            // Replay paused: what the primary commits now is not on the replica yet.
            try await pair.pauseReplay()
            let second: UUID
            do {
                second = try await Self.conversation(service, user: "ann")
                let listed = Self.listedIds(try await service.request(.get, "/v1/conversations?userId=ann", key: admin))
                #expect(listed == [first.uuidString.lowercased()])
                #expect(try await service.request(.get, "/v1/conversations/\(second)", key: admin).status == .notFound)
                #expect(try await Self.usageMessages(service) == 1)
                let export = try await service.request(.get, "/v1/export/conversations?userId=ann", key: admin)
                #expect(String(buffer: export.body).split(separator: "\n").count == 1)
                // A tenant made now, which the replica does not have yet: its key works at once (key lookups and
                // tenant settings read the primary); its list, from the replica, is empty.
                let fresh = try await service.tenants.createTenant(name: "fresh-\(UUID().uuidString.prefix(8))")
                #expect(try await service.request(.get, "/v1/tenant/settings", key: fresh.adminKey).status == .ok)
                let freshList = try await service.request(.get, "/v1/conversations", key: fresh.adminKey)
                #expect(freshList.status == .ok && Self.listedIds(freshList).isEmpty)
                // The dashboard: the login (a key lookup) on the primary, its pages from the replica.
                let session = try #require(try await service.dashboardLogin(admin))
                #expect(try await service.dashboard("/dashboard/conversations/\(first)", session: session).status == .ok)
                #expect(try await service.dashboard("/dashboard/conversations/\(second)", session: session).status == .notFound)
                // The primary's paths see it at once: the user's GDPR export, and the writer, which finds it to add to.
                let erasureExport = String(buffer: try await service.request(.get, "/v1/users/ann/export", key: admin).body)
                #expect(erasureExport.contains(second.uuidString.lowercased()))
                let added = try await service.request(
                    .post, "/v1/conversations/\(second)/messages",
                    json: #"{"role": "USER", "content": "again", "inputTokens": 1, "outputTokens": 1}"#)
                #expect(added.status == .created)
                // The probe (every 100 ms here) sees the replica fall behind what it received.
                let deadline = ContinuousClock.now + .seconds(30)
                while Self.gauge(service, ServiceMetrics.Name.readReplicaLag) <= 0 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(Self.gauge(service, ServiceMetrics.Name.readReplicaLag) > 0)
                #expect(Self.gauge(service, ServiceMetrics.Name.readReplicaUp) == 1)
            } catch {
                try await pair.resumeReplay()
                throw error
            }
            try await pair.resumeReplay()
            try await pair.waitForReplay()
            let listed = Self.listedIds(try await service.request(.get, "/v1/conversations?userId=ann", key: admin))
            #expect(listed == [first.uuidString.lowercased(), second.uuidString.lowercased()])
            #expect(try await service.request(.get, "/v1/conversations/\(second)", key: admin).status == .ok)
            #expect(try await Self.usageMessages(service) == 3)
            #expect(Self.fallbacks(service) == 0)
        }
    }

    @Test func tenantAndUserScopeHoldOnTheReplica() async throws {
        try await Self.withService { service, pair in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let ann = try await Self.conversation(service, user: "ann")
            let bob = try await Self.conversation(service, user: "bob")
            let token = try await service.request(.post, "/v1/tokens", json: #"{"userId": "ann"}"#, key: service.tenant.adminKey)
            let annToken = try #require(token.object["token"] as? String)
            try await pair.waitForReplay()
            // Another tenant's admin: 404 and an empty list, from the replica.
            #expect(try await service.request(.get, "/v1/conversations/\(ann)", key: other.adminKey).status == .notFound)
            #expect(Self.listedIds(try await service.request(.get, "/v1/conversations", key: other.adminKey)).isEmpty)
            let otherUsage = try await service.request(.get, "/v1/analytics/usage?days=1", key: other.adminKey)
            #expect((otherUsage.object["totals"] as? [String: Any])?["messages"] as? Int == 0)
            // A user token: its own conversation only.
            #expect(try await service.request(.get, "/v1/conversations/\(ann)", key: annToken).status == .ok)
            #expect(try await service.request(.get, "/v1/conversations/\(bob)", key: annToken).status == .notFound)
            #expect(Self.listedIds(try await service.request(.get, "/v1/conversations", key: annToken)) == [ann.uuidString.lowercased()])
            #expect(service.reads.replicaState == .up && Self.fallbacks(service) == 0)
        }
    }

    @Test func aReplicaThatGoesAwayIsReplacedByThePrimaryAndTakesTheReadsBack() async throws {
        try await Self.withService { service, pair in
            let admin = service.tenant.adminKey
            let first = try await Self.conversation(service, user: "ann")
            try await pair.waitForReplay()
            #expect(try await service.request(.get, "/v1/conversations/\(first)", key: admin).status == .ok)
            let onReplica = try await Self.medianReadTime(service, first)

            try await pair.replica.stopImmediately()
            let stopped = ContinuousClock.now
            do {
                let firstAnswer = try await service.request(.get, "/v1/conversations?userId=ann", key: admin)
                let fallbackTime = ContinuousClock.now - stopped
                #expect(firstAnswer.status == .ok)
                #expect(fallbackTime < .seconds(5))
                for uri in Self.replicaReads(first, user: "ann") {
                    let response = try await service.request(.get, uri, key: admin)
                    #expect(response.status == .ok, "\(uri)")
                }
                #expect(service.reads.replicaState == .down)
                let session = try #require(try await service.dashboardLogin(admin))
                for page in ["/dashboard?days=7", "/dashboard/conversations", "/dashboard/conversations/\(first)"] {
                    #expect(try await service.dashboard(page, session: session).status == .ok, "\(page)")
                }
                #expect(Self.fallbacks(service) >= Double(Self.replicaReads(first, user: "ann").count))
                let ready = try await service.request(.get, "/readyz", key: "")
                #expect(ready.status == .ok && ready.object["readReplica"] as? String == "down")
                // Written while the replica is down, read from the primary at once.
                let second = try await Self.conversation(service, user: "ann")
                #expect(try await service.request(.get, "/v1/conversations/\(second)", key: admin).status == .ok)
                if let onReplica, let onPrimary = try await Self.medianReadTime(service, first) {
                    print(
                        "replica figures: first read after the replica stopped answered in \(fallbackTime); median list+detail+usage: replica \(onReplica), primary (fallback) \(onPrimary)"
                    )
                }
            } catch {
                try await pair.replica.startAgain()
                throw error
            }

            try await pair.replica.startAgain()
            try await pair.waitForReplay()
            // The probe (every 100 ms here) finds it again; then reads go back to it.
            let deadline = ContinuousClock.now + .seconds(30)
            while service.reads.replicaState != .up && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(service.reads.replicaState == .up)
            let ready = try await service.request(.get, "/readyz", key: "")
            #expect(ready.status == .ok && ready.object["readReplica"] as? String == "up")
            try await pair.pauseReplay()
            do {
                let third = try await Self.conversation(service, user: "ann")
                let before = Self.fallbacks(service)
                #expect(try await service.request(.get, "/v1/conversations/\(third)", key: admin).status == .notFound)
                #expect(Self.fallbacks(service) == before)
            } catch {
                try await pair.resumeReplay()
                throw error
            }
            try await pair.resumeReplay()
        }
    }
}
