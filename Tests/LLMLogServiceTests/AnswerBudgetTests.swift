import Foundation
import HummingbirdTesting
import LLMLogService
import Testing

/// Pages of messages and of conversations are cut by count and by the bytes of stored text they carry, so an answer
/// stays near `maxAnswerBytes` whatever sizes clients stored; the cursors still cover every row exactly once.
@Suite struct AnswerBudgetTests {
    static let suite = "answer-budget"

    static var limits: IngestLimits {
        var limits = IngestLimits()
        limits.maxAnswerBytes = 100_000
        return limits
    }

    @Test func messagePagesEndAtTheBudget() async throws {
        try await TestService.run(suite: Self.suite, limits: Self.limits) { service in
            let conversation = try await HostileTenantTests.conversation(service, key: service.tenant.ingestKey)
            let sizes = [40_000, 40_000, 40_000, 150_000, 10, 10, 40_000]
            for (index, size) in sizes.enumerated() {
                let body = TestService.json(["role": "USER", "content": String(repeating: Character(UnicodeScalar(UInt8(97 + index))), count: size)])
                #expect(try await service.request(.post, "/v1/conversations/\(conversation.id)/messages", json: body).status == .created)
            }
            var pages: [[Int]] = []
            var after: Int?
            repeat {
                let query = after.map { "&after=\($0)" } ?? ""
                let page = try await service.request(.get, "/v1/conversations/\(conversation.id)?limit=200\(query)", key: service.tenant.adminKey)
                #expect(page.status == .ok)
                #expect(page.body.readableBytes < 200_000, "an answer of \(page.body.readableBytes) bytes")
                let messages = page.object["messages"] as? [[String: Any]] ?? []
                pages.append(messages.compactMap { $0["messageIndex"] as? Int })
                after = page.object["nextCursor"] as? Int
            } while after != nil && pages.count < 20
            // Two 40 KB messages fit 100 KB, a third does not; a 150 KB message comes alone; the small ones join the next.
            #expect(pages == [[0, 1], [2], [3], [4, 5, 6]])
        }
    }

    @Test func conversationPagesEndAtTheBudget() async throws {
        try await TestService.run(suite: Self.suite, limits: Self.limits) { service in
            let user = "budget-\(UUID().uuidString.prefix(8))"
            var created: [String] = []
            for index in 0..<5 {
                let body = TestService.json([
                    "type": "CHAT", "provider": "openai", "model": "gpt-4o", "userId": user,
                    "metadata": ["notes": String(repeating: "n", count: 30_000)], "title": "t\(index)",
                ])
                let record = try await service.request(.post, "/v1/conversations", json: body).decode(ConversationRecord.self)
                created.append(record.id.uuidString.lowercased())
            }
            var pages: [[String]] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await service.request(.get, "/v1/conversations?userId=\(user)&limit=50\(query)", key: service.tenant.adminKey)
                #expect(page.status == .ok)
                let conversations = page.object["conversations"] as? [[String: Any]] ?? []
                pages.append(conversations.compactMap { $0["id"] as? String })
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil && pages.count < 10
            #expect(pages.map(\.count) == [3, 2])
            #expect(Set(pages.flatMap { $0 }) == Set(created) && pages.flatMap { $0 }.count == 5)
        }
    }
}
