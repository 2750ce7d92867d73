import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LLMLogService

/// The dashboard's pages and the exports against the real database: what each caller sees, escaping of stored
/// markup, text search, and exports that equal what the API returns.
@Suite struct DashboardPagesTests {
    /// Two conversations of alice and one of bob, with messages; one message holds markup.
    static func seed(_ service: TestService) async throws -> (alice: [UUID], bob: UUID) {
        func conversation(_ user: String, _ type: String, _ title: String) async throws -> UUID {
            let body = TestService.json(["type": type, "provider": "anthropic", "model": "claude-sonnet-4-5", "userId": user, "title": title])
            return try await service.request(.post, "/v1/conversations", json: body).decode(ConversationRecord.self).id
        }
        func message(_ id: UUID, _ role: String, _ content: String) async throws {
            let body = TestService.json([
                "role": role, "content": content, "inputTokens": 100, "cachedInputTokens": 20, "outputTokens": 30,
                "processingTime": 1200, "finishReason": "end_turn",
            ])
            #expect(try await service.request(.post, "/v1/conversations/\(id.lowercasedString)/messages", json: body).status == .created)
        }
        let a1 = try await conversation("alice", "CHAT", "First <b>chat</b>")
        try await message(a1, "USER", "<script>document.title='pwned'</script> hello, world")
        try await message(a1, "ASSISTANT", "Plain answer about zebras")
        let a2 = try await conversation("alice", "RESUME_ANALYSIS", "Resume")
        try await message(a2, "USER", "Please review my resume")
        let b = try await conversation("bob", "CHAT", "Bob's")
        try await message(b, "USER", "bob talks about zebras too")
        return ([a1, a2], b)
    }

