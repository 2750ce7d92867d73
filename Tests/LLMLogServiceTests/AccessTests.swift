import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// The minimum ingest needs: keys authenticate, revoked keys don't, tenants never see each other's objects.
@Suite struct AccessTests {
    static let suite = "access"

    @Test func missingBadAndRevokedKeysAre401() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let body = #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            #expect(try await service.request(.post, "/v1/conversations", json: body, key: "").status == .unauthorized)
            #expect(try await service.request(.post, "/v1/conversations", json: body, key: "llmlog_ik_guess").status == .unauthorized)
            let extra = try #require(try await service.tenants.createKey(tenantId: service.tenant.tenantId, role: .ingest))
            #expect(extra.key.hasPrefix("llmlog_ik_") && extra.key.count > 40)
            #expect(try await service.request(.post, "/v1/conversations", json: body, key: extra.key).status == .created)
            #expect(try await service.tenants.revokeKey(id: extra.keyId))
            #expect(try await service.request(.post, "/v1/conversations", json: body, key: extra.key).status == .unauthorized)
            // Only the hash is stored.
            let stored = try await service.database.query(
                "SELECT count(*) FROM api_keys WHERE key_prefix = \(extra.key) OR encode(key_hash, 'escape') = \(extra.key)")[0]
                .decode(Int.self, column: 0)
            #expect(stored == 0)
        }
    }

    /// last_used_at is kept without a write per request: many requests, then one batched update.
    @Test func keyUseIsRecordedInBatches() async throws {
        try await TestService.run(suite: Self.suite) { service in
            func lastUsed(_ role: String) async throws -> Date? {
                try await service.database.query("SELECT last_used_at FROM api_keys WHERE tenant_id = \(service.tenant.tenantId) AND role = \(role)")[
                    0
                ]
                .decode(Date?.self, column: 0)
            }
            let before = Date()
            for _ in 0..<5 {
                #expect(
                    try await service.request(.post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#).status
                        == .created)
            }
            #expect(try await lastUsed("ingest") == nil)  // nothing written per request
            #expect(try await service.keyUsage.flush() == 1)  // five requests, one key, one row written
            let used = try #require(try await lastUsed("ingest"))
            #expect(used >= before.addingTimeInterval(-1) && used <= Date().addingTimeInterval(1))
            #expect(try await service.keyUsage.flush() == 0)
            #expect(try await lastUsed("admin") == nil)
        }
    }

    @Test func anotherTenantsConversationIsNotFound() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let mine = try await service.request(.post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#)
                .decode(ConversationRecord.self)
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(6))")
            let path = "/v1/conversations/\(mine.id)"
            let patch = try await service.request(.patch, path, json: #"{"status": "FAILED"}"#, key: other.ingestKey)
            #expect(patch.status == .notFound)
            let message = try await service.request(.post, path + "/messages", json: #"{"role": "USER", "content": "x"}"#, key: other.adminKey)
            #expect(message.status == .notFound)
            // The same id created by the other tenant is its own conversation, not a conflict.
            let same = try await service.request(
                .post, "/v1/conversations",
                json: TestService.json(
                    ["id": mine.id.uuidString, "type": "CHAT", "provider": "openai", "model": "gpt-4o"]), key: other.ingestKey)
            #expect(same.status == .created)
            let untouched = try await service.request(.patch, path, json: "{}").decode(ConversationRecord.self)
            #expect(untouched.status == .active && untouched.messageCount == 0)
        }
    }

    @Test func healthAndReadiness() async throws {
        try await TestService.run(suite: Self.suite) { service in
            #expect(try await service.request(.get, "/healthz", key: "").status == .ok)
            let ready = try await service.request(.get, "/readyz", key: "")
            #expect(ready.status == .ok)
            #expect(ready.object["status"] as? String == "ready")
            let missing = try await service.request(.get, "/v1/nothing-here", json: nil)
            #expect(missing.status == .notFound || missing.status == .unauthorized)
        }
    }
}
