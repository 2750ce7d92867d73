import Analytics
import Foundation
import HTTPTypes
import HummingbirdTesting
import LLMLogService
import PGClient
import PGTestSupport
import Testing

/// What one tenant, with its own ingest key, can do to the shared service: overflow counters, poison a shared
/// flush, grow a conversation's metadata, fill the write queue, make answers huge. Each attempt fails for that
/// tenant alone, with a clear 4xx, and never takes the process or another tenant's writes with it.
@Suite struct HostileTenantTests {
    static let suite = "hostile-tenants"

    static func conversation(_ service: TestService, key: String) async throws -> ConversationRecord {
        try await service.request(
            .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "u"}"#, key: key
        )
        .decode(ConversationRecord.self)
    }

    static func message(_ tenantId: UUID, _ conversationId: UUID, _ json: String) throws -> WriteOperation {
        let request = try APIJSON.decoder().decode(MessageCreateRequest.self, from: Data(json.utf8))
        let id = UUID()
        return .createMessage(
            tenantId: tenantId, conversationId: conversationId, id: id, request: request,
            requestHash: Data(id.uuidString.utf8), receivedAt: Date())
    }

    static func count(_ service: TestService, messagesOf conversation: UUID) async throws -> Int {
        try await service.database.query("SELECT count(*) FROM llm_messages WHERE conversation_id = \(conversation)")[0].decode(Int.self, column: 0)
    }

    /// A rollup row one tenant pushed to the edge of bigint makes PostgreSQL fail the shared flush; the flush is split
    /// until that write stands alone, and every other tenant's write of the same flush commits.
    @Test func poisonWriteFailsAloneAmongOtherTenantsWrites() async throws {
        var options = IngestWriter.Options()
        options.lanes = 1
        try await TestService.run(suite: Self.suite, writerOptions: options) { service in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let mine = try await Self.conversation(service, key: service.tenant.ingestKey)
            let theirs = try await Self.conversation(service, key: other.ingestKey)
            #expect(
                try await service.request(
                    .post, "/v1/conversations/\(mine.id)/messages", json: #"{"role": "USER", "content": "a", "inputTokens": 1}"#
                ).status == .created)
            try await service.database.query(
                "UPDATE llm_usage_daily_tenant SET total_tokens = 9223372036854775800 WHERE tenant_id = \(service.tenant.tenantId)")

            let operations = [
                try Self.message(other.tenantId, theirs.id, #"{"role": "USER", "content": "b1", "inputTokens": 5}"#),
                try Self.message(service.tenant.tenantId, mine.id, #"{"role": "USER", "content": "poison", "inputTokens": 1000}"#),
                try Self.message(other.tenantId, theirs.id, #"{"role": "ASSISTANT", "content": "b2", "outputTokens": 7}"#),
                try Self.message(service.tenant.tenantId, mine.id, #"{"role": "USER", "content": "no usage"}"#),
            ]
            let outcomes = await service.writer.submit(operations)
            #expect(outcomes.count == 4)
            for position in [0, 2, 3] {
                guard case .success(.message(_, created: true)) = outcomes[position] else {
                    Issue.record("operation \(position): \(outcomes[position])")
                    continue
                }
            }
            guard case .failure(let error) = outcomes[1] else {
                Issue.record("the poison write succeeded")
                return
            }
            #expect(error.status == .conflict && error.code == "counter_overflow")
            #expect(try await Self.count(service, messagesOf: theirs.id) == 2)
            #expect(try await Self.count(service, messagesOf: mine.id) == 2)  // the first and "no usage"
            // The service still writes, for both tenants.
            #expect(
                try await service.request(
                    .post, "/v1/conversations/\(theirs.id)/messages", json: #"{"role": "USER", "content": "c"}"#,
                    key: other.ingestKey
                ).status == .created)
        }
    }

    /// A conversation whose derived token total nears 2^63 − 1: the message that would overflow it is a 409; the
    /// process lives (before, it trapped and took every tenant's in-flight writes with it).
    @Test func conversationTotalsCannotOverflow() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await Self.conversation(service, key: service.tenant.ingestKey)
            let nearlyFull = Int64.max - 50
            try await service.database.query("UPDATE llm_conversations SET total_tokens_used = \(nearlyFull) WHERE id = \(conversation.id)")
            let path = "/v1/conversations/\(conversation.id)/messages"
            let overflowing = try await service.request(.post, path, json: #"{"role": "ASSISTANT", "content": "x", "outputTokens": 100}"#)
            #expect(overflowing.status == .conflict && overflowing.errorCode == "counter_overflow" && overflowing.errorField == "totalTokens")
            let fitting = try await service.request(.post, path, json: #"{"role": "ASSISTANT", "content": "y", "outputTokens": 50}"#)
            #expect(fitting.status == .created)
            let stored = try await service.request(.get, "/v1/conversations/\(conversation.id)", key: service.tenant.adminKey).decode(
                ConversationRecord.self)
            #expect(stored.totalTokensUsed == Int64.max && stored.messageCount == 1)
        }
    }

    /// Report figures are sums of rollup rows that clients filled: past 2^63 − 1 they stop there, in SQL and in Swift.
    @Test func reportSumsStopAtTheBoundInsteadOfFailing() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let tenant = service.tenant.tenantId
            for daysAgo in [1, 2, 3] {
                let day = Date().addingTimeInterval(-86_400 * Double(daysAgo))
                for lane in [0, 1] {
                    try await service.database.query(
                        """
                        INSERT INTO llm_usage_daily_tenant (tenant_id, day, provider, model, type, lane, messages, input_tokens,
                            total_tokens, processing_time_count, processing_time_sum, processing_time_histogram)
                        VALUES (\(tenant), (\(day) AT TIME ZONE 'UTC')::date, 'openai', 'gpt-4o', 'CHAT', \(Int16(lane)),
                                9000000000000000000, 9000000000000000000, 9000000000000000000, 9000000000000000000, 9000000000000000000,
                                ARRAY[0, 9000000000000000000]::bigint[])
                        """)
                }
            }
            let usage = try await service.request(.get, "/v1/analytics/usage?days=7", key: service.tenant.adminKey)
            #expect(usage.status == .ok)
            let totals = usage.object["totals"] as? [String: Any]
            #expect((totals?["totalTokens"] as? NSNumber)?.int64Value == Int64.max)
            #expect((totals?["messages"] as? NSNumber)?.int64Value == Int64.max)
            let latency = try await service.request(.get, "/v1/analytics/latency?days=7", key: service.tenant.adminKey)
            #expect(latency.status == .ok)
            let models = latency.object["models"] as? [[String: Any]]
            #expect((models?.first?["timedMessages"] as? NSNumber)?.int64Value == Int64.max)
        }
    }

    /// Model names and types are the client's: 21,000 made-up models answer a report of the 1,000 largest, with
    /// totals still exact, and read no more rows into memory than the bound (past it, histograms add up in SQL).
    @Test func reportsStayBoundedWhateverNamesClientsChoose() async throws {
        try await TestService.run(suite: Self.suite) { service in
            try await service.database.query(
                """
                INSERT INTO llm_usage_daily_tenant (tenant_id, day, provider, model, type, lane, conversations, messages,
                    total_tokens, cost, processing_time_count, processing_time_sum, processing_time_histogram)
                SELECT \(service.tenant.tenantId), (now() AT TIME ZONE 'UTC')::date - 1, 'made-up', 'model-' || i, 'TYPE_' || i, 0,
                       1, 1, i, i / 1000.0, 1, 100, array_fill(0::bigint, ARRAY[27]) || 1::bigint
                FROM generate_series(1, 21000) AS i
                """)
            let usage = try await service.request(.get, "/v1/analytics/usage?days=7", key: service.tenant.adminKey)
            #expect(usage.status == .ok)
            let totals = usage.object["totals"] as? [String: Any]
            #expect((totals?["messages"] as? NSNumber)?.int64Value == 21000)
            #expect((totals?["totalTokens"] as? NSNumber)?.int64Value == Int64(21000 * 21001 / 2))
            #expect(totals?["p95ProcessingTime"] as? Double != nil)
            let models = usage.object["byModel"] as? [[String: Any]] ?? []
            #expect(models.count == ReportBounds.maxGroups)
            #expect(models.first?["model"] as? String == "model-21000")
            #expect((usage.object["byType"] as? [[String: Any]])?.count == ReportBounds.maxGroups)
            let latency = try await service.request(.get, "/v1/analytics/latency?days=7", key: service.tenant.adminKey)
            #expect(latency.status == .ok)
            let timed = latency.object["models"] as? [[String: Any]] ?? []
            #expect(timed.count == ReportBounds.maxGroups)
            #expect(timed.allSatisfy { ($0["timedMessages"] as? NSNumber)?.int64Value == 1 && $0["p50ProcessingTime"] as? Double != nil })
        }
    }

    /// The attack as reported: 1,000 events of one batch all name one stored 1 MB message. Each is answered (a 409:
    /// same id, other body) from an idempotency check that reads the id once and no content; an exact retry of the
    /// stored message is still answered with its whole record, read back by the route.
    @Test func retriesOfAStoredMessageReadOnlyWhatTheDecisionNeeds() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await Self.conversation(service, key: service.tenant.ingestKey)
            let id = UUID()
            let content = String(repeating: "m", count: 1_000_000)
            let body = TestService.json(["id": id.uuidString, "role": "USER", "content": content])
            let first = try await service.request(.post, "/v1/conversations/\(conversation.id)/messages", json: body)
            #expect(first.status == .created)
            let events = (0..<1000).map { index in
                #"{"id": "e\#(index)", "type": "message.create", "body": {"id": "\#(id)", "conversationId": "\#(conversation.id)", "role": "USER", "content": "x"}}"#
            }
            let batch = try await service.request(.post, "/v1/batch", json: #"{"events": [\#(events.joined(separator: ","))]}"#)
            #expect(batch.status.code == 207)
            let results = batch.object["results"] as? [[String: Any]] ?? []
            #expect(results.count == 1000)
            #expect(
                results.allSatisfy { $0["status"] as? Int == 409 && ($0["error"] as? [String: Any])?["code"] as? String == "idempotency_conflict" })
            let replay = try await service.request(.post, "/v1/conversations/\(conversation.id)/messages", json: body)
            #expect(replay.status == .created)
            let record = try replay.decode(MessageRecord.self)
            let original = try first.decode(MessageRecord.self)
            #expect(record.id == id && record.content == content && record == original)
            #expect(try await Self.count(service, messagesOf: conversation.id) == 1)
        }
    }

    /// Each PATCH's metadata is limited, and so is what the PATCHes add up to.
    @Test func mergedMetadataStaysWithinTheLimit() async throws {
        var limits = IngestLimits()
        limits.maxMetadataBytes = 64 * 1024
        try await TestService.run(suite: Self.suite, limits: limits) { service in
            let conversation = try await Self.conversation(service, key: service.tenant.ingestKey)
            let path = "/v1/conversations/\(conversation.id)"
            let large = String(repeating: "v", count: 40_000)
            #expect(try await service.request(.patch, path, json: TestService.json(["metadata": ["k0": large]])).status == .ok)
            let grown = try await service.request(.patch, path, json: TestService.json(["metadata": ["k1": large]]))
            #expect(grown.status == .contentTooLarge && grown.errorField == "metadata" && grown.errorCode == "too_large")
            var stored = try await service.request(.get, path, key: service.tenant.adminKey).decode(ConversationRecord.self)
            #expect(stored.metadata == .object(["k0": .string(large)]))
            // Replacing a key keeps the object within the limit.
            #expect(try await service.request(.patch, path, json: TestService.json(["metadata": ["k0": "small"]])).status == .ok)
            #expect(try await service.request(.patch, path, json: TestService.json(["metadata": ["k1": large]])).status == .ok)
            stored = try await service.request(.get, path, key: service.tenant.adminKey).decode(ConversationRecord.self)
            #expect(stored.metadata == .object(["k0": .string("small"), "k1": .string(large)]))
        }
    }

    /// A tenant with its share of the write queue waiting gets 429 for more; another tenant is still admitted.
    @Test func oneTenantCannotTakeTheWholeWriteQueue() async throws {
        var options = IngestWriter.Options()
        options.lanes = 1
        options.queueCapacity = 100
        options.tenantQueueLimit = 10
        try await TestService.run(suite: Self.suite, writerOptions: options) { service in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let blocked = try await Self.conversation(service, key: service.tenant.ingestKey)
            let mine = try await Self.conversation(service, key: service.tenant.ingestKey)
            let theirs = try await Self.conversation(service, key: other.ingestKey)
            // Hold the only lane: a flush that waits for a row lock the test holds.
            let lock = try await PGConnection.connect(TestDatabase.database(for: Self.suite))
            try await lock.query("BEGIN")
            try await lock.query("SELECT 1 FROM llm_conversations WHERE id = \(blocked.id) FOR UPDATE")
            let lockHolder = try await lock.query("SELECT pg_backend_pid()")[0].decode(Int32.self, column: 0)
            let writer = service.writer, tenant = service.tenant.tenantId
            let held = Task { await writer.submit(try! Self.message(tenant, blocked.id, #"{"role": "USER", "content": "held"}"#)) }
            try await Self.waitUntil {
                let waiting = try await Self.waiters(on: lockHolder, service)
                return writer.queueDepth == 0 && waiting > 0
            }
            let queued = Task {
                await writer.submit(try! (0..<10).map { _ in try Self.message(tenant, mine.id, #"{"role": "USER", "content": "q"}"#) })
            }
            try await Self.waitUntil { writer.queueDepth == 10 }
            // Over its share: refused at once, before anything is queued.
            let refused = await writer.submit(try Self.message(tenant, mine.id, #"{"role": "USER", "content": "one too many"}"#))
            guard case .failure(let error) = refused else {
                Issue.record("admitted past the share")
                return
            }
            #expect(error.status == .tooManyRequests && error.code == "write_share_exceeded" && error.retryAfterSeconds == 1)
            let otherTenant = Task {
                await writer.submit(try! (0..<5).map { _ in try Self.message(other.tenantId, theirs.id, #"{"role": "USER", "content": "b"}"#) })
            }
            try await Self.waitUntil { writer.queueDepth == 15 }
            try await lock.query("COMMIT")
            await lock.close()
            if case .failure(let error) = await held.value { Issue.record("held write failed: \(error)") }
            #expect(await queued.value.allSatisfy { if case .success = $0 { true } else { false } })
            #expect(await otherTenant.value.allSatisfy { if case .success = $0 { true } else { false } })
            #expect(try await Self.count(service, messagesOf: theirs.id) == 5)
            // A call larger than the share is admitted when the tenant has nothing queued (it cannot be split).
            let large = await writer.submit(try (0..<12).map { _ in try Self.message(tenant, mine.id, #"{"role": "USER", "content": "l"}"#) })
            #expect(large.allSatisfy { if case .success = $0 { true } else { false } })
        }
    }

    /// A tenant with its share of reads running gets 429 for more, before it takes a pooled connection; another
    /// tenant's reads are still admitted.
    @Test func oneTenantCannotHoldEveryReadConnection() async throws {
        try await TestService.run(suite: Self.suite, tenantReadLimit: 2) { service in
            let share = service.readShare
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let lock = try await PGConnection.connect(TestDatabase.database(for: Self.suite))
            try await lock.query("BEGIN")
            try await lock.query("LOCK TABLE llm_conversations IN ACCESS EXCLUSIVE MODE")  // every read waits
            let holder = try await lock.query("SELECT pg_backend_pid()")[0].decode(Int32.self, column: 0)
            let admin = service.tenant.adminKey
            let slow = (0..<2).map { _ in Task { try await service.request(.get, "/v1/conversations", key: admin).status } }
            try await Self.waitUntil {
                let waiting = try await Self.waiters(on: holder, service)
                return share.inFlight(.tenant(service.tenant.tenantId)) == 2 && waiting >= 2
            }
            let refused = try await service.request(.get, "/v1/analytics/usage", key: admin)
            #expect(refused.status == .tooManyRequests && refused.errorCode == "read_share_exceeded" && refused.headers[.retryAfter] == "1")
            let theirs = Task { try await service.request(.get, "/v1/conversations", key: other.adminKey).status }
            try await Self.waitUntil { share.inFlight(.tenant(other.tenantId)) == 1 }
            try await lock.query("COMMIT")
            await lock.close()
            for task in slow { #expect(try await task.value == .ok) }
            #expect(try await theirs.value == .ok)
            #expect(share.inFlight(.tenant(service.tenant.tenantId)) == 0)
        }
    }

    /// Backends waiting for a lock that `holder` holds.
    static func waiters(on holder: Int32, _ service: TestService) async throws -> Int {
        try await service.database.query("SELECT count(*) FROM pg_stat_activity WHERE \(holder) = ANY (pg_blocking_pids(pid))")[0]
            .decode(Int.self, column: 0)
    }

    /// Polls `condition` every 10 ms for up to 10 s (the writer and PostgreSQL report their state; there is no event).
    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A provider call's history becomes one message per entry: it is limited like a batch.
    @Test func providerHistoryIsLimitedLikeABatch() async throws {
        var limits = IngestLimits()
        limits.maxBatchEvents = 5
        try await TestService.run(suite: Self.suite, limits: limits) { service in
            func call(historyLength: Int) async throws -> TestResponse {
                let history = (0..<historyLength).map { ["role": $0 % 2 == 0 ? "user" : "assistant", "content": "turn \($0)"] }
                let body: [String: Any] = [
                    "type": "CHAT", "request": ["model": "gpt-4o", "messages": history],
                    "response": ProviderIngestTests.openAIChatResponse(content: "ok", prompt: 10, cached: 0, completion: 2, reasoning: 0),
                ]
                return try await service.request(.post, "/v1/ingest/openai", json: TestService.json(body))
            }
            let tooLong = try await call(historyLength: 5)
            #expect(tooLong.status == .contentTooLarge && tooLong.errorCode == "too_many_messages" && tooLong.errorField == "request.messages")
            #expect(try await call(historyLength: 4).status == .created)
        }
    }
}
