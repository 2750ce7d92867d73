import Foundation
import HTTPTypes
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// The BOLA matrix: every endpoint × every principal, with the exact status code, and for readable objects exactly
/// the rows that principal may see.
@Suite struct AccessMatrixTests {
    static let suite = "access-matrix"

    enum Caller: String, CaseIterable {
        case userA, userB, admin1, admin2, ingest1, operatorKey, none, revokedKey, expiredToken, wrongKeyToken, tamperedToken
    }

    /// The four dead credentials and no credential at all: 401 on every endpoint.
    static let unauthenticated: [Caller: Int] = [.none: 401, .revokedKey: 401, .expiredToken: 401, .wrongKeyToken: 401, .tamperedToken: 401]

    static func expect(_ statuses: [Caller: Int]) -> [Caller: Int] { statuses.merging(unauthenticated) { a, _ in a } }

    @Test func everyEndpointAnswersEveryPrincipalExactly() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let tenant1 = service.tenant
            let tenant2 = try await service.tenants.createTenant(name: "matrix-\(UUID().uuidString.prefix(8))")
            func create(_ user: String?, key: String) async throws -> String {
                var body: [String: Any] = ["type": "CHAT", "provider": "openai", "model": "gpt-4o"]
                if let user { body["userId"] = user }
                let response = try await service.request(.post, "/v1/conversations", json: TestService.json(body), key: key)
                #expect(response.status == .created)
                let id = try #require(response.object["id"] as? String)
                let message = try await service.request(
                    .post, "/v1/conversations/\(id)/messages",
                    json: #"{"role": "ASSISTANT", "content": "hello", "outputTokens": 5}"#, key: key)
                #expect(message.status == .created)
                return id
            }
            let aliceConversation = try await create("alice", key: tenant1.ingestKey)
            let bobConversation = try await create("bob", key: tenant1.ingestKey)
            let anonymousConversation = try await create(nil, key: tenant1.ingestKey)
            // Same user id in another tenant: a different person, invisible to tenant 1's alice.
            let otherTenantConversation = try await create("alice", key: tenant2.ingestKey)

            let revoked = try #require(try await service.tenants.createKey(tenantId: tenant1.tenantId, role: .admin))
            #expect(try await service.tenants.revokeKey(id: revoked.keyId))
            let credentials = try await Self.credentials(service, tenant2: tenant2, revokedKey: revoked.key)

            func check(
                _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, _ expected: [Caller: Int],
                rows: [Caller: Set<String>] = [:], sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                #expect(Set(expected.keys) == Set(Caller.allCases), sourceLocation: sourceLocation)
                for caller in Caller.allCases {
                    let response = try await service.request(method, uri, json: json, key: credentials[caller] ?? "")
                    #expect(
                        Int(response.status.code) == expected[caller], "\(method) \(uri) as \(caller): \(String(buffer: response.body).prefix(200))",
                        sourceLocation: sourceLocation)
                    if let allowed = rows[caller] {
                        let listed = (response.object["conversations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                        #expect(Set(listed) == allowed && listed.count == allowed.count, "\(uri) as \(caller)", sourceLocation: sourceLocation)
                    }
                }
            }

            // Reads of one conversation: owner and admin of its tenant; 404 for everyone else who may read at all.
            let detail = Self.expect([.userA: 200, .userB: 404, .admin1: 200, .admin2: 404, .ingest1: 403, .operatorKey: 403])
            try await check(.get, "/v1/conversations/\(aliceConversation)", detail)
            try await check(.get, "/api/llm-analytics?action=conversation&id=\(aliceConversation)", detail)
            try await check(
                .get, "/v1/conversations/\(anonymousConversation)",
                Self.expect([.userA: 404, .userB: 404, .admin1: 200, .admin2: 404, .ingest1: 403, .operatorKey: 403]))
            try await check(
                .get, "/v1/conversations/\(otherTenantConversation)",
                Self.expect([.userA: 404, .userB: 404, .admin1: 404, .admin2: 200, .ingest1: 403, .operatorKey: 403]))

            // Lists: exactly the visible rows.
            let list = Self.expect([.userA: 200, .userB: 200, .admin1: 200, .admin2: 200, .ingest1: 403, .operatorKey: 403])
            let visible: [Caller: Set<String>] = [
                .userA: [aliceConversation], .userB: [bobConversation],
                .admin1: [aliceConversation, bobConversation, anonymousConversation], .admin2: [otherTenantConversation],
            ]
            try await check(.get, "/v1/conversations", list, rows: visible)
            try await check(.get, "/api/llm-analytics?action=conversations&type=CHAT", list, rows: visible)
            try await check(
                .get, "/v1/conversations?userId=bob",
                Self.expect([.userA: 403, .userB: 403, .admin1: 200, .admin2: 200, .ingest1: 403, .operatorKey: 403]),
                rows: [.admin1: [bobConversation], .admin2: []])

            // Analytics: each over what it may see.
            let usage = Self.expect([.userA: 200, .userB: 200, .admin1: 200, .admin2: 200, .ingest1: 403, .operatorKey: 200])
            try await check(.get, "/v1/analytics/usage?days=1", usage)
            try await check(.get, "/api/llm-analytics?action=analytics&days=1", usage)
            try await check(.get, "/v1/analytics/latency?days=1", usage)
            let counted: [Caller: Int] = [.userA: 1, .userB: 1, .admin1: 3, .admin2: 1, .operatorKey: 4]
            for (caller, conversations) in counted {
                let response = try await service.request(.get, "/v1/analytics/usage?days=1", key: credentials[caller]!)
                let totals = response.object["totals"] as? [String: Any]
                #expect(totals?["conversations"] as? Int == conversations, "\(caller)")
                #expect(totals?["messages"] as? Int == conversations, "\(caller)")
            }
            let admin = Self.expect([.userA: 403, .userB: 403, .admin1: 200, .admin2: 200, .ingest1: 403, .operatorKey: 200])
            try await check(.get, "/v1/admin/analytics?days=1", admin)
            try await check(.post, "/api/llm-analytics", json: #"{"days": 1}"#, admin)
            let tenantAdmin = try await service.request(.get, "/v1/admin/analytics?days=1", key: credentials[.admin1]!)
            let users = (tenantAdmin.object["byUser"] as? [[String: Any]] ?? []).map { $0["userId"] as? String ?? "(anonymous)" }
            #expect(Set(users) == ["alice", "bob", "(anonymous)"] && users.count == 3)
            let system = try await service.request(.get, "/v1/admin/analytics?days=1", key: credentials[.operatorKey]!)
            let tenantIds = (system.object["byTenant"] as? [[String: Any]] ?? []).compactMap { $0["tenantId"] as? String }
            #expect(Set(tenantIds) == [tenant1.tenantId.uuidString.lowercased(), tenant2.tenantId.uuidString.lowercased()])

            // Writes: tenant keys in their own tenant; another tenant's conversation is 404 (never a hint it exists).
            try await check(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#,
                Self.expect([.userA: 403, .userB: 403, .admin1: 201, .admin2: 201, .ingest1: 201, .operatorKey: 403]))
            try await check(
                .patch, "/v1/conversations/\(aliceConversation)", json: #"{"title": "renamed"}"#,
                Self.expect([.userA: 403, .userB: 403, .admin1: 200, .admin2: 404, .ingest1: 200, .operatorKey: 403]))
            try await check(
                .post, "/v1/conversations/\(aliceConversation)/messages", json: #"{"role": "USER", "content": "x"}"#,
                Self.expect([.userA: 403, .userB: 403, .admin1: 201, .admin2: 404, .ingest1: 201, .operatorKey: 403]))
            let batch = TestService.json([
                "events": [
                    [
                        "id": "e1", "type": "message.create",
                        "body": ["conversationId": aliceConversation, "role": "USER", "content": "y"],
                    ]
                ]
            ])
            try await check(
                .post, "/v1/batch", json: batch,
                Self.expect([.userA: 403, .userB: 403, .admin1: 207, .admin2: 207, .ingest1: 207, .operatorKey: 403]))
            let foreignBatch = try await service.request(.post, "/v1/batch", json: batch, key: credentials[.admin2]!)
            #expect((foreignBatch.object["results"] as? [[String: Any]])?.first?["status"] as? Int == 404)
            try await check(
                .post, "/v1/tokens", json: #"{"userId": "carol", "ttlSeconds": 60}"#,
                Self.expect([.userA: 403, .userB: 403, .admin1: 201, .admin2: 201, .ingest1: 403, .operatorKey: 403]))
            try await check(
                .post, "/v1/tenants", json: TestService.json(["name": "t-\(UUID().uuidString.prefix(8))"]),
                Self.expect([.userA: 403, .userB: 403, .admin1: 403, .admin2: 403, .ingest1: 403, .operatorKey: 201]))
            // Nothing of tenant 2 was touched by tenant 1's callers (or the other way round).
            let foreignTitle = try await service.database.query(
                "SELECT count(*) FROM llm_conversations WHERE tenant_id = \(tenant2.tenantId) AND title = 'renamed'")
            #expect(try foreignTitle[0].decode(Int.self, column: 0) == 0)
        }
    }

    /// A credential for each caller.
    static func credentials(_ service: TestService, tenant2: TenantStore.CreatedTenant, revokedKey: String) async throws -> [Caller: String] {
        let tenant = service.tenant.tenantId
        let userA = try service.tokens.mint(tenantId: tenant, userId: "alice", ttl: 600).token
        let parts = userA.split(separator: ".").map(String.init)
        let payload = try #require(
            Data(
                base64Encoded: parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                    + String(repeating: "=", count: (4 - parts[1].count % 4) % 4)))
        let changed = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"alice\"", with: "\"bob\"")
        #expect(changed != String(decoding: payload, as: UTF8.self))
        let tampered = [
            parts[0],
            Data(changed.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""), parts[2],
        ].joined(separator: ".")
        let stranger = TokenKeyRing()
        let foreignKey = try await TokenKeyRing.addKey(service.database)
        try await stranger.reload(from: service.database)
        _ = try await TokenKeyRing.retireKey(service.database, id: foreignKey)
        try await service.tokens.reload(from: service.pool)
        // Signed with the stranger's newest key: one the service has never had.
        let wrongKey = try stranger.mint(tenantId: tenant, userId: "alice", ttl: 600).token
        #expect(service.tokens.verify(wrongKey) == nil)
        return [
            .userA: userA,
            .userB: try service.tokens.mint(tenantId: tenant, userId: "bob", ttl: 600).token,
            .admin1: service.tenant.adminKey,
            .admin2: tenant2.adminKey,
            .ingest1: service.tenant.ingestKey,
            .operatorKey: try await service.tenants.createOperatorKey().key,
            .revokedKey: revokedKey,
            .expiredToken: try service.tokens.mint(tenantId: tenant, userId: "alice", ttl: 60, now: Date().addingTimeInterval(-3600)).token,
            .wrongKeyToken: wrongKey,
            .tamperedToken: tampered,
        ]
    }
}
