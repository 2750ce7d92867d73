import Foundation
import PGClient

/// The analytics dataset, loaded with `INSERT … SELECT FROM generate_series` as the cluster superuser: messages
/// spread over conversations of 200 messages (20 s apart), conversations evenly over the last 90 days, across
/// `tenants`, 1000 users (every tenth conversation anonymous), 4 types and 6 models; user messages carry no
/// usage, assistant replies carry tokens, a cost and a processing time. Ids are sequential, so the indexes
/// grow at their ends as they do with the service's time-ordered ids. Then conversation totals are derived from
/// the messages, and the rollups built by `RollupSQL` (what the writer would have built).
struct AnalyticsDataset {
    let tenants: [UUID]
    let messages: Int
    let base: Date

    static let perConversation = 200
    var conversations: Int { max(1, (messages + Self.perConversation - 1) / Self.perConversation) }

    /// SQL of a conversation's fields from its number `ci` (shared by both inserts so they agree).
    private var tenantOf: String { "(\("$T"))[ci % \(tenants.count) + 1]" }
    private static let conversationId = "(lpad(to_hex(ci), 32, '0'))::uuid"
    private static let user = "CASE WHEN ci % 10 = 9 THEN NULL ELSE 'user-' || (ci % 1000) END"
    private static let type = "(ARRAY['RESUME_ANALYSIS', 'JOB_MATCH', 'CHAT', 'SUMMARY'])[ci % 4 + 1]"
    private static let provider = "(ARRAY['anthropic', 'anthropic', 'openai', 'openai', 'google', 'anthropic'])[ci % 6 + 1]"
    private static let model =
        "(ARRAY['claude-sonnet-4-5-20250929', 'claude-haiku-4-5', 'gpt-4o', 'gpt-4o-mini', 'gemini-2.5-pro', 'claude-opus-4-1'])[ci % 6 + 1]"

    /// A conversation's created time: evenly from 90 days before `base` to 2 hours before it.
    private func created(_ ci: String) -> String {
        "(\("$B")::timestamptz - interval '90 days' + (\(ci) * (\(90 * 86_400 - 7_200)::float8 / \(conversations))) * interval '1 second')"
    }

