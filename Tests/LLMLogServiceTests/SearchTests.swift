import Foundation
import PGClient
import PGTestSupport
import Testing

@testable import LLMLogService

/// Full-text search (issue #16): messages are indexed behind the writer (`SearchIndexer`), `q` finds conversations
/// by word prefixes within one message, scoped to the tenant and the user like every read; the index follows
/// retention, erasure and content-free mode; several indexers never index a message twice; a database migrated
/// before search existed gets its messages indexed. Serialized: an indexer takes every tenant's queued messages, so
/// tests that watch what is (not yet) indexed cannot share the database with one running.
@Suite(.serialized) struct SearchTests {
    static let suite = "search"

    /// A conversation of `userId` with one USER message per text; its id.
    static func conversation(_ service: TestService, userId: String? = nil, _ texts: [String], key: String? = nil) async throws -> UUID {
        var body: [String: Any] = ["type": "CHAT", "provider": "openai", "model": "gpt-4o"]
        if let userId { body["userId"] = userId }
        let created = try await service.request(.post, "/v1/conversations", json: TestService.json(body), key: key)
        let id = try #require(UUID(uuidString: created.object["id"] as? String ?? ""))
        for text in texts {
            let message = TestService.json(["role": "USER", "content": text])
            let response = try await service.request(.post, "/v1/conversations/\(id.lowercasedString)/messages", json: message, key: key)
            #expect(response.status == .created)
        }
        return id
    }

    /// The ids of the conversations `q` finds for `key` (the tenant's admin key unless told otherwise).
    static func search(_ service: TestService, _ q: String, key: String? = nil, extra: String = "") async throws -> Set<UUID> {
        let escaped = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
        let answer = try await service.request(.get, "/v1/conversations?q=\(escaped)\(extra)", key: key ?? service.tenant.adminKey)
        #expect(answer.status == .ok, "\(q): \(answer.status)")
        let rows = answer.object["conversations"] as? [[String: Any]] ?? []
        return Set(rows.compactMap { ($0["id"] as? String).flatMap(UUID.init(uuidString:)) })
    }

    @Test func wordsArePrefixesWithinOneMessageAndScopedLikeEveryRead() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let quarterly = try await Self.conversation(service, userId: "ann", ["The Quarterly report is late", "Unrelated reply"])
            let split = try await Self.conversation(service, userId: "bob", ["quarterly numbers", "report attached"])
            let markup = try await Self.conversation(service, userId: "bob", ["<script>alert('x')</script> café résumé"])
            let other = try await service.tenants.createTenant(name: "search-other-\(UUID().uuidString.prefix(6))")
            let theirs = try await Self.conversation(service, ["quarterly report for another tenant"], key: other.ingestKey)

            // Written but not yet indexed: search lags the writer, it does not slow it.
            #expect(try await Self.search(service, "quarterly").isEmpty)
            #expect(try await service.indexSearch() >= 6)

