import Foundation
import Hummingbird
import HummingbirdTesting
import LLMLogService
import Logging
import PGClient
import Testing

/// API-key lookups coalesced by `KeyAuthenticator`: right answers under concurrency, few queries, revocation from
/// the next lookup, errors to every waiter when the database is gone.
@Suite struct KeyLookupBatchTests {
    static let suite = "keybatch"

    /// Keys of two tenants (ingest and admin), a revoked key and unknown keys, with what each must give.
    static func keyMix(_ service: TestService) async throws -> [(key: String, expected: Principal?)] {
        let other = try await service.tenants.createTenant(name: "keybatch-\(UUID().uuidString.prefix(6))")
        var mix: [(key: String, expected: Principal?)] = []
        for tenantId in [service.tenant.tenantId, other.tenantId] {
            for role in [KeyRole.ingest, .admin] {
                let created = try #require(try await service.tenants.createKey(tenantId: tenantId, role: role))
                mix.append((created.key, Principal(tenantId: tenantId, keyId: created.keyId, role: role == .admin ? .admin : .ingest)))
            }
        }
        let revoked = try #require(try await service.tenants.createKey(tenantId: other.tenantId, role: .admin))
        #expect(try await service.tenants.revokeKey(id: revoked.keyId))
        mix.append((revoked.key, nil))
        for role in [KeyRole.ingest, .admin, .ingest] { mix.append((APIKeys.generate(role: role), nil)) }
        return mix
    }

    @Test func concurrentLookupsGetTheirOwnAnswerFromFewQueries() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let mix = try await Self.keyMix(service)
            // As the service: llmlog_service may call the function, and row-level security is in force.
            let authenticator = KeyAuthenticator(pool: service.pool)
            let answers = try await withThrowingTaskGroup(of: (Int, Principal?).self) { group in
                for i in 0..<300 {
                    let key = mix[i % mix.count].key
                    group.addTask { (i, try await authenticator.principal(forKeyHash: APIKeys.hash(key))) }
                }
                return try await group.reduce(into: [Int: Principal?]()) { $0[$1.0] = $1.1 }
            }
            #expect(answers.count == 300)
            for i in 0..<300 {
                #expect(answers[i] == mix[i % mix.count].expected, "lookup \(i)")
            }
            let queries = authenticator.queriesIssued
            #expect(queries >= 1 && queries <= 50, "\(queries) queries for 300 lookups")
        }
    }

    @Test func aBatchHoldsAtMostMaxBatchDistinctHashes() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let mix = try await Self.keyMix(service)
            let unknown = (0..<60).map { _ in (key: APIKeys.generate(role: .ingest), expected: Principal?.none) }
            let all = mix + unknown
            let authenticator = KeyAuthenticator(pool: service.pool, maxBatch: 8)
            let answers = try await withThrowingTaskGroup(of: (Int, Principal?).self) { group in
                for i in 0..<(all.count * 2) {
                    let key = all[i % all.count].key
                    group.addTask { (i, try await authenticator.principal(forKeyHash: APIKeys.hash(key))) }
                }
                return try await group.reduce(into: [Int: Principal?]()) { $0[$1.0] = $1.1 }
            }
            for (i, answer) in answers { #expect(answer == all[i % all.count].expected, "lookup \(i)") }
            // Each distinct hash needs a place in some batch of at most 8.
            #expect(authenticator.queriesIssued >= (all.count + 7) / 8)
        }
    }

    /// While lookups of a key are in flight all the time, the first lookup after its revocation is refused.
    @Test func aRevokedKeyIsRefusedByTheNextLookup() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let store = TenantStore(pool: service.pool)
            for round in 0..<30 {
                let key = try #require(try await service.tenants.createKey(tenantId: service.tenant.tenantId, role: .ingest))
                #expect(try await store.authenticate(key: key.key)?.keyId == key.keyId)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            while !Task.isCancelled { _ = try await store.authenticate(key: key.key) }
                        }
                    }
                    #expect(try await service.tenants.revokeKey(id: key.keyId))
                    #expect(try await store.authenticate(key: key.key) == nil, "round \(round)")
                    // Cancelled lookups still get their answers (no error), and break no one else's.
                    group.cancelAll()
                    try await group.waitForAll()
                }
            }
            // And through HTTP, with the service's own store.
            let key = try #require(try await service.tenants.createKey(tenantId: service.tenant.tenantId, role: .ingest))
            let body = #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            #expect(try await service.request(.post, "/v1/conversations", json: body, key: key.key).status == .created)
            #expect(try await service.tenants.revokeKey(id: key.keyId))
            #expect(try await service.request(.post, "/v1/conversations", json: body, key: key.key).status == .unauthorized)
        }
    }

    @Test func everyWaiterGetsTheErrorWhenTheDatabaseIsUnreachable() async throws {
        let logger = TestService.logger
        // Nothing listens on port 1: every connection attempt is refused at once.
        let nowhere = PGConnectionConfiguration(host: "127.0.0.1", port: 1, user: "llmlog", database: "llmlog", sslmode: "disable")
            .with("connect_timeout", "2")
        let pool = PGPool(configuration: nowhere, options: .init(maxConnections: 2, acquireTimeout: .seconds(2)), logger: logger)
        let authenticator = KeyAuthenticator(pool: pool)
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    do {
                        _ = try await authenticator.principal(forKeyHash: APIKeys.hash(APIKeys.generate(role: .ingest)))
                        return false
                    } catch {
                        return true
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 40)
        #expect(authenticator.queriesIssued < 40)

        // Over HTTP the key lookup's failure is a 503, not a 401.
        let components = ServiceComponents(
            pool: pool, writer: IngestWriter(pool: pool, prices: PriceBook(), logger: logger), tenants: TenantStore(pool: pool),
            migrator: try Migrator(logger: logger), limits: IngestLimits(), keyUsage: KeyUsageRecorder(pool: pool, logger: logger),
            tokens: TokenKeyRing())
        let app = Application(router: buildRouter(components), logger: logger)
        try await app.test(.router) { client in
            for key in [APIKeys.generate(role: .ingest), APIKeys.generate(role: .admin)] {
                let response = try await client.execute(uri: "/v1/conversations", method: .get, headers: [.authorization: "Bearer \(key)"])
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(response.errorCode == "unavailable")
            }
        }
        await pool.close()
    }
}
