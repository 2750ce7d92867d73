import Foundation
import HummingbirdTesting
import PGClient
import Testing

@testable import LLMLogService

/// Feedback scores (issue #17): stored and listed, validated field by field, idempotent under a client id, walled by
/// tenant and user like conversations, and removed with their user by erasure.
@Suite struct ScoreTests {
    static let suite = "scores"

    static func conversation(_ service: TestService, userId: String = "u", key: String? = nil) async throws -> ConversationRecord {
        let body = #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": "\#(userId)"}"#
        return try await service.request(.post, "/v1/conversations", json: body, key: key).decode(ConversationRecord.self)
    }

    static func message(_ service: TestService, _ conversation: UUID) async throws -> MessageRecord {
        try await service.request(
            .post, "/v1/conversations/\(conversation.lowercasedString)/messages", json: #"{"role": "ASSISTANT", "content": "hi"}"#
        )
        .decode(MessageRecord.self)
    }

    /// The scores stored for the test's tenant (suites share a database; tests of one suite run side by side).
    static func scoreCount(_ service: TestService) async throws -> Int {
        try await service.database.query("SELECT count(*) FROM llm_scores WHERE tenant_id = \(service.tenant.tenantId)")[0].decode(
            Int.self, column: 0)
    }

    static func path(_ conversation: UUID, message: UUID? = nil) -> String {
        let base = "/v1/conversations/\(conversation.lowercasedString)"
        return message.map { "\(base)/messages/\($0.lowercasedString)/scores" } ?? "\(base)/scores"
    }

    @Test func scoresAreStoredListedAndTakeTheirSourceFromTheCaller() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await Self.conversation(service)
            let message = try await Self.message(service, conversation.id)

            let automated = try await service.request(.post, Self.path(conversation.id), json: #"{"name": "helpfulness", "value": 0.75}"#)
            #expect(automated.status == .created, "\(String(buffer: automated.body))")
            let record = try automated.decode(ScoreRecord.self)
            #expect(record.conversationId == conversation.id && record.messageId == nil)
            #expect(record.name == "helpfulness" && record.value == .number(0.75) && record.source == .automated && record.comment == nil)
            #expect(automated.object["messageId"] is NSNull && automated.object["comment"] is NSNull)

            let admin = try await service.request(
                .post, Self.path(conversation.id, message: message.id), json: #"{"name": "tone", "value": "good", "comment": "polite"}"#,
                key: service.tenant.adminKey)
            #expect(admin.status == .created, "\(String(buffer: admin.body))")
            let adminRecord = try admin.decode(ScoreRecord.self)
            #expect(adminRecord.messageId == message.id && adminRecord.value == .category("good") && adminRecord.source == .admin)
            #expect(adminRecord.comment == "polite")

            let chosen = try await service.request(
                .post, Self.path(conversation.id), json: #"{"name": "thumbs", "value": 1, "source": "user"}"#)
            #expect(chosen.status == .created && chosen.object["source"] as? String == "user")

            let list = try await service.request(.get, Self.path(conversation.id), key: service.tenant.adminKey)
            #expect(list.status == .ok, "\(String(buffer: list.body))")
            let scores = try #require(list.object["scores"] as? [[String: Any]])
            #expect(scores.compactMap { $0["name"] as? String } == ["helpfulness", "tone", "thumbs"])
            #expect(list.object["nextCursor"] is NSNull)

            // Pages: two, then one, chained by the cursor.
            let first = try await service.request(.get, Self.path(conversation.id) + "?limit=2", key: service.tenant.adminKey)
            let cursor = try #require(first.object["nextCursor"] as? String)
            #expect((first.object["scores"] as? [Any])?.count == 2 && cursor == adminRecord.id.lowercasedString)
            let second = try await service.request(.get, Self.path(conversation.id) + "?limit=2&after=\(cursor)", key: service.tenant.adminKey)
            #expect(((second.object["scores"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["thumbs"])
            #expect(second.object["nextCursor"] is NSNull)

            // The ingest key writes but does not read.
            #expect(try await service.request(.get, Self.path(conversation.id)).status == .forbidden)
            let stored = try await service.database.query(
                "SELECT count(*), count(*) FILTER (WHERE user_id = 'u') FROM llm_scores WHERE conversation_id = \(conversation.id)")
            #expect(try stored[0].decode((Int, Int).self) == (3, 3))
        }
    }

