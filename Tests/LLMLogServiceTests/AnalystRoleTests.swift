import Foundation
import LLMLogService
import PGClient
import PGTestSupport
import Testing

/// SQL analyst roles: they read the analyst views of their tenant only — not after changing settings, not through
/// the base tables, not through functions — and nothing of message content.
@Suite struct AnalystRoleTests {
    static let suite = "analyst-roles"

    /// Two tenants with one conversation and message each, an analyst bound to the first and one bound to none.
    @Test func analystsSeeOnlyTheirTenantWhateverTheyTry() async throws {
        let configuration = try await TestDatabase.database(for: Self.suite)
        try await TestService.run(suite: Self.suite, database: configuration) { service in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            for key in [service.tenant.ingestKey, other.ingestKey] {
                let conversation = try await service.request(
                    .post, "/v1/conversations",
                    json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "u", "title": "secret title"}"#, key: key
                )
                .decode(ConversationRecord.self)
                #expect(
                    try await service.request(
                        .post, "/v1/conversations/\(conversation.id)/messages",
                        json: #"{"role": "USER", "content": "secret content", "inputTokens": 10}"#, key: key
                    ).status == .created)
            }
            let mine = service.tenant.tenantId
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let roles = AnalystRoles(pool: service.database)
            let analyst = try await roles.create(name: "analyst_\(suffix)", tenantId: mine)
            let everyone = try await roles.create(name: "operator_\(suffix)", tenantId: nil)
            #expect(analyst.password.count >= 40)
            await #expect(throws: AnalystRoles.Refusal.self) { try await roles.create(name: "analyst_\(suffix)", tenantId: mine) }
            await #expect(throws: AnalystRoles.Refusal.self) { try await roles.create(name: "Robert'); DROP TABLE tenants;--", tenantId: mine) }
            await #expect(throws: AnalystRoles.Refusal.self) { try await roles.create(name: "nobody_\(suffix)", tenantId: UUID()) }

            let connection = try await PGConnection.connect(configuration.with("user", analyst.name))
            func tenantsSeen(_ sql: PGQuery) async throws -> Set<UUID> {
                Set(try await connection.query(sql).map { try $0.decode(UUID.self, column: 0) })
            }
            func refused(_ sql: PGQuery) async -> Bool {
                do {
                    _ = try await connection.query(sql)
                    return false
                } catch let error as PGError {
                    return error.code == .insufficientPrivilege
                } catch { return false }
            }
            for view in ["llm_usage_daily", "llm_conversation_outcomes", "llm_model_costs", "llm_user_usage", "llm_latency"] {
                #expect(try await tenantsSeen(PGQuery(unsafeSQL: "SELECT tenant_id FROM \(view)")) == [mine], "\(view)")
            }
            // Settings the service trusts mean nothing for an analyst.
            try await connection.query(
                "SELECT set_config('llmlog.scope', 'all', false), set_config('llmlog.tenant_id', \(other.tenantId.uuidString), false)")
            #expect(try await tenantsSeen("SELECT tenant_id FROM llm_usage_daily") == [mine])
            #expect(try await tenantsSeen("SELECT tenant_id FROM llm_usage_hourly") == [mine])
            #expect(try await tenantsSeen("SELECT tenant_id FROM llm_conversations") == [mine])
            #expect(try await tenantsSeen("SELECT tenant_id FROM llm_usage_hourly WHERE tenant_id = \(other.tenantId)").isEmpty)
            // No content, titles, messages, keys or tenants; no writes; no administration functions.
            #expect(await refused("SELECT title FROM llm_conversations"))
            #expect(await refused("SELECT * FROM llm_conversations"))
            #expect(await refused("SELECT content FROM llm_messages"))
            #expect(await refused("SELECT * FROM api_keys"))
            #expect(await refused("SELECT name FROM tenants"))
            #expect(await refused("SELECT * FROM operator_keys"))
            #expect(await refused("SELECT * FROM token_signing_keys"))
            #expect(await refused("UPDATE llm_usage_hourly SET cost = 0"))
            #expect(await refused("INSERT INTO llmlog_analysts (role_name, tenant_id) VALUES (current_user, NULL)"))
            #expect(await refused("SELECT llmlog_authenticate(''::bytea)"))
            #expect(await refused("SELECT * FROM llmlog_authenticate_many('{}'::bytea[])"))
            #expect(await refused("SELECT llmlog_create_analyst('x', 'y', NULL)"))
            #expect(await refused("CREATE FUNCTION steal() RETURNS int LANGUAGE sql AS 'SELECT 1'"))
            #expect(await refused("CREATE TABLE loot (x int)"))
            // The analysts' guide's sample queries run as written.
            let guide = try String(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("docs/analytics.md"), encoding: .utf8)
            let samples = guide.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
            #expect(samples.count >= 5)
            for sample in samples {
                do { _ = try await connection.query(PGQuery(unsafeSQL: sample)) } catch let error as PGError {
                    Issue.record("sample query failed: \(error.message)\n\(sample)")
                }
            }
            // Its own binding only.
            #expect(try await connection.query("SELECT count(*) FROM llmlog_analysts")[0].decode(Int.self, column: 0) == 1)
            await connection.close()

            let all = try await PGConnection.connect(configuration.with("user", everyone.name))
            let seen = Set(try await all.query("SELECT tenant_id FROM llm_usage_daily").map { try $0.decode(UUID.self, column: 0) })
            #expect(seen == [mine, other.tenantId])
            await #expect(throws: PGError.self) { try await all.query("SELECT content FROM llm_messages") }
            await all.close()
        }
    }

    @Test func droppedAnalystsCannotLogIn() async throws {
        let configuration = try await TestDatabase.database(for: Self.suite)
        try await TestService.run(suite: Self.suite, database: configuration) { service in
            let roles = AnalystRoles(pool: service.database)
            let name = "gone_\(UUID().uuidString.prefix(8).lowercased())"
            _ = try await roles.create(name: name, tenantId: service.tenant.tenantId)
            let connection = try await PGConnection.connect(configuration.with("user", name))
            await connection.close()
            #expect(try await roles.drop(name: name))
            #expect(try await roles.drop(name: name) == false)
            await #expect(throws: PGError.self) { try await PGConnection.connect(configuration.with("user", name)) }
        }
    }
}
