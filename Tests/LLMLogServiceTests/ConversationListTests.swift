import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// GET /v1/conversations: newest first, keyset pages that return every visible conversation exactly once.
@Suite struct ConversationListTests {
    @Test func pagesCoverEveryVisibleConversationExactlyOnce() async throws {
        try await TestService.run(suite: "list") { service in
            var expected: [(id: UUID, user: String?, type: String, createdAt: Date)] = []
            let base = Date().addingTimeInterval(-86_400).roundedToMicroseconds
            for n in 0..<37 {
                let user: String? = [nil, "alice", "bob"][n % 3]
                let type = n % 4 == 0 ? "RESUME_ANALYSIS" : "CHAT"
                // Several share a createdAt: the id breaks ties.
                let createdAt = base.addingTimeInterval(Double(n / 2) * 60)
                var body: [String: Any] = ["type": type, "provider": "openai", "model": "gpt-4o", "createdAt": ISO8601.format(createdAt)]
                if let user { body["userId"] = user }
                let record = try await service.request(.post, "/v1/conversations", json: TestService.json(body)).decode(ConversationRecord.self)
                expected.append((record.id, user, type, createdAt))
            }
            func walk(key: String, query: String) async throws -> [UUID] {
                var ids: [UUID] = []
                var cursor: String?
                repeat {
                    let uri = "/v1/conversations?limit=7" + query + (cursor.map { "&cursor=\($0)" } ?? "")
                    let response = try await service.request(.get, uri, key: key)
                    #expect(response.status == .ok)
                    let page = response.object
                    ids += (page["conversations"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? String).flatMap { UUID(uuidString: $0) } }
                    cursor = page["nextCursor"] as? String
                } while cursor != nil && ids.count < 1000
                return ids
            }
            func newestFirst(_ rows: [(id: UUID, user: String?, type: String, createdAt: Date)]) -> [UUID] {
                rows.sorted { ($0.createdAt, $0.id.uuidString.lowercased()) > ($1.createdAt, $1.id.uuidString.lowercased()) }.map(\.id)
            }
            #expect(try await walk(key: service.tenant.adminKey, query: "") == newestFirst(expected))
            let alice = try #require(
                try await service.request(.post, "/v1/tokens", json: #"{"userId": "alice"}"#, key: service.tenant.adminKey).object["token"] as? String
            )
            #expect(try await walk(key: alice, query: "") == newestFirst(expected.filter { $0.user == "alice" }))
            #expect(
                try await walk(key: service.tenant.adminKey, query: "&userId=bob&type=CHAT")
                    == newestFirst(expected.filter { $0.user == "bob" && $0.type == "CHAT" }))
            let from = base.addingTimeInterval(5 * 60), to = base.addingTimeInterval(12 * 60)
            #expect(
                try await walk(key: service.tenant.adminKey, query: "&from=\(ISO8601.format(from))&to=\(ISO8601.format(to))")
                    == newestFirst(expected.filter { $0.createdAt >= from && $0.createdAt < to }))
            // Another tenant sees none of them.
            let other = try await service.tenants.createTenant(name: "list-other-\(UUID().uuidString.prefix(6))")
            #expect(try await walk(key: other.adminKey, query: "").isEmpty)
            // Bad parameters name themselves; users may not filter by another user.
            for (query, field) in [
                ("limit=0", "limit"), ("limit=201", "limit"), ("type=chat", "type"), ("status=DONE", "status"),
                ("from=yesterday", "from"), ("cursor=garbage", "cursor"),
            ] {
                let response = try await service.request(.get, "/v1/conversations?\(query)", key: service.tenant.adminKey)
                #expect(response.status == .badRequest && response.errorField == field, "\(query)")
            }
            let snooping = try await service.request(.get, "/v1/conversations?userId=bob", key: alice)
            #expect(snooping.status == .forbidden && snooping.errorField == "userId")
            #expect(try await service.request(.get, "/v1/conversations", key: service.tenant.ingestKey).status == .forbidden)
        }
    }

    /// The page size limit is a setting (LLMLOG_MAX_PAGE_SIZE), read from the environment like every other.
    @Test func thePageSizeLimitIsConfigurable() async throws {
        let configuration = try ServiceConfiguration.fromEnvironment(["LLMLOG_MAX_PAGE_SIZE": "3", "LLMLOG_READ_TIMEOUT_MS": "750"])
        #expect(configuration.limits.maxPageSize == 3 && configuration.readTimeout == .milliseconds(750))
        try await TestService.run(suite: "list-limits", limits: configuration.limits) { service in
            for _ in 0..<4 {
                #expect(
                    try await service.request(.post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#).status
                        == .created)
            }
            let tooLarge = try await service.request(.get, "/v1/conversations?limit=4", key: service.tenant.adminKey)
            #expect(tooLarge.status == .badRequest && tooLarge.errorField == "limit")
            let page = try await service.request(.get, "/v1/conversations", key: service.tenant.adminKey)
            #expect((page.object["conversations"] as? [Any])?.count == 3 && page.object["nextCursor"] is String)
            let users = try await service.request(.get, "/v1/admin/analytics?limit=4", key: service.tenant.adminKey)
            #expect(users.status == .badRequest && users.errorField == "limit")
        }
    }
}
