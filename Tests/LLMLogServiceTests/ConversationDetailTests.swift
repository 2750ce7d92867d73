import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// GET /v1/conversations/{id}: who may read what, and paging through long conversations.
@Suite struct ConversationDetailTests {
    func token(_ service: TestService, user: String) async throws -> String {
        try #require(
            try await service.request(.post, "/v1/tokens", json: TestService.json(["userId": user]), key: service.tenant.adminKey)
                .object["token"] as? String)
    }

    @Test func accessRulesPerPrincipal() async throws {
        try await TestService.run(suite: "detail") { service in
            let alices = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "alice"}"#
            )
            .decode(ConversationRecord.self)
            let anonymous = try await service.request(.post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#)
                .decode(ConversationRecord.self)
            for n in 0..<3 {
                _ = try await service.request(
                    .post, "/v1/conversations/\(alices.id)/messages", json: TestService.json(["role": "USER", "content": "m\(n)"]))
            }
            let alice = try await token(service, user: "alice"), bob = try await token(service, user: "bob")
            let other = try await service.tenants.createTenant(name: "detail-other-\(UUID().uuidString.prefix(6))")
            let operatorKey = try await service.tenants.createOperatorKey().key
            let path = "/v1/conversations/\(alices.id)"
            let expectations: [(String, String, Int)] = [
                ("admin", service.tenant.adminKey, 200), ("alice", alice, 200), ("bob", bob, 404),
                ("ingest", service.tenant.ingestKey, 403), ("other tenant admin", other.adminKey, 404),
                ("operator", operatorKey, 403), ("nobody", "", 401), ("revoked-looking", "llmlog_ak_nope", 401),
            ]
            for (who, key, status) in expectations {
                let response = try await service.request(.get, path, key: key)
                #expect(Int(response.status.code) == status, "\(who)")
            }
            let detail = try await service.request(.get, path, key: alice).object
            #expect(detail["id"] as? String == alices.id.uuidString.lowercased())
            #expect((detail["messages"] as? [[String: Any]])?.map { $0["content"] as? String } == ["m0", "m1", "m2"])
            #expect(detail["nextCursor"] is NSNull)
            // Anonymous conversations: admins only.
            #expect(try await service.request(.get, "/v1/conversations/\(anonymous.id)", key: service.tenant.adminKey).status == .ok)
            #expect(try await service.request(.get, "/v1/conversations/\(anonymous.id)", key: alice).status == .notFound)
            #expect(try await service.request(.get, "/v1/conversations/\(UUID())", key: service.tenant.adminKey).status == .notFound)
            let bad = try await service.request(.get, "/v1/conversations/not-a-uuid", key: service.tenant.adminKey)
            #expect(bad.status == .badRequest && bad.errorField == "id")
        }
    }

    @Test func pagingReturnsEveryMessageOnceInOrder() async throws {
        try await TestService.run(suite: "detail") { service in
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            )
            .decode(ConversationRecord.self)
            let events = (0..<23).map {
                [
                    "id": "m\($0)", "type": "message.create",
                    "body": ["conversationId": conversation.id.uuidString, "role": "USER", "content": "c\($0)"],
                ] as [String: Any]
            }
            _ = try await service.request(.post, "/v1/batch", json: TestService.json(["events": events]))
            var seen: [String] = []
            var after: Int? = nil
            var pages = 0
            repeat {
                let uri = "/v1/conversations/\(conversation.id)?limit=5" + (after.map { "&after=\($0)" } ?? "")
                let page = try await service.request(.get, uri, key: service.tenant.adminKey).object
                seen += (page["messages"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
                after = page["nextCursor"] as? Int
                pages += 1
            } while after != nil && pages < 20
            #expect(seen == (0..<23).map { "c\($0)" })
            #expect(pages == 5)
            let badLimit = try await service.request(.get, "/v1/conversations/\(conversation.id)?limit=0", key: service.tenant.adminKey)
            #expect(badLimit.status == .badRequest && badLimit.errorField == "limit")
            let badCursor = try await service.request(.get, "/v1/conversations/\(conversation.id)?after=abc", key: service.tenant.adminKey)
            #expect(badCursor.status == .badRequest && badCursor.errorField == "after")
        }
    }
}