    @Test func pagesShowWhatTheCallerMaySeeEscaped() async throws {
        try await TestService.run(suite: "dashboard-pages") { service in
            let (alice, bob) = try await Self.seed(service)
            let admin = try #require(try await service.dashboardLogin(service.tenant.adminKey))
            let list = try await service.dashboard("/dashboard/conversations", session: admin)
            #expect(list.status == .ok)
            for id in alice + [bob] { #expect(list.text.contains("data-conversation-id=\"\(id.lowercasedString)\"")) }
            #expect(list.text.contains("First &lt;b&gt;chat&lt;/b&gt;") && !list.text.contains("<b>chat"))

            let detail = try await service.dashboard("/dashboard/conversations/\(alice[0].lowercasedString)", session: admin)
            #expect(detail.status == .ok)
            #expect(detail.text.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"))
            #expect(!detail.text.contains("<script"))
            #expect(detail.text.components(separatedBy: "data-message-id=").count - 1 == 2)
            #expect(detail.text.contains("finish: end_turn") && detail.text.contains("cache read: 20"))

            // A user sees its own conversations only; another user's is a 404 page, as is another tenant's.
            let token = try #require(
                try await service.request(.post, "/v1/tokens", json: #"{"userId": "alice"}"#, key: service.tenant.adminKey)
                    .object["token"] as? String)
            let user = try #require(try await service.dashboardLogin(token))
            let own = try await service.dashboard("/dashboard/conversations", session: user)
            #expect(own.text.contains(alice[0].lowercasedString) && !own.text.contains(bob.lowercasedString))
            let notHers = try await service.dashboard("/dashboard/conversations/\(bob.lowercasedString)", session: user)
            #expect(notHers.status == .notFound && notHers.headers[.contentType] == "text/html; charset=utf-8")
            #expect(notHers.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
            let other = try await service.tenants.createTenant(name: "dash-other-\(UUID().uuidString.prefix(6))")
            let otherAdmin = try #require(try await service.dashboardLogin(other.adminKey))
            #expect(try await service.dashboard("/dashboard/conversations/\(alice[0].lowercasedString)", session: otherAdmin).status == .notFound)
            #expect(try await service.dashboard("/dashboard/conversations/not-a-uuid", session: otherAdmin).status == .notFound)
            let nowhere = try await service.dashboard("/dashboard/no/such/page", session: admin)
            #expect(nowhere.status == .notFound && nowhere.headers[.contentType] == "text/html; charset=utf-8")
            #expect(!(try await service.dashboard("/dashboard/conversations", session: otherAdmin).text.contains("data-conversation-id")))

            // Filters and text search (once indexed); bad input is a 400 page naming the field.
            try await service.indexSearch()
            let zebras = try await service.dashboard("/dashboard/conversations?q=ZEBRAS", session: admin)
            #expect(
                zebras.text.contains(alice[0].lowercasedString) && zebras.text.contains(bob.lowercasedString)
                    && !zebras.text.contains(alice[1].lowercasedString))
            let resumes = try await service.dashboard("/dashboard/conversations?type=RESUME_ANALYSIS&userId=alice", session: admin)
            #expect(resumes.text.contains(alice[1].lowercasedString) && !resumes.text.contains(alice[0].lowercasedString))
            let percent = try await service.dashboard("/dashboard/conversations?q=%25", session: admin)
            #expect(!percent.text.contains("data-conversation-id"), "% is taken literally")
            let bad = try await service.dashboard("/dashboard/conversations?status=DONE", session: admin)
            #expect(bad.status == .badRequest && bad.text.contains("<code>status</code>"))
            #expect(try await service.dashboard("/dashboard?days=5", session: admin).status == .badRequest)
            #expect(try await service.dashboard("/dashboard/conversations?userId=bob", session: user).status == .forbidden)

            // The API's list searches too.
            let api = try await service.request(.get, "/v1/conversations?q=zebras&model=claude-sonnet-4-5", key: service.tenant.adminKey)
            #expect((api.object["conversations"] as? [Any])?.count == 2)
            #expect(
                try await service.request(.get, "/v1/conversations?q=zebras", key: token).object["conversations"].map { ($0 as? [Any])?.count } == 1)
        }
    }

    @Test func overviewFiguresEqualTheUsageAPI() async throws {
        try await TestService.run(suite: "dashboard-overview") { service in
            _ = try await Self.seed(service)
            let admin = try #require(try await service.dashboardLogin(service.tenant.adminKey))
            let page = try await service.dashboard("/dashboard?days=7", session: admin).text
            let totals = try #require(
                try await service.request(.get, "/v1/analytics/usage?days=7", key: service.tenant.adminKey).object["totals"]
                    as? [String: Any])
            var values: [String: String] = [:]
            for match in page.matches(of: /data-metric="([A-Za-z0-9]+)" data-value="([^"]*)"/) { values[String(match.1)] = String(match.2) }
            #expect(values.count >= 10)
            for (metric, value) in values {
                let expected = totals[metric]
                if expected is NSNull {
                    #expect(value == "", "\(metric)")
                } else {
                    // Foundation's JSON parser on Linux can be one ulp off for 17-digit numbers: compare within 1e-12.
                    let shown = try #require(Double(value)), api = try #require((expected as? NSNumber)?.doubleValue)
                    #expect(abs(shown - api) <= 1e-12 * max(1, abs(api)), "\(metric): \(value) vs \(api)")
                }
            }
            #expect(values["messages"] == "4" && values["conversations"] == "3")
            #expect(page.contains("<svg") && page.contains("<title>"))
        }
    }

    @Test func exportsEqualTheAPIAndKeepVisibility() async throws {
        try await TestService.run(suite: "dashboard-export") { service in
            let (alice, bob) = try await Self.seed(service)
            let key = service.tenant.adminKey
            // NDJSON: every line is what the API's list answers, in the same order.
            let listed = try await service.request(.get, "/v1/conversations", key: key)
            let ndjson = try await service.request(.get, "/v1/export/conversations", key: key)
            #expect(ndjson.status == .ok && ndjson.headers[.contentType] == "application/x-ndjson")
            let lines = ndjson.text.split(separator: "\n")
            #expect(lines.count == 3)
            let exported = try lines.map { try APIJSON.decoder().decode(ConversationRecord.self, from: Data($0.utf8)) }
            let fromList = try listed.decode(ListPage.self).conversations
            #expect(exported == fromList)
            // Messages: each equals the detail's.
            let messages = try await service.request(.get, "/v1/export/messages", key: key)
            let exportedMessages = try messages.text.split(separator: "\n").map {
                try APIJSON.decoder().decode(MessageRecord.self, from: Data($0.utf8))
            }
            #expect(exportedMessages.count == 4)
            var fromDetails: [MessageRecord] = []
            for id in alice + [bob] {
                fromDetails += try await service.request(.get, "/v1/conversations/\(id.lowercasedString)", key: key)
                    .decode(DetailPage.self).messages
            }
            #expect(Set(exportedMessages.map(\.id)) == Set(fromDetails.map(\.id)))
            for message in exportedMessages { #expect(fromDetails.first { $0.id == message.id } == message) }
            // CSV: a header and one record per row; markup and commas quoted as needed.
            let csv = try await service.request(.get, "/v1/export/messages?format=csv", key: key)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.hasPrefix("id,conversationId,role,content,"))
            #expect(csv.text.contains("\"<script>document.title='pwned'</script> hello, world\""))
            #expect(csv.text.components(separatedBy: "\r\n").count - 1 == 5)
            // Filters and visibility.
            let token = try #require(try await service.request(.post, "/v1/tokens", json: #"{"userId": "bob"}"#, key: key).object["token"] as? String)
            let bobs = try await service.request(.get, "/v1/export/conversations", key: token)
            #expect(bobs.text.split(separator: "\n").count == 1 && bobs.text.contains(bob.lowercasedString))
            let typed = try await service.request(.get, "/v1/export/conversations?type=RESUME_ANALYSIS&format=csv", key: key)
            #expect(typed.text.components(separatedBy: "\r\n").count - 1 == 2 && typed.text.contains(alice[1].lowercasedString))
            let other = try await service.tenants.createTenant(name: "export-other-\(UUID().uuidString.prefix(6))")
            #expect(try await service.request(.get, "/v1/export/messages", key: other.adminKey).text.isEmpty)
            #expect(try await service.request(.get, "/v1/export/messages", key: service.tenant.ingestKey).status == .forbidden)
            #expect(try await service.request(.get, "/v1/export/messages", key: "").status == .unauthorized)
            let badFormat = try await service.request(.get, "/v1/export/conversations?format=xml", key: key)
            #expect(badFormat.status == .badRequest && badFormat.errorField == "format")
            #expect(try await service.request(.get, "/v1/export/conversations?userId=x", key: token).errorField == "userId")
            // The dashboard's export buttons answer the same rows with the session.
            let session = try #require(try await service.dashboardLogin(key))
            let viaDashboard = try await service.dashboard("/dashboard/export/conversations", session: session)
            #expect(viaDashboard.text == ndjson.text)
        }
    }
}

