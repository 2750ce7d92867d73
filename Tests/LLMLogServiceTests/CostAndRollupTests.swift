import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

@Suite struct CostAndRollupTests {
    static let suite = "costrollup"

    @Test func computedCostIsPriceTimesTokensExactly() async throws {
        try await TestService.run(suite: Self.suite) { service in
            // A tenant price with awkward decimals, effective from 2026-01-01, and an older one before it.
            let tenant = service.tenant.tenantId
            try await service.database.query(
                """
                INSERT INTO model_prices (tenant_id, provider, model_pattern, input_per_mtok, cached_input_per_mtok,
                    cache_creation_per_mtok, output_per_mtok, reasoning_per_mtok, effective_from, source)
                VALUES (\(tenant), 'acme', 'acme-%', 1.234567, 0.123457, 1.543209, 9.876543, 19.753086, '2026-01-01', 'test'),
                       (\(tenant), 'acme', 'acme-%', 100, NULL, NULL, 100, NULL, '2020-01-01', 'test')
                """)
            try await service.writer.prices.reload(from: service.pool)
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "acme", "model": "acme-large-2"}"#
            )
            .decode(ConversationRecord.self)
            let body = TestService.json([
                "role": "ASSISTANT", "content": "x", "inputTokens": 123_457, "cachedInputTokens": 98_765,
                "cacheCreationInputTokens": 4321, "outputTokens": 6789, "reasoningTokens": 1011,
                "createdAt": "2026-06-01T00:00:00Z",
            ])
            let message = try await service.request(.post, "/v1/conversations/\(conversation.id)/messages", json: body).decode(MessageRecord.self)
            let expected =
                (Decimal(123_457) * Decimal(string: "1.234567")! + Decimal(98_765) * Decimal(string: "0.123457")!
                    + Decimal(4321) * Decimal(string: "1.543209")! + Decimal(6789) * Decimal(string: "9.876543")!
                    + Decimal(1011) * Decimal(string: "19.753086")!) / 1_000_000
            #expect(message.costSource == .computed)
            #expect(message.cost == expected)
            let expectedTotal: Int64 = 234_343  // 123457 + 98765 + 4321 + 6789 + 1011
            #expect(message.totalTokens == expectedTotal)
            // The database holds the exact same number (numeric, no float on the way).
            let stored = try await service.database.query("SELECT cost::text FROM llm_messages WHERE tenant_id = \(tenant) AND id = \(message.id)")[0]
                .decode(String.self, column: 0)
            #expect(Decimal(string: stored) == expected)
            // Before 2026 the older price applies; a provided cost is kept as given.
            let old = try await service.request(
                .post, "/v1/conversations/\(conversation.id)/messages",
                json: TestService.json(
                    ["role": "ASSISTANT", "content": "y", "inputTokens": 10, "outputTokens": 10, "createdAt": "2025-06-01T00:00:00Z"])
            ).decode(MessageRecord.self)
            #expect(old.cost == Decimal(string: "0.002")!)
            let provided = try await service.request(
                .post, "/v1/conversations/\(conversation.id)/messages",
                json:
                    #"{"role": "ASSISTANT", "content": "z", "inputTokens": 10, "cost": 0.045}"#
            ).decode(MessageRecord.self)
            #expect(provided.cost == Decimal(string: "0.045")! && provided.costSource == .provided)
        }
    }

    @Test func openAIAndAnthropicDefaultPricesDoNotDoubleBillCache() async throws {
        try await TestService.run(suite: Self.suite) { service in
            // OpenAI usage {prompt_tokens: 2000, cached_tokens: 1500, completion_tokens: 300, reasoning_tokens: 100}
            // maps to input 500, cached 1500, output 200, reasoning 100 (docs/pricing.md).
            let price = try #require(
                service.writer.prices.price(tenantId: service.tenant.tenantId, provider: "openai", model: "gpt-4o-mini-2024-07-18", at: Date()))
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o-mini-2024-07-18"}"#
            )
            .decode(ConversationRecord.self)
            let message = try await service.request(
                .post, "/v1/conversations/\(conversation.id)/messages",
                json:
                    #"{"role": "ASSISTANT", "content": "x", "inputTokens": 500, "cachedInputTokens": 1500, "outputTokens": 200, "reasoningTokens": 100}"#
            )
            .decode(MessageRecord.self)
            let expected =
                (500 * price.input + 1500 * (price.cachedInput ?? price.input) + 200 * price.output + 100 * (price.reasoning ?? price.output))
                / 1_000_000
            #expect(message.cost == expected)
            #expect(message.totalTokens == 2300)
        }
    }

    /// A random workload, then every rollup counter equals the aggregation of the raw rows.
    @Test func rollupsEqualRawAggregation() async throws {
        try await TestService.run(suite: Self.suite) { service in
            var generator = SystemRandomNumberGenerator()
            let models = [("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-haiku-20241022"), ("acme", "unpriced-model")]
            let types = ["CHAT", "RESUME_ANALYSIS", "JOB_EXTRACTION"]
            let users: [String?] = ["alice", "bob", nil]
            var conversationIDs: [UUID] = []
            for _ in 0..<12 {
                let (provider, model) = models.randomElement(using: &generator)!
                var body: [String: Any] = [
                    "type": types.randomElement(using: &generator)!, "provider": provider, "model": model,
                    "createdAt": ISO8601.format(Date().addingTimeInterval(-Double.random(in: 0...(5 * 86_400), using: &generator))),
                ]
                if let user = users.randomElement(using: &generator)! { body["userId"] = user }
                conversationIDs.append(
                    try await service.request(.post, "/v1/conversations", json: TestService.json(body)).decode(ConversationRecord.self).id)
            }
            var events: [[String: Any]] = []
            for n in 0..<300 {
                var body: [String: Any] = [
                    "conversationId": conversationIDs.randomElement(using: &generator)!.uuidString,
                    "role": ["USER", "ASSISTANT", "SYSTEM"].randomElement(using: &generator)!, "content": "m\(n)",
                    "createdAt": ISO8601.format(Date().addingTimeInterval(-Double.random(in: 0...(5 * 86_400), using: &generator))),
                ]
                if Bool.random(using: &generator) {
                    body["inputTokens"] = Int.random(in: 0...5000, using: &generator)
                    body["outputTokens"] = Int.random(in: 0...2000, using: &generator)
                    body["cachedInputTokens"] = Int.random(in: 0...3000, using: &generator)
                }
                if Int.random(in: 0..<5, using: &generator) == 0 { body["cost"] = Double(Int.random(in: 1...9999, using: &generator)) / 10000 }
                if Bool.random(using: &generator) { body["processingTime"] = Int.random(in: 0...60_000, using: &generator) }
                events.append(["id": "e\(n)", "type": "message.create", "body": body])
            }
            for (index, id) in conversationIDs.enumerated() where index % 3 != 0 {
                events.append([
                    "id": "s\(index)", "type": "conversation.update",
                    "body": ["conversationId": id.uuidString, "status": ["COMPLETED", "FAILED", "CANCELLED"][index % 3]],
                ])
            }
            events.shuffle(using: &generator)
            for chunk in stride(from: 0, to: events.count, by: 100) {
                let response = try await service.request(
                    .post, "/v1/batch", json: TestService.json(["events": Array(events[chunk..<min(chunk + 100, events.count)])]))
                #expect(response.status.code == 207)
            }
            let tenant = service.tenant.tenantId
            let mismatches = try await service.database.query(
                """
                WITH raw_messages AS (
                    SELECT m.tenant_id, date_trunc('hour', m.created_at) AS hour, c.provider, c.model, c.type,
                           coalesce(c.user_id, '') AS user_id, count(*) AS messages,
                           coalesce(sum(m.input_tokens), 0) AS input_tokens, coalesce(sum(m.cached_input_tokens), 0) AS cached,
                           coalesce(sum(m.output_tokens), 0) AS output_tokens, coalesce(sum(m.total_tokens), 0) AS total_tokens,
                           coalesce(sum(m.cost), 0) AS cost, count(*) FILTER (WHERE m.cost_source = 'unpriced') AS unpriced,
                           count(m.processing_time) AS pt_count, coalesce(sum(m.processing_time), 0) AS pt_sum
                    FROM llm_messages m JOIN llm_conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                    WHERE m.tenant_id = \(tenant) GROUP BY 1, 2, 3, 4, 5, 6),
                raw_conversations AS (
                    SELECT tenant_id, date_trunc('hour', created_at) AS hour, provider, model, type, coalesce(user_id, '') AS user_id,
                           count(*) AS conversations, count(*) FILTER (WHERE status = 'ACTIVE') AS active,
                           count(*) FILTER (WHERE status = 'COMPLETED') AS completed, count(*) FILTER (WHERE status = 'FAILED') AS failed,
                           count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled
                    FROM llm_conversations WHERE tenant_id = \(tenant) GROUP BY 1, 2, 3, 4, 5, 6),
                raw AS (
                    SELECT coalesce(m.tenant_id, c.tenant_id) AS tenant_id, coalesce(m.hour, c.hour) AS hour,
                           coalesce(m.provider, c.provider) AS provider, coalesce(m.model, c.model) AS model, coalesce(m.type, c.type) AS type,
                           coalesce(m.user_id, c.user_id) AS user_id, coalesce(c.conversations, 0) AS conversations, coalesce(c.active, 0) AS active,
                           coalesce(c.completed, 0) AS completed, coalesce(c.failed, 0) AS failed, coalesce(c.cancelled, 0) AS cancelled,
                           coalesce(m.messages, 0) AS messages, coalesce(m.input_tokens, 0) AS input_tokens, coalesce(m.cached, 0) AS cached,
                           coalesce(m.output_tokens, 0) AS output_tokens, coalesce(m.total_tokens, 0) AS total_tokens, coalesce(m.cost, 0) AS cost,
                           coalesce(m.unpriced, 0) AS unpriced, coalesce(m.pt_count, 0) AS pt_count, coalesce(m.pt_sum, 0) AS pt_sum
                    FROM raw_messages m FULL JOIN raw_conversations c USING (tenant_id, hour, provider, model, type, user_id))
                SELECT count(*) FROM raw FULL JOIN \(unsafeSQL: StoreConsistency.hourlyByKey) r
                  ON r.tenant_id = raw.tenant_id AND r.hour = raw.hour AND r.provider = raw.provider AND r.model = raw.model
                 AND r.type = raw.type AND r.user_id = raw.user_id
                WHERE (r.tenant_id = \(tenant) OR raw.tenant_id = \(tenant)) AND (
                    r.tenant_id IS NULL OR raw.tenant_id IS NULL OR r.conversations <> raw.conversations OR r.active <> raw.active
                    OR r.completed <> raw.completed OR r.failed <> raw.failed OR r.cancelled <> raw.cancelled
                    OR r.messages <> raw.messages OR r.input_tokens <> raw.input_tokens OR r.cached_input_tokens <> raw.cached
                    OR r.output_tokens <> raw.output_tokens OR r.total_tokens <> raw.total_tokens OR r.cost <> raw.cost
                    OR r.unpriced_messages <> raw.unpriced OR r.processing_time_count <> raw.pt_count OR r.processing_time_sum <> raw.pt_sum)
                """)[0].decode(Int.self, column: 0)
            #expect(mismatches == 0)
            // The histograms hold exactly one count per processing time.
            let histogramTotal = try await service.database.query(
                """
                SELECT coalesce(sum(x), 0) FROM llm_usage_hourly, unnest(processing_time_histogram) AS x WHERE tenant_id = \(tenant)
                """)[0].decode(Int64.self, column: 0)
            let timed = try await service.database.query("SELECT count(processing_time) FROM llm_messages WHERE tenant_id = \(tenant)")[0].decode(
                Int64.self, column: 0)
            #expect(histogramTotal == timed)
            // And the conversations' derived totals equal their messages' sums.
            let badTotals = try await service.database.query(
                """
                SELECT count(*) FROM llm_conversations c
                CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(total_tokens), 0) AS tokens, coalesce(sum(cost), 0) AS cost
                                    FROM llm_messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id) s
                WHERE c.tenant_id = \(tenant)
                  AND (c.message_count <> s.n OR c.total_tokens_used <> s.tokens OR c.total_cost <> s.cost)
                """)[0].decode(Int.self, column: 0)
            #expect(badTotals == 0)
        }
    }

    /// Each conversation's rollup counts land in its writer lane's rows (`get_byte(uuid_send(id), 15) % lanes` in SQL,
    /// `IngestWriter.lane(ofConversation:lanes:)` in Swift), in the hourly and the daily tenant rows alike.
    @Test func rollupRowsAreKeptPerWriterLane() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let tenant = service.tenant.tenantId, lanes = IngestWriter.Options().lanes
            var ids: [UUID] = []
            for index in 0..<24 {
                let id = UUID()
                ids.append(id)
                _ = try await service.request(
                    .post, "/v1/conversations",
                    json: #"{"id": "\#(id)", "type": "LANES", "provider": "openai", "model": "gpt-4o", "userId": "lane-user"}"#,
                    key: service.tenant.ingestKey)
                _ = try await service.request(
                    .post, "/v1/conversations/\(id)/messages", json: #"{"role": "USER", "content": "m\#(index)", "inputTokens": 10}"#,
                    key: service.tenant.ingestKey)
            }
            let sqlLanes = try await service.database.query("SELECT i, get_byte(uuid_send(i), 15) % \(lanes) FROM unnest(\(ids)::uuid[]) AS i")
            for row in sqlLanes {
                let (id, lane) = try row.decode((UUID, Int).self)
                #expect(IngestWriter.lane(ofConversation: id, lanes: lanes) == lane)
            }
            var expected: [Int: Int64] = [:]
            // This instance's lanes start at its slot's base (other services of the suite hold other slots).
            let base = service.writer.laneBase
            #expect(base % lanes == 0)
            for id in ids { expected[base + IngestWriter.lane(ofConversation: id, lanes: lanes), default: 0] += 1 }
            #expect(expected.count > 1)
            for table in ["llm_usage_hourly", "llm_usage_daily_tenant"] {
                let rows = try await service.database.query(
                    """
                    SELECT lane::int, sum(conversations)::bigint, sum(messages)::bigint FROM \(unsafeSQL: table)
                    WHERE tenant_id = \(tenant) AND type = 'LANES' GROUP BY lane
                    """
                ).map { try $0.decode((Int, Int64, Int64).self) }
                #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) }) == expected, "\(table)")
                #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.2) }) == expected, "\(table)")
            }
        }
    }
}