    /// Loads everything and builds the rollups; calls `progress` with the messages stored so far.
    func load(_ connection: PGConnection, progress: (Int) -> Void) async throws {
        // The rows are consistent by construction: skip the per-row foreign-key triggers (superuser only).
        try await connection.query("SET session_replication_role = replica")
        try await connection.query(
            Self.bind(
                """
                INSERT INTO llm_conversations (tenant_id, id, user_id, type, title, provider, model, status, metadata,
                                               request_hash, created_at, updated_at, completed_at)
                SELECT \(tenantOf), \(Self.conversationId), \(Self.user), \(Self.type), 'Conversation ' || ci, \(Self.provider), \(Self.model),
                       CASE WHEN ci % 20 = 0 THEN 'FAILED' WHEN ci % 50 = 1 THEN 'CANCELLED'
                            WHEN ci >= \(conversations - max(1, conversations / 100)) THEN 'ACTIVE' ELSE 'COMPLETED' END,
                       '{}', sha256(ci::text::bytea), \(created("ci")), \(created("ci")), NULL
                FROM generate_series(0, \(conversations - 1)) AS ci
                """, tenants: tenants, base: base))
        let chunk = 500_000
        var done = 0
        while done < messages {
            let end = min(messages, done + chunk)
            try await connection.query(
                Self.bind(
                    """
                    INSERT INTO llm_messages (tenant_id, id, conversation_id, role, content, provider, model, input_tokens,
                        cached_input_tokens, output_tokens, total_tokens, cost, cost_source, processing_time, message_index,
                        finish_reason, metadata, request_hash, created_at, user_id)
                    SELECT \(tenantOf), (lpad(to_hex(g), 32, '0'))::uuid, \(Self.conversationId),
                           CASE WHEN i % 2 = 0 THEN 'USER' ELSE 'ASSISTANT' END,
                           'Message ' || g || ': please compare the candidate with the job description and list the gaps.',
                           \(Self.provider), \(Self.model),
                           CASE WHEN i % 2 = 1 THEN 200 + (g * 7) % 2000 END, CASE WHEN i % 2 = 1 THEN (g * 13) % 1000 END,
                           CASE WHEN i % 2 = 1 THEN 50 + (g * 11) % 800 END,
                           CASE WHEN i % 2 = 1 THEN 250 + (g * 7) % 2000 + (g * 13) % 1000 + (g * 11) % 800 END,
                           CASE WHEN i % 2 = 1 THEN ((200 + (g * 7) % 2000) * 3 + ((g * 13) % 1000) * 0.3 + (50 + (g * 11) % 800) * 15) / 1000000
                                ELSE 0 END,
                           'computed',
                           CASE WHEN i % 2 = 1 THEN (CASE WHEN g % 97 = 0 THEN 0 ELSE 100 + (g * 37) % 20000 END) END,
                           i, CASE WHEN i % 2 = 1 THEN 'end_turn' END, '{}', sha256(g::text::bytea),
                           \(created("ci")) + i * interval '20 seconds', \(Self.user)
                    FROM generate_series(\(done), \(end - 1)) AS g,
                         LATERAL (SELECT g / \(Self.perConversation) AS ci, g % \(Self.perConversation) AS i) AS k
                    """, tenants: tenants, base: base))
            done = end
            progress(done)
        }
        try await connection.query("RESET session_replication_role")
        try await connection.query(
            """
            UPDATE llm_conversations c SET message_count = s.n, next_message_index = s.n, usage_message_count = s.u,
                   total_tokens_used = s.t, total_cost = s.cost, updated_at = s.last
            FROM (SELECT tenant_id, conversation_id, count(*)::int AS n, count(total_tokens)::int AS u,
                         coalesce(sum(total_tokens), 0)::bigint AS t, coalesce(sum(cost), 0) AS cost, max(created_at) AS last
                  FROM llm_messages WHERE tenant_id = ANY(\(tenants)::uuid[]) GROUP BY 1, 2) AS s
            WHERE c.tenant_id = s.tenant_id AND c.id = s.conversation_id
            """)
        try await connection.query(
            """
            UPDATE llm_conversations SET completed_at = updated_at WHERE tenant_id = ANY(\(tenants)::uuid[]) AND status <> 'ACTIVE'
            """)
        _ = try await RollupSQL.build(connection, tenants: tenants, lanes: BenchRun.writerLanes)
        _ = try await RollupSQL.buildTenantLevel(connection, tenants: tenants)
        try await connection.query("VACUUM ANALYZE llm_conversations")
        try await connection.query("VACUUM ANALYZE llm_messages")
        try await connection.query("VACUUM ANALYZE llm_usage_hourly")
        try await connection.query("VACUUM ANALYZE llm_usage_daily_tenant")
    }

    /// The statement with `$T` (the tenants) and `$B` (the base time) bound as parameters 1 and 2.
    private static func bind(_ sql: String, tenants: [UUID], base: Date) -> PGQuery {
        let binds: PGQuery = "\(tenants)\(base)"
        let text = sql.replacingOccurrences(of: "$T", with: "$1::uuid[]").replacingOccurrences(of: "$B", with: "$2")
        return PGQuery(unsafeSQL: text, binds: binds.binds)
    }
}

extension AnalyticsDataset {
    /// A recent completed conversation of the first tenant (200 messages), for the detail figure.
    var detailConversation: Int {
        let recent = max(0, conversations - max(1, conversations / 100) - 10)
        return recent - recent % tenants.count
    }

    /// The id the dataset gives conversation number `ci`.
    static func conversationId(_ ci: Int) -> String {
        let hex = String(format: "%032x", ci)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