    @Test func badInputIs400NamingTheField() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await Self.conversation(service)
            let path = Self.path(conversation.id)
            let long = String(repeating: "x", count: 101)
            let cases: [(String, String)] = [
                (#"{"value": 1}"#, "name"),
                (#"{"name": "", "value": 1}"#, "name"),
                (#"{"name": "has space", "value": 1}"#, "name"),
                (#"{"name": "\#(long)", "value": 1}"#, "name"),
                (#"{"name": "n"}"#, "value"),
                (#"{"name": "n", "value": true}"#, "value"),
                (#"{"name": "n", "value": null}"#, "value"),
                (#"{"name": "n", "value": {"a": 1}}"#, "value"),
                (#"{"name": "n", "value": 1e400}"#, "value"),
                (#"{"name": "n", "value": ""}"#, "value"),
                (#"{"name": "n", "value": "\#(long)"}"#, "value"),
                (#"{"name": "n", "value": "a\u0000b"}"#, "value"),
                (#"{"name": "n", "value": 1, "comment": "\#(String(repeating: "c", count: 2001))"}"#, "comment"),
                (#"{"name": "n", "value": 1, "source": "robot"}"#, "source"),
                (#"{"name": "n", "value": 1, "id": "nope"}"#, "id"),
            ]
            for (body, field) in cases {
                let response = try await service.request(.post, path, json: body)
                #expect(response.status == .badRequest && response.errorField == field, "\(body): \(String(buffer: response.body))")
            }
            let badMessage = try await service.request(
                .post, "/v1/conversations/\(conversation.id.lowercasedString)/messages/x/scores", json: #"{"name": "n", "value": 1}"#)
            #expect(badMessage.status == .badRequest && badMessage.errorField == "messageId")
            let badId = try await service.request(.post, "/v1/conversations/x/scores", json: #"{"name": "n", "value": 1}"#)
            #expect(badId.status == .badRequest)
            let badCursor = try await service.request(.get, path + "?after=x", key: service.tenant.adminKey)
            #expect(badCursor.status == .badRequest && badCursor.errorField == "after")
            // Exactly 100 characters and 2000 characters of comment are fine.
            let edge = try await service.request(
                .post, path,
                json:
                    #"{"name": "\#(String(repeating: "n", count: 100))", "value": "\#(String(repeating: "é", count: 100))", "comment": "\#(String(repeating: "c", count: 2000))"}"#
            )
            #expect(edge.status == .created, "\(String(buffer: edge.body))")
            #expect(try await Self.scoreCount(service) == 1)
        }
    }

    @Test func aClientIdMakesTheWriteIdempotent() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await Self.conversation(service)
            let id = UUID().lowercasedString
            let body = #"{"id": "\#(id)", "name": "helpfulness", "value": 0.5, "comment": "ok"}"#
            let first = try await service.request(.post, Self.path(conversation.id), json: body)
            #expect(first.status == .created && first.object["id"] as? String == id)
            let again = try await service.request(.post, Self.path(conversation.id), json: body)
            #expect(again.status == .created)
            #expect(try again.decode(ScoreRecord.self) == first.decode(ScoreRecord.self))

            let other = try await service.request(.post, Self.path(conversation.id), json: #"{"id": "\#(id)", "name": "helpfulness", "value": 0.6}"#)
            #expect(other.status == .conflict && other.errorCode == "idempotency_conflict" && other.errorField == "id")
            // The same body from an admin key is a score with another source: another body.
            let asAdmin = try await service.request(.post, Self.path(conversation.id), json: body, key: service.tenant.adminKey)
            #expect(asAdmin.status == .conflict)
            // The same body on another conversation too.
            let elsewhere = try await Self.conversation(service)
            #expect(try await service.request(.post, Self.path(elsewhere.id), json: body).status == .conflict)
            #expect(try await Self.scoreCount(service) == 1)
        }
    }

    @Test func otherTenantsAndUsersSee404AndUserTokensScoreAsUsers() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let other = try await service.tenants.createTenant(name: "other-\(UUID().uuidString.prefix(8))")
            let mine = try await Self.conversation(service, userId: "alice")
            let message = try await Self.message(service, mine.id)
            let theirs = try await Self.conversation(service, userId: "alice", key: other.ingestKey)
            let body = #"{"name": "thumbs", "value": "up"}"#

            // Another tenant's conversation, an unknown one, and a message of another conversation: 404.
            let crossTenant = try await service.request(.post, Self.path(theirs.id), json: body)
            #expect(crossTenant.status == .notFound && crossTenant.errorField == "id")
            #expect(try await service.request(.post, Self.path(UUID()), json: body).status == .notFound)
            #expect(try await service.request(.get, Self.path(theirs.id), key: service.tenant.adminKey).status == .notFound)
            let foreignMessage = try await service.request(.post, Self.path(theirs.id, message: message.id), json: body, key: other.ingestKey)
            #expect(foreignMessage.status == .notFound && foreignMessage.errorField == "messageId")

            let alice = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "alice", ttl: 600).token
            let bob = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "bob", ttl: 600).token
            let own = try await service.request(.post, Self.path(mine.id, message: message.id), json: body, key: alice)
            #expect(own.status == .created && own.object["source"] as? String == "user", "\(String(buffer: own.body))")
            let explicit = try await service.request(
                .post, Self.path(mine.id), json: #"{"name": "thumbs", "value": "up", "source": "user"}"#, key: alice)
            #expect(explicit.status == .created)
            let pretending = try await service.request(
                .post, Self.path(mine.id), json: #"{"name": "thumbs", "value": "up", "source": "admin"}"#, key: alice)
            #expect(pretending.status == .forbidden && pretending.errorField == "source" && pretending.errorCode == "source_not_allowed")
            let bobs = try await service.request(.post, Self.path(mine.id), json: body, key: bob)
            #expect(bobs.status == .notFound)
            #expect(try await service.request(.get, Self.path(mine.id), key: bob).status == .notFound)
            let listed = try await service.request(.get, Self.path(mine.id), key: alice)
            #expect((listed.object["scores"] as? [Any])?.count == 2)
            // An anonymous conversation is no user's to score.
            let anonymous = try await service.request(.post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "p", "model": "m"}"#)
                .decode(ConversationRecord.self)
            #expect(try await service.request(.post, Self.path(anonymous.id), json: body, key: alice).status == .notFound)
            #expect(try await Self.scoreCount(service) == 2)
        }
    }

    @Test func erasureAndRetentionRemoveScoresAndTheExportListsThem() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let admin = service.tenant.adminKey
            let erased = try await Self.conversation(service, userId: "erase-me")
            let message = try await Self.message(service, erased.id)
            let kept = try await Self.conversation(service, userId: "keep-me")
            for (conversation, messageId) in [(erased.id, nil), (erased.id, message.id), (kept.id, nil)] as [(UUID, UUID?)] {
                let response = try await service.request(.post, Self.path(conversation, message: messageId), json: #"{"name": "q", "value": 1}"#)
                #expect(response.status == .created)
            }
            let export = try await service.request(.get, "/v1/users/erase-me/export", key: admin)
            let lines = String(buffer: export.body).split(separator: "\n").map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
            }
            #expect(lines.compactMap { $0["record"] as? String } == ["conversation", "message", "score", "score"])

            #expect(try await service.request(.delete, "/v1/users/erase-me", key: admin).status == .ok)
            let left = try await service.database.query(
                "SELECT count(*) FILTER (WHERE user_id = 'erase-me'), count(*) FILTER (WHERE conversation_id = \(kept.id)) FROM llm_scores WHERE tenant_id = \(service.tenant.tenantId)"
            )
            #expect(try left[0].decode((Int, Int).self) == (0, 1))

            // Retention's removal of messages and conversations takes their scores along.
            #expect(try await service.request(.patch, "/v1/tenant/settings", json: #"{"retentionDays": 30}"#, key: admin).status == .ok)
            let later = Date().addingTimeInterval(400 * 86_400)
            #expect(try await Retention(pool: service.pool, logger: .init(label: "test")).runOnce(now: later).ran)
            #expect(try await Self.scoreCount(service) == 0)
            let conversations = try await service.database.query(
                "SELECT count(*) FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)")
            #expect(try conversations[0].decode(Int.self, column: 0) == 0)
        }
    }
}

extension ScoreTests {
    /// Every answer of the score routes matches the OpenAPI document (the schemathesis run in CI checks the same).
    @Test func answersConformToTheDocument() async throws {
        let document = try OpenAPIDocument.load()
        try await TestService.run(suite: Self.suite) { service in
            func check(
                _ response: TestResponse, _ method: String, _ path: String, _ status: String, sourceLocation: SourceLocation = #_sourceLocation
            ) {
                OpenAPIDocumentTests.expectConforms(document, response, method, path, status, sourceLocation: sourceLocation)
            }
            let conversationPath = "/v1/conversations/{id}/scores"
            let messagePath = "/v1/conversations/{id}/messages/{messageId}/scores"
            let conversation = try await Self.conversation(service)
            let message = try await Self.message(service, conversation.id)
            let full: [String: Any] = ["id": UUID().uuidString, "name": "helpfulness", "value": 0.8, "comment": "fine", "source": "automated"]
            try OpenAPIDocumentTests.expectValid(document, full, schema: "ScoreCreateRequest")
            check(try await service.request(.post, Self.path(conversation.id), json: TestService.json(full)), "POST", conversationPath, "201")
            check(
                try await service.request(.post, Self.path(conversation.id, message: message.id), json: #"{"name": "thumbs", "value": "up"}"#),
                "POST", messagePath, "201")
            check(
                try await service.request(.post, Self.path(conversation.id), json: #"{"name": "x y", "value": 1}"#), "POST", conversationPath, "400")
            check(try await service.request(.post, Self.path(UUID()), json: #"{"name": "x", "value": 1}"#), "POST", conversationPath, "404")
            check(
                try await service.request(.post, Self.path(conversation.id, message: UUID()), json: #"{"name": "x", "value": 1}"#), "POST",
                messagePath, "404")
            var changed = full
            changed["value"] = 0.9
            check(try await service.request(.post, Self.path(conversation.id), json: TestService.json(changed)), "POST", conversationPath, "409")
            check(
                try await service.request(.post, Self.path(conversation.id), json: #"{"name": "x", "value": 1}"#, key: ""), "POST", conversationPath,
                "401")
            let list = try await service.request(.get, Self.path(conversation.id), key: service.tenant.adminKey)
            check(list, "GET", conversationPath, "200")
            #expect(Set((list.object["scores"] as? [[String: Any]])?.first?.keys.map { $0 } ?? []) == document.propertyNames(of: "Score"))
            check(try await service.request(.get, Self.path(conversation.id)), "GET", conversationPath, "403")
            check(try await service.request(.get, Self.path(UUID()), key: service.tenant.adminKey), "GET", conversationPath, "404")
        }
    }
}
