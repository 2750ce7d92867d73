import Foundation
import PGClient
import Testing

@testable import LLMLogService

/// Messages carry the prompt that produced them (`promptName`, `promptVersion`): stored, read back, validated,
/// and without them a message (and its idempotent retry) is what it was before the columns existed.
@Suite struct PromptVersionTests {
    static let suite = "prompt-versions"

    @Test func promptFieldsAreStoredAndReadBack() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await HostileTenantTests.conversation(service, key: service.tenant.ingestKey)
            let path = "/v1/conversations/\(conversation.id.lowercasedString)/messages"
            let id = UUID().lowercasedString
            let body = #"{"id": "\#(id)", "role": "USER", "content": "hi", "promptName": "summarise", "promptVersion": "v3"}"#
            let created = try await service.request(.post, path, json: body)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            #expect(created.object["promptName"] as? String == "summarise" && created.object["promptVersion"] as? String == "v3")
            // A retry of the same body is answered from the stored row, fields included.
            let replay = try await service.request(.post, path, json: body)
            #expect(replay.status == .created && replay.object["promptVersion"] as? String == "v3")
            let plain = try await service.request(.post, path, json: #"{"role": "ASSISTANT", "content": "hello"}"#)
            #expect(plain.status == .created && plain.object["promptName"] is NSNull && plain.object["promptVersion"] is NSNull)

            let detail = try await service.request(.get, "/v1/conversations/\(conversation.id.lowercasedString)", key: service.tenant.adminKey)
            let messages = try #require(detail.object["messages"] as? [[String: Any]])
            #expect(messages.map { $0["promptName"] as? String } == ["summarise", nil])
            let stored = try await service.database.query(
                "SELECT prompt_name, prompt_version FROM llm_messages WHERE id = \(UUID(uuidString: id)!)")
            let (name, version) = try #require(stored.first).decode((String?, String?).self)
            #expect(name == "summarise" && version == "v3")
        }
    }

    @Test func overlongPromptFieldsAre400NamingTheField() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await HostileTenantTests.conversation(service, key: service.tenant.ingestKey)
            let path = "/v1/conversations/\(conversation.id.lowercasedString)/messages"
            for field in ["promptName", "promptVersion"] {
                let long = String(repeating: "x", count: 201)
                let response = try await service.request(.post, path, json: #"{"role": "USER", "content": "hi", "\#(field)": "\#(long)"}"#)
                #expect(response.status == .badRequest && response.errorField == field)
            }
            #expect(try await HostileTenantTests.count(service, messagesOf: conversation.id) == 0)
        }
    }
}
