import Foundation
import PGClient
import PGTestSupport
import Testing

@testable import LLMLogService

/// Issue #18's retention and privacy: tenant settings, content-free mode, retention passes that clear and remove raw
/// rows while every report stays exact, and user erasure (with its export first), resumable after a crash.
@Suite(.serialized) struct DataLifecycleTests {
    static let suite = "data-lifecycle"

    /// A conversation of `userId` with `count` priced messages; its id.
    static func conversation(_ service: TestService, userId: String?, messages count: Int, key: String? = nil) async throws -> UUID {
        var body: [String: Any] = ["type": "CHAT", "provider": "openai", "model": "gpt-4o", "title": "secret title", "metadata": ["m": "x"]]
        if let userId { body["userId"] = userId }
        let created = try await service.request(.post, "/v1/conversations", json: TestService.json(body), key: key)
        let id = try #require(UUID(uuidString: created.object["id"] as? String ?? ""))
        for index in 0..<count {
            let message = TestService.json([
                "role": "ASSISTANT", "content": "secret \(index)", "inputTokens": 100, "outputTokens": 10,
                "processingTime": 50, "metadata": ["k": "v"],
            ])
            let response = try await service.request(.post, "/v1/conversations/\(id.lowercasedString)/messages", json: message, key: key)
            #expect(response.status == .created)
        }
        return id
    }

    /// The tenant's usage report over the last 30 days, as JSON text without the figures that move with the clock.
    static func usage(_ service: TestService) async throws -> [String: Any] {
        try await service.request(.get, "/v1/admin/analytics?days=30", key: service.tenant.adminKey).object
    }

    static func totals(_ report: [String: Any]) -> NSDictionary { (report["totals"] as? NSDictionary) ?? [:] }

