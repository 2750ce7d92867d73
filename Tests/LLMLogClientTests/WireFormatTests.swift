import Foundation
import LLMLogService
import Testing

/// The client's request types against the service's own decoders: the HTTP contract, without a network.
@Suite struct WireFormatTests {
    @Test func batchEventsDecodeWithTheServicesTypes() throws {
        let body = try ClientWireSamples.batchBody()
        let object = try #require(JSONSerialization.jsonObject(with: body) as? [String: Any])
        let first = try #require((object["events"] as? [[String: Any]])?.first?["body"] as? [String: Any])
        #expect(first["title"] == nil)  // absent, not null
        #expect((first["createdAt"] as? String) == "2025-10-09T08:53:20.125Z")

        let decoded = try APIJSON.decoder().decode(BatchRequest.self, from: body).events.map { try $0.event.get() }
        #expect(decoded.map { $0.type } == ["conversation.create", "message.create", "conversation.update"])
        #expect(decoded.map { $0.id } == [ClientWireSamples.conversation.uuidString.lowercased(), "m1", "u1"])
        guard decoded.count == 3,
            case .conversationCreate(let create) = decoded[0].body,
            case .messageCreate(let messageConversation, let message) = decoded[1].body,
            case .conversationUpdate(let updateConversation, let update) = decoded[2].body
        else {
            Issue.record("wrong event kinds")
            return
        }
        let conversation = ClientWireSamples.conversation
        #expect(create.id == conversation && create.documentId == "d" && create.userId == "u" && create.title == nil)
        #expect(create.type == "CHAT" && create.provider == "openai" && create.model == "gpt-4o")
        #expect(create.metadata == JSONValue.object(["k": JSONValue.array([.integer(1), .string("two"), .null])]))
        #expect(create.createdAt == ClientWireSamples.created)
        #expect(messageConversation == conversation && message.id == ClientWireSamples.message)
        #expect(message.role.rawValue == "ASSISTANT" && message.cachedInputTokens == 2 && message.reasoningTokens == 1)
        #expect(message.cost == Decimal(string: "0.000123") && message.processingTime == 1200 && message.maxTokens == 256)
        #expect(updateConversation == conversation && update.status?.rawValue == "FAILED" && update.errorMessage == "boom")
        #expect(update.totalTokensUsed == 10)
    }
}