/// The parts of the API's answers the export is compared with.
struct ListPage: Decodable { let conversations: [ConversationRecord] }
struct DetailPage: Decodable { let messages: [MessageRecord] }

/// Exports whose pages the answer budget cuts short still carry every row exactly once.
@Suite struct ExportPagingTests {
    @Test func budgetCutPagesExportEveryRowOnce() async throws {
        var limits = IngestLimits()
        limits.maxAnswerBytes = 1_500  // two rows of overhead: every page is cut after one or two rows
        try await TestService.run(suite: "export-paging", limits: limits) { service in
            var expected: Set<UUID> = []
            for n in 0..<5 {
                let body = TestService.json(["type": "CHAT", "provider": "openai", "model": "gpt-4o", "title": "c\(n)"])
                let id = try await service.request(.post, "/v1/conversations", json: body).decode(ConversationRecord.self).id
                for m in 0..<3 {
                    let message = try await service.request(
                        .post, "/v1/conversations/\(id.lowercasedString)/messages",
                        json: TestService.json(["role": "USER", "content": "message \(m) of \(n)"]))
                    expected.insert(try message.decode(MessageRecord.self).id)
                }
            }
            let messages = try await service.request(.get, "/v1/export/messages", key: service.tenant.adminKey)
            let ids = try messages.text.split(separator: "\n").map { try APIJSON.decoder().decode(MessageRecord.self, from: Data($0.utf8)).id }
            #expect(ids.count == 15 && Set(ids) == expected)
            let conversations = try await service.request(.get, "/v1/export/conversations?format=csv", key: service.tenant.adminKey)
            #expect(conversations.text.components(separatedBy: "\r\n").count - 1 == 6)
        }
    }
}