    @Test func settingsAreReadPatchedAndValidated() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let admin = service.tenant.adminKey
            let initial = try await service.request(.get, "/v1/tenant/settings", key: admin)
            #expect(initial.status == .ok)
            #expect(
                initial.object["storeContent"] as? Bool == true && initial.object["retentionDays"] is NSNull
                    && initial.object["contentRetentionDays"] is NSNull)
            let patched = try await service.request(.patch, "/v1/tenant/settings", json: #"{"contentRetentionDays": 30}"#, key: admin)
            #expect(patched.status == .ok && patched.object["contentRetentionDays"] as? Int == 30 && patched.object["storeContent"] as? Bool == true)
            let second = try await service.request(.patch, "/v1/tenant/settings", json: #"{"retentionDays": 400}"#, key: admin)
            #expect(second.object["contentRetentionDays"] as? Int == 30 && second.object["retentionDays"] as? Int == 400)
            let cleared = try await service.request(.patch, "/v1/tenant/settings", json: #"{"contentRetentionDays": null}"#, key: admin)
            #expect(cleared.object["contentRetentionDays"] is NSNull && cleared.object["retentionDays"] as? Int == 400)
            for (body, field) in [
                (#"{"retentionDays": 0}"#, "retentionDays"), (#"{"contentRetentionDays": 36501}"#, "contentRetentionDays"),
                (#"{"retentionDays": 1.5}"#, "retentionDays"), (#"{"storeContent": "no"}"#, "storeContent"),
            ] {
                let bad = try await service.request(.patch, "/v1/tenant/settings", json: body, key: admin)
                #expect(bad.status == .badRequest && bad.errorField == field, "\(body)")
            }
            #expect(try await service.request(.get, "/v1/tenant/settings").status == .forbidden)  // the ingest key
            #expect(try await service.request(.patch, "/v1/tenant/settings", json: "{}").status == .forbidden)
            // Another tenant's settings are its own.
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let theirs = try await service.request(.get, "/v1/tenant/settings", key: other.adminKey)
            #expect(theirs.object["retentionDays"] is NSNull)
        }
    }

    @Test func contentFreeTenantsStoreNoContentAndOthersAreUntouched() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let off = try await service.request(.patch, "/v1/tenant/settings", json: #"{"storeContent": false}"#, key: service.tenant.adminKey)
            #expect(off.object["storeContent"] as? Bool == false)
            let mine = try await Self.conversation(service, userId: "u", messages: 2)
            let theirs = try await Self.conversation(service, userId: "u", messages: 1, key: other.ingestKey)
            let stored = try await service.database.query(
                "SELECT conversation_id, content, input_tokens FROM llm_messages WHERE conversation_id = ANY(\([mine, theirs]))")
            let rows = try stored.map { try $0.decode((UUID, String, Int64?).self) }
            #expect(rows.filter { $0.0 == mine }.map(\.1) == ["", ""])
            #expect(rows.filter { $0.0 == mine }.allSatisfy { $0.2 == 100 })  // everything else is stored
            #expect(rows.filter { $0.0 == theirs }.map(\.1) == ["secret 0"])
            // Answers say what was stored.
            let detail = try await service.request(.get, "/v1/conversations/\(mine.lowercasedString)", key: service.tenant.adminKey)
            #expect((detail.object["messages"] as? [[String: Any]])?.map { $0["content"] as? String } == ["", ""])
            _ = try await service.request(.patch, "/v1/tenant/settings", json: #"{"storeContent": true}"#, key: service.tenant.adminKey)
            let again = try await Self.conversation(service, userId: "u", messages: 1)
            let content = try await service.database.query("SELECT content FROM llm_messages WHERE conversation_id = \(again)")
            #expect(try content.map { try $0.decode(String.self, column: 0) } == ["secret 0"])
        }
    }

    @Test func retentionClearsThenRemovesRawRowsAndReportsStayExact() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let conversations = [
                try await Self.conversation(service, userId: "a", messages: 3),
                try await Self.conversation(service, userId: nil, messages: 2),
            ]
            let theirs = try await Self.conversation(service, userId: "a", messages: 2, key: other.ingestKey)
            let before = try await Self.usage(service)
            _ = try await service.request(
                .patch, "/v1/tenant/settings", json: #"{"contentRetentionDays": 10, "retentionDays": 40}"#,
                key: service.tenant.adminKey)
            let retention = Retention(pool: service.pool, logger: .init(label: "test"))

            // Nothing is old enough yet.
            func mine(_ report: Retention.Report) -> Retention.Report.TenantFigures? {
                report.tenants.first { $0.tenantId == service.tenant.tenantId }
            }
            let now = try await retention.runOnce()
            #expect(now.ran && mine(now) == Retention.Report.TenantFigures(tenantId: service.tenant.tenantId))

            // 11 days on: content and conversation details cleared, figures kept.
            let cleared = try await retention.runOnce(now: Date().addingTimeInterval(11 * 86_400))
            #expect(mine(cleared)?.messagesCleared == 5 && mine(cleared)?.conversationsCleared == 2)
            let rows = try await service.database.query(
                """
                SELECT content, metadata::text, input_tokens, cost IS NOT NULL FROM llm_messages WHERE conversation_id = ANY(\(conversations))
                """
            ).map { try $0.decode((String, String, Int64?, Bool).self) }
            #expect(rows.count == 5 && rows.allSatisfy { $0.0 == "" && $0.1 == "{}" && $0.2 == 100 && $0.3 })
            let details = try await service.database.query(
                """
                SELECT title, metadata::text, message_count FROM llm_conversations WHERE id = ANY(\(conversations))
                """
            ).map { try $0.decode((String?, String, Int).self) }
            #expect(details.allSatisfy { $0.0 == nil && $0.1 == "{}" } && details.map(\.2).sorted() == [2, 3])
            // Another tenant's rows are not this tenant's retention's business.
            let untouched = try await service.database.query(
                "SELECT content FROM llm_messages WHERE conversation_id = \(theirs) ORDER BY message_index")
            #expect(try untouched.map { try $0.decode(String.self, column: 0) } == ["secret 0", "secret 1"])
            // A second pass starts after the last cleared message: nothing to do.
            let again = try await retention.runOnce(now: Date().addingTimeInterval(11 * 86_400))
            #expect(mine(again)?.messagesCleared == 0 && mine(again)?.conversationsCleared == 0)

            // 41 days on: messages and conversations removed; reports as before, to the cent.
            let removed = try await retention.runOnce(now: Date().addingTimeInterval(41 * 86_400))
            #expect(mine(removed)?.messagesRemoved == 5 && mine(removed)?.conversationsRemoved == 2)
            #expect(
                try await service.database.query("SELECT count(*) FROM llm_messages WHERE conversation_id = ANY(\(conversations))")[0]
                    .decode(Int.self, column: 0) == 0)
            #expect(
                try await service.database.query("SELECT count(*) FROM llm_conversations WHERE id = ANY(\(conversations))")[0]
                    .decode(Int.self, column: 0) == 0)
            let after = try await Self.usage(service)
            #expect(Self.totals(after) == Self.totals(before))
            #expect((after["byModel"] as? NSArray) == (before["byModel"] as? NSArray))
            #expect((after["byUser"] as? NSArray) == (before["byUser"] as? NSArray))
            #expect(
                try await service.database.query("SELECT count(*) FROM llm_messages WHERE conversation_id = \(theirs)")[0]
                    .decode(Int.self, column: 0) == 2)
        }
    }

    @Test func onlyOneInstanceRunsAPassAtATime() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let holder = try await PGConnection.connect(try await TestDatabase.database(for: Self.suite))
            #expect(try await holder.query("SELECT pg_try_advisory_lock(\(Retention.lockKey))")[0].decode(Bool.self, column: 0))
            let blocked = try await Retention(pool: service.pool, logger: .init(label: "test")).runOnce()
            #expect(!blocked.ran)
            #expect(try await holder.query("SELECT pg_advisory_unlock(\(Retention.lockKey))")[0].decode(Bool.self, column: 0))
            await holder.close()
            let free = try await Retention(pool: service.pool, logger: .init(label: "test")).runOnce()
            #expect(free.ran)
        }
    }

    @Test func aUserIsExportedThenErasedAndTotalsStayExact() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let admin = service.tenant.adminKey
            let erased = [
                try await Self.conversation(service, userId: "erase-me", messages: 2),
                try await Self.conversation(service, userId: "erase-me", messages: 1),
            ]
            let kept = try await Self.conversation(service, userId: "keep-me", messages: 1)
            let before = try await Self.usage(service)

            let export = try await service.request(.get, "/v1/users/erase-me/export", key: admin)
            #expect(export.status == .ok && export.headers[.contentType] == "application/x-ndjson", "\(String(buffer: export.body))")
            let lines = String(buffer: export.body).split(separator: "\n").map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
            }
            #expect(
                lines.filter { $0["record"] as? String == "conversation" }.compactMap { $0["id"] as? String }.sorted()
                    == erased.map(\.lowercasedString).sorted())
            #expect(lines.filter { $0["record"] as? String == "message" }.count == 3)
            #expect(lines.allSatisfy { $0["userId"] == nil || $0["userId"] as? String == "erase-me" })

            #expect(try await service.request(.delete, "/v1/users/erase-me").status == .forbidden)  // the ingest key
            let response = try await service.request(.delete, "/v1/users/erase-me", key: admin)
            #expect(response.status == .ok)
            #expect(response.object["conversationsDeleted"] as? Int == 2 && response.object["messagesDeleted"] as? Int == 3)
            #expect((response.object["rollupRowsMoved"] as? Int ?? 0) >= 1)
            let left = try await service.database.query(
                """
                SELECT (SELECT count(*) FROM llm_conversations WHERE user_id = 'erase-me'),
                       (SELECT count(*) FROM llm_messages WHERE user_id = 'erase-me'),
                       (SELECT count(*) FROM llm_usage_hourly WHERE user_id = 'erase-me'),
                       (SELECT count(*) FROM llm_user_erasures),
                       (SELECT count(*) FROM llm_messages WHERE conversation_id = \(kept))
                """)[0].decode((Int, Int, Int, Int, Int).self)
            #expect(left == (0, 0, 0, 0, 1))
            let after = try await Self.usage(service)
            #expect(Self.totals(after) == Self.totals(before))
            let users = (after["byUser"] as? [[String: Any]]) ?? []
            #expect(!users.contains { $0["userId"] as? String == "erase-me" })
            let anonymous = users.first { $0["userId"] is NSNull }
            let erasedCost = ((before["byUser"] as? [[String: Any]]) ?? []).first { $0["userId"] as? String == "erase-me" }?["cost"] as? Double
            #expect(anonymous?["cost"] as? Double == erasedCost && anonymous?["messages"] as? Int == 3)

            let repeated = try await service.request(.delete, "/v1/users/erase-me", key: admin)
            #expect(repeated.status == .ok && repeated.object["conversationsDeleted"] as? Int == 0 && repeated.object["messagesDeleted"] as? Int == 0)
            #expect(try await Self.totals(Self.usage(service)) == Self.totals(before))
        }
    }

    @Test func anErasureCutShortIsFinishedByTheNextPass() async throws {
        try await TestService.run(suite: Self.suite) { service in
            _ = try await Self.conversation(service, userId: "crashed", messages: 2)
            // The journal row as a crash right after the request leaves it.
            try await service.database.withTransaction { tx in
                try await TenantScope.allTenants(tx)
                try await LifecycleStatements.beginErasure(tx, tenantId: service.tenant.tenantId, userId: "crashed")
            }
            let report = try await Retention(pool: service.pool, logger: .init(label: "test")).runOnce()
            #expect(report.erasuresFinished >= 1)
            let left = try await service.database.query(
                """
                SELECT (SELECT count(*) FROM llm_conversations WHERE user_id = 'crashed'), (SELECT count(*) FROM llm_user_erasures WHERE user_id = 'crashed')
                """)[0].decode((Int, Int).self)
            #expect(left == (0, 0))
        }
    }

    @Test func theCommandLineSetsRunsAndErases() async throws {
        let configuration = try await TestDatabase.createDatabase(prefix: "clilifecycle")
        let cluster = try await TestDatabase.cluster()
        let database = cluster.url(database: configuration.parameters.first { $0.keyword == "dbname" }!.value)
        let cli = CLITests()
        let created = try await cli.run(["tenant", "create", "lifecycle", "--json", "--database-url", database])
        let tenant = try #require(try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])
        let tenantId = try #require(tenant["tenantId"])
        let set = try await cli.run([
            "tenant", "settings", tenantId, "--retention-days", "30", "--store-content", "false", "--database-url", database,
        ])
        #expect(set.status == 0)
        let settings = try JSONSerialization.jsonObject(with: Data(set.output.utf8)) as? [String: Any]
        #expect(settings?["retentionDays"] as? Int == 30 && settings?["storeContent"] as? Bool == false)
        let reset = try await cli.run(["tenant", "settings", tenantId, "--retention-days", "none", "--database-url", database])
        #expect((try JSONSerialization.jsonObject(with: Data(reset.output.utf8)) as? [String: Any])?["retentionDays"] is NSNull)
        #expect(try await cli.run(["tenant", "settings", tenantId, "--retention-days", "0", "--database-url", database]).status != 0)
        let run = try await cli.run(["retention", "run", "--json", "--database-url", database])
        #expect(run.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])?["ran"] as? Bool == true)
        let erase = try await cli.run(["user", "erase", tenantId, "nobody", "--database-url", database])
        #expect(erase.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(erase.output.utf8)) as? [String: Any])?["conversationsDeleted"] as? Int == 0)
    }
}
