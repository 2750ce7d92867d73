import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// PostgreSQL as the second wall: even a query whose own tenant filter is wrong returns nothing of another tenant.
@Suite struct RowLevelSecurityTests {
    static let tenantTables = ["api_keys", "llm_conversations", "llm_messages", "llm_usage_hourly", "llm_usage_daily_tenant", "model_prices"]

    @Test func serviceRoleOwnsNothingAndEveryTenantTableForcesRLS() async throws {
        try await TestService.run(suite: "rls") { service in
            let role = try await service.pool.query(
                """
                SELECT current_user::text, r.rolsuper, r.rolbypassrls,
                       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)
                FROM pg_roles r WHERE r.rolname = current_user
                """)[0].decode((String, Bool, Bool, Int).self)
            #expect(role.0 == DatabaseLocation.serviceRole && !role.1 && !role.2 && role.3 == 0)
            for table in Self.tenantTables {
                let (enabled, forced) = try await service.database.query(
                    "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = \(table)::regclass")[0].decode((Bool, Bool).self)
                #expect(enabled && forced, "\(table)")
            }
            // Keys can only be looked up by hash, through llmlog_authenticate.
            let error = await #expect(throws: PGError.self) { try await service.pool.query("SELECT count(*) FROM api_keys") }
            #expect(error?.code == .insufficientPrivilege)
        }
    }

    @Test func aWrongApplicationFilterStillSeesNothingOfAnotherTenant() async throws {
        try await TestService.run(suite: "rls") { service in
            let other = try await service.tenants.createTenant(name: "rls-other-\(UUID().uuidString.prefix(6))")
            for key in [service.tenant.ingestKey, other.ingestKey] {
                let conversation = try await service.request(
                    .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "u"}"#, key: key
                )
                .decode(ConversationRecord.self)
                _ = try await service.request(
                    .post, "/v1/conversations/\(conversation.id)/messages", json: #"{"role": "USER", "content": "x", "inputTokens": 5}"#, key: key)
            }
            let mine = service.tenant.tenantId, theirs = other.tenantId
            try await service.pool.withConnection { connection in
                // No tenant set: nothing at all.
                for table in ["llm_conversations", "llm_messages", "llm_usage_hourly"] {
                    #expect(try await connection.query("SELECT count(*) FROM \(unsafeSQL: table)")[0].decode(Int.self, column: 0) == 0, "\(table)")
                }
                try await connection.withTransaction { tx in
                    try await tx.query("SELECT set_config('llmlog.tenant_id', \(mine.uuidString), true)")
                    // The application's filter names the other tenant by mistake: the database still answers nothing.
                    for table in ["llm_conversations", "llm_messages", "llm_usage_hourly"] {
                        let leaked = try await tx.query("SELECT count(*) FROM \(unsafeSQL: table) WHERE tenant_id = \(theirs)")[0].decode(
                            Int.self, column: 0)
                        #expect(leaked == 0, "\(table)")
                        let visible = try await tx.query("SELECT count(DISTINCT tenant_id), min(tenant_id::text) FROM \(unsafeSQL: table)")[0]
                            .decode((Int, String?).self)
                        #expect(visible.0 == 1 && visible.1 == mine.uuidString.lowercased(), "\(table)")
                    }
                    // Nor can it write rows for the other tenant.
                    let write = await #expect(throws: PGError.self) {
                        try await tx.query(
                            """
                            UPDATE llm_conversations SET title = 'hijacked' WHERE tenant_id = \(mine)
                            RETURNING tenant_id
                            """)
                        try await tx.query(
                            """
                            INSERT INTO llm_conversations (tenant_id, id, type, provider, model, request_hash, created_at, updated_at)
                            VALUES (\(theirs), \(UUID()), 'CHAT', 'p', 'm', '\\x00', now(), now())
                            """)
                    }
                    #expect(write?.code == .insufficientPrivilege)
                }
                // The identity was transaction-local: the same pooled connection sees nothing again.
                #expect(try await connection.query("SELECT count(*) FROM llm_conversations")[0].decode(Int.self, column: 0) == 0)
            }
            // Reads through the owner confirm both tenants' rows exist.
            let both = try await service.database.query(
                """
                SELECT count(DISTINCT tenant_id) FROM llm_messages WHERE tenant_id IN (\(mine), \(theirs))
                """)[0].decode(Int.self, column: 0)
            #expect(both == 2)
        }
    }

    @Test func aUserScopedTransactionSeesOnlyThatUsersRows() async throws {
        try await TestService.run(suite: "rls") { service in
            for user in ["alice", "bob", nil] as [String?] {
                var body: [String: Any] = ["type": "CHAT", "provider": "openai", "model": "gpt-4o"]
                if let user { body["userId"] = user }
                let conversation = try await service.request(.post, "/v1/conversations", json: TestService.json(body)).decode(ConversationRecord.self)
                _ = try await service.request(
                    .post, "/v1/conversations/\(conversation.id)/messages", json: #"{"role": "USER", "content": "x", "inputTokens": 3}"#)
            }
            let tenant = service.tenant.tenantId
            let seen = try await service.pool.withTransaction { tx in
                try await tx.query(
                    """
                    SELECT set_config('llmlog.tenant_id', \(tenant.uuidString), true), set_config('llmlog.user_id', 'alice', true)
                    """)
                // No user filter in the queries: the database applies it.
                let conversations = try await tx.query("SELECT DISTINCT coalesce(user_id, '-') FROM llm_conversations").map {
                    try $0.decode(String.self, column: 0)
                }
                let messages = try await tx.query("SELECT DISTINCT coalesce(user_id, '-') FROM llm_messages").map {
                    try $0.decode(String.self, column: 0)
                }
                let rollups = try await tx.query("SELECT DISTINCT user_id FROM llm_usage_hourly").map { try $0.decode(String.self, column: 0) }
                // Tenant-wide rollups are nobody's own: none of them.
                let tenantRows = try await tx.query("SELECT count(*) FROM llm_usage_daily_tenant")[0].decode(Int.self, column: 0)
                return (conversations, messages, rollups, tenantRows)
            }
            #expect(seen.0 == ["alice"] && seen.1 == ["alice"] && seen.2 == ["alice"] && seen.3 == 0)
            let tenantWide = try await service.pool.withTransaction { tx in
                try await tx.query("SELECT set_config('llmlog.tenant_id', \(tenant.uuidString), true)")
                return try await tx.query("SELECT count(*) FROM llm_usage_daily_tenant")[0].decode(Int.self, column: 0)
            }
            #expect(tenantWide > 0)
            // Messages carry their conversation's user.
            let users = try await service.database.query(
                """
                SELECT coalesce(m.user_id, '-') = coalesce(c.user_id, '-') FROM llm_messages m
                JOIN llm_conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id WHERE m.tenant_id = \(tenant)
                """
            ).map { try $0.decode(Bool.self, column: 0) }
            #expect(users.count == 3 && users.allSatisfy { $0 })
        }
    }
}