            #expect(try await Self.search(service, "quarterly") == [quarterly, split])
            #expect(try await Self.search(service, "QUART") == [quarterly, split], "a prefix, any case")
            #expect(try await Self.search(service, "quarterly report") == [quarterly], "every word in one message")
            #expect(try await Self.search(service, "report quarterly") == [quarterly])
            #expect(try await Self.search(service, "script") == [markup], "markup is text")
            #expect(try await Self.search(service, "CAFÉ") == [markup])
            #expect(try await Self.search(service, "%").isEmpty, "no word: nothing")
            #expect(try await Self.search(service, "' & | ! :*").isEmpty, "tsquery syntax is taken as text")
            #expect(try await Self.search(service, "zebra").isEmpty)
            // Another tenant's messages are its own.
            #expect(try await Self.search(service, "quarterly", key: other.adminKey) == [theirs])
            // A user token sees its own conversations only; the other filters still apply.
            let token = try #require(
                try await service.request(.post, "/v1/tokens", json: #"{"userId": "bob"}"#, key: service.tenant.adminKey)
                    .object["token"] as? String)
            #expect(try await Self.search(service, "quarterly", key: token) == [split])
            #expect(try await Self.search(service, "quarterly", extra: "&userId=ann") == [quarterly])
            #expect(try await Self.search(service, "quarterly", extra: "&type=SUMMARY").isEmpty)
            // The index lookup that steps around row-level security keeps its walls: another tenant's id, or another
            // user's messages, give nothing.
            let lookup = try await service.database.withTransaction { tx in
                _ = try await tx.query("SET LOCAL ROLE llmlog_service")
                _ = try await tx.query("SELECT set_config('llmlog.tenant_id', \(service.tenant.tenantId.lowercasedString), true)")
                let mine = try await tx.query(
                    "SELECT count(*) FROM llmlog_search_conversations(\(service.tenant.tenantId), 'quarterly:*', 100)")[0].decode(Int.self)
                let theirs = try await tx.query(
                    "SELECT count(*) FROM llmlog_search_conversations(\(other.tenantId), 'quarterly:*', 100)")[0].decode(Int.self)
                _ = try await tx.query("SELECT set_config('llmlog.user_id', 'ann', true)")
                let ann = try await tx.query(
                    "SELECT llmlog_search_conversations(\(service.tenant.tenantId), 'quarterly:*', 100)"
                ).map { try $0.decode(UUID.self) }
                return (mine, theirs, ann)
            }
            #expect(lookup.0 == 2 && lookup.1 == 0 && lookup.2 == [quarterly])
            // Paging works through search results.
            let first = try await service.request(.get, "/v1/conversations?q=quarterly&limit=1", key: service.tenant.adminKey)
            let cursor = try #require(first.object["nextCursor"] as? String)
            let second = try await service.request(.get, "/v1/conversations?q=quarterly&limit=1&cursor=\(cursor)", key: service.tenant.adminKey)
            let ids = [first, second].flatMap { ($0.object["conversations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
            #expect(Set(ids.compactMap(UUID.init(uuidString:))) == [quarterly, split])
        }
    }

    @Test func rareAndCommonWordsTakeTheirOwnPathsToTheSameAnswers() async throws {
        try await TestService.run(suite: Self.suite) { service in
            // More conversations than the newest-first probe looks at: a word in the oldest two only is found
            // through the index; a word in every one stops the probe at a page; paging through either is exact.
            let count = SearchCandidates.probeWindow + 30
            var events: [[String: Any]] = []
            var ids: [UUID] = []
            let start = Date().addingTimeInterval(-3600)
            for n in 0..<count {
                let id = UUID()
                ids.append(id)
                let created = ISO8601.format(start.addingTimeInterval(Double(n)))
                events.append([
                    "id": "c\(n)", "type": "conversation.create",
                    "body": ["id": id.lowercasedString, "type": "CHAT", "provider": "openai", "model": "gpt-4o", "createdAt": created],
                ])
                events.append([
                    "id": "m\(n)", "type": "message.create",
                    "body": [
                        "conversationId": id.lowercasedString, "role": "USER", "createdAt": created,
                        "content": "everywhere \(n < 2 ? "scarce" : "plenty") words",
                    ],
                ])
            }
            let batch = try await service.request(.post, "/v1/batch", json: TestService.json(["events": events]))
            #expect(batch.status.code == 207 && !batch.text.contains("\"error\""))
            try await service.indexSearch()

            func all(_ q: String, limit: Int) async throws -> [UUID] {
                var found: [UUID] = []
                var cursor: String?
                repeat {
                    let page = try await service.request(
                        .get, "/v1/conversations?q=\(q)&limit=\(limit)\(cursor.map { "&cursor=\($0)" } ?? "")", key: service.tenant.adminKey)
                    #expect(page.status == .ok)
                    found += (page.object["conversations"] as? [[String: Any]] ?? []).compactMap {
                        ($0["id"] as? String).flatMap(UUID.init(uuidString:))
                    }
                    cursor = page.object["nextCursor"] as? String
                } while cursor != nil
                return found
            }
            #expect(try await all("scarce", limit: 5) == [ids[1], ids[0]])
            #expect(try await all("everywhere", limit: 7) == ids.reversed())
            #expect(try await all("plenty", limit: 50) == Array(ids[2...].reversed()))
            #expect(try await all("everywhere%20scarce", limit: 3) == [ids[1], ids[0]])
        }
    }

    @Test func theBackgroundIndexerMakesMessagesSearchableWithinSeconds() async throws {
        try await TestService.run(suite: Self.suite, searchIndexInterval: .milliseconds(50)) { service in
            let word = "w\(UUID().uuidString.prefix(8).lowercased())"
            let id = try await Self.conversation(service, ["fresh \(word) content"])
            let written = ContinuousClock.now
            var found: Set<UUID> = []
            while found.isEmpty, ContinuousClock.now - written < .seconds(10) {
                found = try await Self.search(service, word)
                if found.isEmpty { try await Task.sleep(for: .milliseconds(20)) }  // polling the answer, with a deadline
            }
            #expect(found == [id], "searchable within 10 s of the write")
            let waited = ContinuousClock.now - written
            #expect(waited < .seconds(10))
        }
    }

    @Test func severalIndexersIndexEachMessageOnce() async throws {
        try await TestService.run(suite: Self.suite) { service in
            var conversations: [UUID] = []
            for n in 0..<20 {
                conversations.append(try await Self.conversation(service, (0..<10).map { "message \(n) \($0) racing indexers" }))
            }
            let indexers = (0..<4).map { _ in SearchIndexer(pool: service.pool, interval: .seconds(1), batchSize: 7, logger: TestService.logger) }
            let taken = try await withThrowingTaskGroup(of: Int.self) { group in
                for indexer in indexers { group.addTask { try await indexer.indexQueued() } }
                return try await group.reduce(0, +)
            }
            #expect(taken >= 200)
            let rows = try await service.database.query(
                """
                SELECT count(*), count(DISTINCT message_id) FROM llm_message_search WHERE conversation_id = ANY(\(conversations))
                """
            )[0].decode((Int, Int).self)
            #expect(rows == (200, 200))
            #expect(try await Self.search(service, "racing").count == 20)
        }
    }

    @Test func theIndexFollowsRetentionErasureAndContentFreeMode() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let admin = service.tenant.adminKey
            let kept = try await Self.conversation(service, userId: "keep", ["lifecycle words"])
            let erased = try await Self.conversation(service, userId: "gone", ["lifecycle words"])
            try await service.indexSearch()
            #expect(try await Self.search(service, "lifecycle") == [kept, erased])

            // Erasing a user takes its messages out of the index with them.
            #expect(try await service.request(.delete, "/v1/users/gone", key: admin).status.code < 300)
            #expect(try await Self.search(service, "lifecycle") == [kept])

            // Content-free: nothing is queued, nothing found.
            _ = try await service.request(.patch, "/v1/tenant/settings", json: #"{"storeContent": false}"#, key: admin)
            let free = try await Self.conversation(service, ["lifecycle words unseen"])
            let queued = try await service.database.query(
                "SELECT count(*) FROM llm_search_queue q JOIN llm_messages m ON m.tenant_id = q.tenant_id AND m.id = q.message_id WHERE m.conversation_id = \(free)"
            )[0].decode(Int.self, column: 0)
            #expect(queued == 0)
            _ = try await service.request(.patch, "/v1/tenant/settings", json: #"{"storeContent": true}"#, key: admin)

            // Content retention clears content and its index entries; removal deletes them with the messages.
            _ = try await service.request(.patch, "/v1/tenant/settings", json: #"{"contentRetentionDays": 5}"#, key: admin)
            let retention = Retention(pool: service.pool, logger: TestService.logger)
            _ = try await retention.runOnce(now: Date().addingTimeInterval(6 * 86_400))
            #expect(try await Self.search(service, "lifecycle").isEmpty)
            let left = try await service.database.query(
                "SELECT count(*) FROM llm_message_search WHERE tenant_id = \(service.tenant.tenantId)")[0].decode(Int.self, column: 0)
            #expect(left == 0)
        }
    }

    @Test func messagesStoredBeforeSearchExistedAreIndexed() async throws {
        let database = try await TestDatabase.database(for: "search-backfill")
        let all = try Migrator.bundled()
        let before = all.filter { $0.version < 16 }
        #expect(before.count == 15)
        try await Migrator(migrations: before, logger: TestService.logger).migrate(database)
        let connection = try await PGConnection.connect(database)
        let tenant = UUID()
        let conversation = UUID()
        _ = try await connection.query("INSERT INTO tenants (id, name) VALUES (\(tenant), \("backfill-\(tenant)"))")
        _ = try await connection.query(
            """
            INSERT INTO llm_conversations (tenant_id, id, type, provider, model, status, request_hash, created_at, updated_at)
            VALUES (\(tenant), \(conversation), 'CHAT', 'openai', 'gpt-4o', 'ACTIVE', '\\x00', now(), now())
            """)
        for (index, text) in ["an older message about otters", ""].enumerated() {
            _ = try await connection.query(
                """
                INSERT INTO llm_messages (tenant_id, id, conversation_id, role, content, provider, model, cost_source, message_index,
                                          request_hash, created_at)
                VALUES (\(tenant), \(UUID()), \(conversation), 'USER', \(text), 'openai', 'gpt-4o', 'unpriced', \(Int32(index)), '\\x00', now())
                """)
        }
        try await Migrator(logger: TestService.logger).migrate(database)
        let queued = try await connection.query("SELECT count(*) FROM llm_search_queue WHERE tenant_id = \(tenant)")[0].decode(Int.self, column: 0)
        #expect(queued == 1, "the message with content, not the empty one")
        await connection.close()
        try await TestService.run(suite: "search-backfill") { service in
            try await service.indexSearch()
            let found = try await service.database.query(
                "SELECT conversation_id FROM llm_message_search WHERE tenant_id = \(tenant) AND document @@ to_tsquery('simple', 'otter:*')")
            #expect(try found.map { try $0.decode(UUID.self, column: 0) } == [conversation])
        }
    }
}
