import Foundation
import Hummingbird
import HummingbirdTesting
import LLMLogService
import Logging
import PGClient
import PGTestSupport
import Testing

@Suite struct OutageAndInstancesTests {
    @Test func databaseDownGives503WithRetryAfterAndRecovers() async throws {
        // Its own cluster: stopping the shared one would disturb the other suites.
        let cluster = try await PGLocalCluster.startTemporary(settings: ["fsync": "off"])
        defer { cluster.stop() }
        var writer = IngestWriter.Options()
        writer.retryWindow = .seconds(1)
        try await TestService.run(
            suite: "outage", database: cluster.configuration(), writerOptions: writer,
            poolSize: 4, poolTimeout: .seconds(1)
        ) { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            let path = "/v1/conversations/\(conversation.id)/messages"
            // A user token is verified without the database, so its reads reach the routes while it is down.
            let token = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "u", ttl: 600).token
            try await cluster.stopKeepingData()
            for uri in ["/v1/conversations", "/v1/conversations/\(conversation.id)", "/v1/analytics/usage", "/v1/analytics/latency"] {
                let read = try await service.request(.get, uri, key: token)
                #expect(read.status == .serviceUnavailable && read.headers[.retryAfter] != nil && read.errorCode == "unavailable", "\(uri)")
            }
            let start = ContinuousClock.now
            let down = try await service.request(.post, path, json: #"{"role": "USER", "content": "while down"}"#)
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers[.retryAfter] != nil)
            #expect(down.errorCode == "unavailable")
            let notReady = try await service.request(.get, "/readyz", key: "")
            #expect(notReady.status == .serviceUnavailable)
            try await cluster.startAgain()
            // Back without a service restart: the pool replaces its dead connections.
            let up = try await service.request(.post, path, json: #"{"role": "USER", "content": "after"}"#)
            #expect(up.status == .created)
            #expect(try up.decode(MessageRecord.self).messageIndex == 0)
        }
    }

