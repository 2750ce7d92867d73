import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// User tokens: minted by admin keys only, bound to tenant and user, short-lived, verified without the database,
/// signing keys rotatable without logging everyone out at once.
@Suite struct UserTokenTests {
    static let suite = "usertokens"

    func mint(_ service: TestService, userId: String = "alice", ttl: Int? = nil, key: String? = nil) async throws -> TestResponse {
        var body: [String: Any] = ["userId": userId]
        if let ttl { body["ttlSeconds"] = ttl }
        return try await service.request(.post, "/v1/tokens", json: TestService.json(body), key: key ?? service.tenant.adminKey)
    }

    @Test func adminKeysMintTokensThatVerify() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let response = try await mint(service, ttl: 600)
            #expect(response.status == .created)
            let token = try #require(response.object["token"] as? String)
            let expiresAt = try #require((response.object["expiresAt"] as? String).flatMap(ISO8601.parse))
            #expect(abs(expiresAt.timeIntervalSinceNow - 600) < 5)
            let claims = try #require(service.tokens.verify(token))
            #expect(claims.tenantId == service.tenant.tenantId && claims.userId == "alice")
            // Only admin keys mint; a user token may not write.
            #expect(try await mint(service, key: service.tenant.ingestKey).status == .forbidden)
            #expect(try await mint(service, key: token).status == .forbidden)
            let write = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#, key: token)
            #expect(write.status == .forbidden)
            #expect(try await mint(service, key: "").status == .unauthorized)
        }
    }

    @Test func badRequestsNameTheirField() async throws {
        try await TestService.run(suite: Self.suite) { service in
            for (ttl, field) in [(0, "ttlSeconds"), (-5, "ttlSeconds"), (7201, "ttlSeconds")] {
                let response = try await mint(service, ttl: ttl)
                #expect(response.status == .badRequest && response.errorField == field, "\(ttl)")
            }
            let empty = try await mint(service, userId: "")
            #expect(empty.status == .badRequest && empty.errorField == "userId")
            let missing = try await service.request(.post, "/v1/tokens", json: "{}", key: service.tenant.adminKey)
            #expect(missing.status == .badRequest && missing.errorField == "userId")
        }
    }

    @Test func expiredForgedAndTamperedTokensAre401() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let write = #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            let expired = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 60, now: Date().addingTimeInterval(-3600))
                .token
            #expect(service.tokens.verify(expired) == nil)
            #expect(try await service.request(.post, "/v1/conversations", json: write, key: expired).status == .unauthorized)

            let token = try #require(try await mint(service).object["token"] as? String)
            let parts = token.split(separator: ".").map(String.init)
            // Changed userId, signature kept: refused.
            let payload = try #require(
                Data(
                    base64Encoded: parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                        + String(repeating: "=", count: (4 - parts[1].count % 4) % 4)))
            let changed = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"alice\"", with: "\"mallory\"")
            let forgedPayload = Data(changed.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let tampered = [parts[0], forgedPayload, parts[2]].joined(separator: ".")
            #expect(service.tokens.verify(tampered) == nil)
            #expect(try await service.request(.post, "/v1/conversations", json: write, key: tampered).status == .unauthorized)
            // Signed with a key the service does not have: refused.
            let stranger = TokenKeyRing()
            #expect(throws: APIError.self) { try stranger.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 60) }
            let otherPool = service.database
            let foreignKey = try await TokenKeyRing.addKey(otherPool)
            try await stranger.reload(from: otherPool)
            _ = try await TokenKeyRing.retireKey(otherPool, id: foreignKey)  // never seen by the service's ring
            let foreign = try stranger.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 60).token
            try await service.tokens.reload(from: service.pool)
            #expect(service.tokens.verify(foreign) == nil)
            #expect(try await service.request(.post, "/v1/conversations", json: write, key: foreign).status == .unauthorized)
            #expect(try await service.request(.post, "/v1/conversations", json: write, key: "not.a.token").status == .unauthorized)
        }
    }

    @Test func rotatingKeysLogsNobodyOutAtOnce() async throws {
        try await TestService.run(suite: "usertokens-rotation") { service in
            let old = try #require(try await mint(service).object["token"] as? String)
            let oldKeys = try await service.database.query("SELECT id FROM token_signing_keys WHERE retired_at IS NULL")
                .map { try $0.decode(String.self, column: 0) }
            let newKey = try await TokenKeyRing.addKey(service.database)
            try await service.tokens.reload(from: service.pool)
            let new = try #require(try await mint(service).object["token"] as? String)
            #expect(new.contains(".") && old != new)
            // Both verify while both keys are active; the newest key signs.
            #expect(service.tokens.verify(old) != nil && service.tokens.verify(new) != nil)
            var headerText = String(new.split(separator: ".")[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while headerText.count % 4 != 0 { headerText += "=" }
            let header = try #require(Data(base64Encoded: headerText))
            #expect(String(decoding: header, as: UTF8.self).contains(newKey))
            // Retiring the old key ends the old tokens only.
            for id in oldKeys { #expect(try await TokenKeyRing.retireKey(service.database, id: id)) }
            try await service.tokens.reload(from: service.pool)
            #expect(service.tokens.verify(old) == nil)
            #expect(service.tokens.verify(new) != nil)
        }
    }

    /// A new key verifies at once but signs only from its activation: an instance that has not reloaded yet never
    /// sees a token signed with a key it does not have.
    @Test func newKeysSignOnlyOnceEveryInstanceCanHaveLoadedThem() async throws {
        try await TestService.run(suite: "usertokens-activation") { service in
            let early = TokenKeyRing(), late = TokenKeyRing()
            try await early.reload(from: service.pool)
            try await late.reload(from: service.pool)  // this instance reloads only later
            let newKey = try await TokenKeyRing.addKey(service.database, signingDelay: .seconds(60))
            try await early.reload(from: service.pool)
            func keyID(_ token: String) throws -> String {
                var text = String(token.split(separator: ".")[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                while text.count % 4 != 0 { text += "=" }
                let data = try #require(Data(base64Encoded: text))
                let header = try JSONSerialization.jsonObject(with: data) as? [String: Any]
                return try #require(header?["kid"] as? String)
            }
            // Now: the instance that loaded the new key still signs with the old one, which every instance verifies.
            let now = try early.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 600).token
            #expect(try keyID(now) != newKey)
            #expect(late.verify(now) != nil && early.verify(now) != nil)
            // From its activation on, the new key signs; instances that loaded it verify its tokens at once.
            let later = try early.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 600, signingTime: Date().addingTimeInterval(61)).token
            #expect(try keyID(later) == newKey)
            #expect(early.verify(later) != nil)
            #expect(late.verify(later) == nil)  // what the delay protects against: `late` had not reloaded
            try await late.reload(from: service.pool)
            #expect(late.verify(later) != nil)
            let pending = try await service.database.query(
                "SELECT extract(epoch FROM signs_from - created_at)::float8 FROM token_signing_keys WHERE id = \(newKey)")[0].decode(
                    Double.self, column: 0)
            #expect(pending > 59 && pending < 61)
        }
    }
}
