import Foundation
import LLMLogService
import PGClient
import PGTestSupport
import Testing

/// An analyst who shadows what policies read (temporary tables and types named like ours, its own search_path)
/// still sees its tenant only; and no function of ours resolves names through the caller's search_path.
@Suite struct AnalystShadowingTests {
    static let suite = "analyst-shadowing"

    @Test func temporaryObjectsNamedLikeOursChangeNothing() async throws {
        let configuration = try await TestDatabase.database(for: Self.suite)
        try await TestService.run(suite: Self.suite, database: configuration) { service in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            for key in [service.tenant.ingestKey, other.ingestKey] {
                let conversation = try await service.request(
                    .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "u"}"#, key: key
                )
                .decode(ConversationRecord.self)
                #expect(
                    try await service.request(
                        .post, "/v1/conversations/\(conversation.id)/messages",
                        json: #"{"role": "USER", "content": "x", "inputTokens": 10}"#, key: key
                    ).status == .created)
            }
            let mine = service.tenant.tenantId
            let analyst = try await AnalystRoles(pool: service.database).create(
                name: "shadow_\(UUID().uuidString.prefix(8).lowercased())", tenantId: mine)
            let connection = try await PGConnection.connect(configuration.with("user", analyst.name))
            defer { Task { await connection.close() } }
            func tenantsSeen(_ table: String) async throws -> Set<UUID> {
                Set(try await connection.query(PGQuery(unsafeSQL: "SELECT tenant_id FROM \(table)")).map { try $0.decode(UUID.self, column: 0) })
            }

            // The attack as reported: refused at its first step, since analysts may not create temporary objects.
            do {
                try await connection.query("CREATE TEMP TABLE llmlog_analysts (role_name name, tenant_id uuid)")
                Issue.record("an analyst created a temporary table")
            } catch let error as PGError {
                #expect(error.code == .insufficientPrivilege)
            }

            // And where a DBA grants temporary objects anyway, the shadow is not read.
            let database = try await service.database.query("SELECT current_database()::text")[0].decode(String.self, column: 0)
            _ = try await service.database.query(PGQuery(unsafeSQL: "GRANT TEMPORARY ON DATABASE \"\(database)\" TO \"\(analyst.name)\""))
            try await connection.query("CREATE TEMP TABLE llmlog_analysts (role_name name, tenant_id uuid)")
            try await connection.query("INSERT INTO llmlog_analysts VALUES (current_user, NULL)")
            try await connection.query("CREATE TEMP TABLE llmlog_migrations (version int)")
            for path in ["\"$user\", public", "pg_temp, public", "pg_temp, public, pg_catalog"] {
                try await connection.query(PGQuery(unsafeSQL: "SET search_path = \(path)"))
                for table in [
                    "llm_usage_hourly", "llm_usage_daily_tenant", "llm_conversations", "public.llm_usage_daily",
                    "public.llm_model_costs", "public.llm_user_usage", "public.llm_latency",
                ] {
                    #expect(try await tenantsSeen(table).subtracting([mine]).isEmpty, "\(table) with search_path \(path)")
                }
            }
            #expect(try await tenantsSeen("public.llm_usage_hourly") == [mine])
        }
    }

    /// The class, not only the instance: every function in our schema either has a SQL-standard body (bound at
    /// creation) or its own search_path with pg_temp last.
    @Test func everyFunctionBindsItsNames() async throws {
        let configuration = try await TestDatabase.database(for: Self.suite)
        try await TestService.run(suite: Self.suite, database: configuration) { service in
            let rows = try await service.database.query(
                """
                SELECT p.proname, p.prosqlbody IS NOT NULL, coalesce(array_to_string(p.proconfig, ';'), '')
                FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
                ORDER BY p.proname
                """)
            let functions = try rows.map { try $0.decode((String, Bool, String).self) }
            #expect(functions.count >= 11)
            for (name, standardBody, config) in functions {
                let pathLastTemp = config.contains("search_path=pg_catalog, public, pg_temp")
                #expect(standardBody || pathLastTemp, "\(name) resolves names through the caller's search_path (config: \(config))")
            }
            // The two that the service's policies call stay inlinable (no SET clause), so the planner sees their conditions.
            for name in ["llmlog_tenant_visible", "llmlog_user_visible"] {
                #expect(functions.contains { $0.0 == name && $0.1 && $0.2.isEmpty }, "\(name)")
            }
            #expect(functions.contains { $0.0 == "llmlog_analyst_visible" && $0.1 && !$0.2.isEmpty })
        }
    }
}
