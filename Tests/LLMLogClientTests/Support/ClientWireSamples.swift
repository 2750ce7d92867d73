import Foundation

@testable import LLMLogClient

/// Client-side encodings for the contract tests (kept apart: the service module has types of the same names).
enum ClientWireSamples {
    static let conversation = UUID()
    static let message = UUID()
    static let created = Date(timeIntervalSince1970: 1_760_000_000.125)

    /// A batch body with a conversation.create, a message.create and a conversation.update event.
    static func batchBody() throws -> Data {
        let events = [
            BatchEvent(
                id: conversation.uuidString.lowercased(),
                body: .conversationCreate(
                    ConversationCreateBody(
                        id: conversation, userId: "u", type: .chat, title: nil, documentId: "d", provider: "openai", model: "gpt-4o",
                        metadata: ["k": [1, "two", nil]], createdAt: created))),
            BatchEvent(
                id: "m1",
                body: .messageCreate(
                    MessageCreateBody(
                        conversationId: conversation, id: message, role: .assistant, content: "hi", inputTokens: 3, outputTokens: 4,
                        cachedInputTokens: 2, reasoningTokens: 1, cost: Decimal(string: "0.000123"), processingTime: 1200,
                        finishReason: "stop", temperature: 0.7, maxTokens: 256, createdAt: created))),
            BatchEvent(
                id: "u1",
                body: .conversationUpdate(
                    ConversationUpdateBody(
                        conversationId: conversation, status: .failed, errorMessage: "boom", totalTokensUsed: 10))),
        ]
        let encoder = WireJSON.encoder()
        return BatchEvent.batchBody(try events.map { try encoder.encode($0) })
    }
}