    /// Two service instances (two pools, two writers) on one database write the same ids at the same time:
    /// everything is stored once and both get the same answers.
    @Test func twoInstancesWritingTheSameIdsStoreThemOnce() async throws {
        let configuration = try await TestDatabase.database(for: "instances")
        try await Migrator(logger: Logger(label: "test")).migrate(configuration)
        let setupPool = PGPool(configuration: configuration, options: .init(maxConnections: 2))
        let tenant = try await TenantStore(pool: setupPool).createTenant(name: "instances-\(UUID().uuidString.prefix(6))")
        await setupPool.close()
        func instance() async throws -> (IngestWriter, Task<Void, Error>, PGPool) {
            let pool = PGPool(configuration: configuration, options: .init(maxConnections: 4))
            let prices = PriceBook()
            try await prices.reload(from: pool)
            let writer = IngestWriter(pool: pool, prices: prices, logger: Logger(label: "test"))
            return (writer, Task { try await writer.run() }, pool)
        }
        let (first, firstLoop, firstPool) = try await instance()
        let (second, secondLoop, secondPool) = try await instance()
        let conversationID = UUID()
        let create = try APIJSON.decoder().decode(
            ConversationCreateRequest.self,
            from: Data(
                #"{"id": "\#(conversationID)", "userId": "u", "type": "CHAT", "provider": "openai", "model": "gpt-4o-mini"}"#.utf8))
        let now = Date().roundedToMicroseconds
        var operations: [WriteOperation] = [
            .createConversation(
                tenantId: tenant.tenantId, id: conversationID, request: create,
                requestHash: Data("c".utf8), receivedAt: now)
        ]
        for n in 0..<40 {
            let message = try APIJSON.decoder().decode(
                MessageCreateRequest.self, from: Data(#"{"role": "USER", "content": "m\#(n)", "inputTokens": \#(n)}"#.utf8))
            operations.append(
                .createMessage(
                    tenantId: tenant.tenantId, conversationId: conversationID, id: UUID(), request: message,
                    requestHash: Data("m\(n)".utf8), receivedAt: now))
        }
        async let a = first.submit(operations)
        async let b = second.submit(operations)
        let (fromFirst, fromSecond) = await (a, b)
        for (x, y) in zip(fromFirst, fromSecond) {
            let left = try x.get(), right = try y.get()
            switch (left, right) {
            case (.message(let l, _), .message(let r, _)): #expect(l == r)
            // The instance whose flush came second answers from what the first stored (the writer reads no content back).
            case (.message(let l, _), .replayedMessage(let r)), (.replayedMessage(let r), .message(let l, _)):
                #expect(l.id == r.id && l.messageIndex == r.messageIndex && l.role == r.role && l.conversationId == r.conversationId)
            case (.conversation(let l, _), .conversation(let r, _)): #expect(l.id == r.id)
            default: Issue.record("different kinds of answers")
            }
        }
        let check = try await PGConnection.connect(configuration)
        let stored = try await check.query(
            """
            SELECT (SELECT count(*) FROM llm_messages WHERE tenant_id = \(tenant.tenantId)),
                   (SELECT count(DISTINCT message_index) FROM llm_messages WHERE tenant_id = \(tenant.tenantId)),
                   (SELECT sum(messages) FROM llm_usage_hourly WHERE tenant_id = \(tenant.tenantId)),
                   (SELECT sum(conversations) FROM llm_usage_hourly WHERE tenant_id = \(tenant.tenantId)),
                   (SELECT message_count FROM llm_conversations WHERE tenant_id = \(tenant.tenantId) AND id = \(conversationID))
            """)[0].decode((Int, Int, Int64, Int64, Int).self)
        #expect(stored == (40, 40, 40, 1, 40))
        await check.close()
        first.stop()
        second.stop()
        _ = try await (firstLoop.value, secondLoop.value)
        await firstPool.close()
        await secondPool.close()
    }
}

/// Two instances as `llmlog serve` builds them, on one database, under concurrent load: each claims rollup lanes of
/// its own (so they never add into the same rows), and the rollups still add up exactly to what was stored.
@Suite struct InstanceLaneTests {
    @Test func twoInstancesUnderLoadAddIntoLanesOfTheirOwnAndStayExact() async throws {
        try await TestService.run(suite: "instance-lanes") { a in
            try await TestService.run(suite: "instance-lanes") { b in
                let lanes = IngestWriter.Options().lanes
                let baseA = a.writer.laneBase, baseB = b.writer.laneBase
                #expect(baseA != baseB && baseA % lanes == 0 && baseB % lanes == 0)
                let key = a.tenant.ingestKey
                var conversations: [UUID] = []
                for _ in 0..<8 {
                    let created = try await a.request(
                        .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "u"}"#, key: key)
                    conversations.append(try #require(UUID(uuidString: created.object["id"] as? String ?? "")))
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, conversation) in conversations.enumerated() {
                        for instance in [a, b] {
                            group.addTask {
                                for n in 0..<10 {
                                    let body = #"{"role": "USER", "content": "m\#(n)", "inputTokens": \#(index + 1), "outputTokens": 1}"#
                                    let response = try await instance.request(
                                        .post, "/v1/conversations/\(conversation)/messages", json: body, key: key)
                                    #expect(response.status == .created)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let tenant = a.tenant.tenantId
                let (stored, tokens, rolledMessages, rolledTokens) = try await a.database.query(
                    """
                    SELECT (SELECT count(*) FROM llm_messages WHERE tenant_id = \(tenant)),
                           (SELECT sum(total_tokens) FROM llm_messages WHERE tenant_id = \(tenant))::bigint,
                           (SELECT sum(messages) FROM llm_usage_hourly WHERE tenant_id = \(tenant))::bigint,
                           (SELECT sum(total_tokens) FROM llm_usage_daily_tenant WHERE tenant_id = \(tenant))::bigint
                    """)[0].decode((Int, Int64, Int64, Int64).self)
                #expect(stored == 160 && rolledMessages == 160 && rolledTokens == tokens)
                // Every conversation's totals are its messages' sums, and both rollups hold the same cost, counts and
                // tokens as the messages (exact decimals), summed over both instances' lanes.
                let (wrongTotals, cost, hourlyCost, dailyCost, hourlyConversations, dailyMessages) = try await a.database.query(
                    """
                    SELECT (SELECT count(*) FROM llm_conversations c,
                              LATERAL (SELECT count(*) AS n, coalesce(sum(m.total_tokens), 0)::bigint AS tokens,
                                              coalesce(sum(m.cost), 0) AS cost
                                       FROM llm_messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id) s
                            WHERE c.tenant_id = \(tenant)
                              AND (c.message_count::bigint, c.total_tokens_used, c.total_cost) IS DISTINCT FROM (s.n, s.tokens, s.cost)),
                           (SELECT sum(cost) FROM llm_messages WHERE tenant_id = \(tenant)),
                           (SELECT sum(cost) FROM llm_usage_hourly WHERE tenant_id = \(tenant)),
                           (SELECT sum(cost) FROM llm_usage_daily_tenant WHERE tenant_id = \(tenant)),
                           (SELECT sum(conversations) FROM llm_usage_hourly WHERE tenant_id = \(tenant))::bigint,
                           (SELECT sum(messages) FROM llm_usage_daily_tenant WHERE tenant_id = \(tenant))::bigint
                    """)[0].decode((Int, Decimal, Decimal, Decimal, Int64, Int64).self)
                #expect(wrongTotals == 0)
                #expect(cost > 0 && hourlyCost == cost && dailyCost == cost)
                #expect(hourlyConversations == 8 && dailyMessages == 160)
                // And the usage API, through either instance, answers the same figures.
                for instance in [a, b] {
                    let usage = try await instance.request(.get, "/v1/analytics/usage?days=1", key: a.tenant.adminKey)
                    let totals = usage.object["totals"] as? [String: Any]
                    #expect(totals?["messages"] as? Int == 160 && totals?["conversations"] as? Int == 8)
                    #expect((totals?["totalTokens"] as? NSNumber)?.int64Value == tokens)
                }
                let usedLanes = Set(
                    try await a.database.query(
                        "SELECT DISTINCT lane::int FROM llm_usage_hourly WHERE tenant_id = \(tenant) AND messages > 0"
                    ).map { try $0.decode(Int.self, column: 0) })
                let lanesA = Set(baseA..<baseA + lanes), lanesB = Set(baseB..<baseB + lanes)
                #expect(usedLanes.isSubset(of: lanesA.union(lanesB)))
                #expect(!usedLanes.isDisjoint(with: lanesA) && !usedLanes.isDisjoint(with: lanesB))
            }
        }
    }
}

@Suite struct WriterShutdownTests {
    /// Stopping the writer refuses new writes with 503 but writes everything it had accepted.
    @Test func stopWritesWhatWasAccepted() async throws {
        let configuration = try await TestDatabase.database(for: "shutdown")
        try await Migrator(logger: Logger(label: "test")).migrate(configuration)
        let pool = PGPool(configuration: configuration, options: .init(maxConnections: 2))
        let tenant = try await TenantStore(pool: pool).createTenant(name: "shutdown-\(UUID().uuidString.prefix(6))")
        var options = IngestWriter.Options()
        options.flushInterval = .milliseconds(200)  // keep accepted work queued while we stop
        let writer = IngestWriter(pool: pool, prices: PriceBook(), options: options, logger: Logger(label: "test"))
        let loop = Task { try await writer.run() }
        let now = Date().roundedToMicroseconds
        let operations: [WriteOperation] = try (0..<20).map { n in
            let create = try APIJSON.decoder().decode(
                ConversationCreateRequest.self,
                from: Data(
                    #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "title": "c\#(n)"}"#.utf8))
            return .createConversation(tenantId: tenant.tenantId, id: UUID(), request: create, requestHash: Data([UInt8(n)]), receivedAt: now)
        }
        let accepted = Task { await writer.submit(operations) }
        while writer.queueDepth < 20 { await Task.yield() }
        writer.stop()
        let refused = await writer.submit(operations[0])
        #expect(throws: APIError.self) { try refused.get() }
        #expect((try? refused.get()) == nil)
        if case .failure(let error) = refused { #expect(error.status == .serviceUnavailable && error.retryAfterSeconds != nil) }
        let outcomes = await accepted.value
        #expect(outcomes.allSatisfy { (try? $0.get()) != nil })
        try await loop.value
        let stored = try await pool.query("SELECT count(*) FROM llm_conversations WHERE tenant_id = \(tenant.tenantId)")[0].decode(
            Int.self, column: 0)
        #expect(stored == 20)
        await pool.close()
    }
}
