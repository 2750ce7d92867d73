import Foundation
import NIOCore
import Testing

@testable import LLMLogService

/// The exports' hand-written JSON must be the API's JSON byte for byte: every record written both ways and compared.
@Suite struct JSONWriterTests {
    static let awkward = [
        "", "plain", "quote \" backslash \\ slash / done", "lines\nand\r\ttabs\u{08}\u{0C}", "control \u{01}\u{1F}\u{7F}",
        "unicode café — 漢字 🦓 \u{2028}", "<script>alert('x')</script>", String(repeating: "long ", count: 500),
    ]

    static func message(_ n: Int) -> MessageRecord {
        let text = awkward[n % awkward.count]
        return MessageRecord(
            id: UUID(), conversationId: UUID(), role: MessageRole.allCases[n % MessageRole.allCases.count], content: text,
            provider: "openai", model: "gpt-4o", inputTokens: n % 3 == 0 ? nil : Int64(n * 1000), outputTokens: Int64(n),
            totalTokens: n % 2 == 0 ? Int64.max : -5, cachedInputTokens: 0, cacheCreationInputTokens: nil,
            reasoningTokens: n % 4 == 0 ? 7 : nil, cost: n % 5 == 0 ? nil : Decimal(string: ["0.000123", "12", "0", "1234567.890123456789"][n % 4]),
            costSource: n % 2 == 0 ? .computed : .provided, processingTime: n % 3 == 1 ? nil : 250, messageIndex: n,
            finishReason: n % 2 == 0 ? "stop" : nil, temperature: [nil, 0.7, 1.0, 0, 1e-5, 123456789.25][n % 6], maxTokens: 4096,
            errorMessage: n % 7 == 0 ? text : nil,
            metadata: n % 3 == 0
                ? .emptyObject
                : .object([
                    "b": .array([.integer(-1), .number(2.5), .bool(true), .null, .string(text)]),
                    "a": .object(["z": .string("/"), "é": .integer(1)]),
                    "Z": .number(1e300), "n": .number(3),
                ]),
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123456 + Double(n)), promptName: n % 2 == 0 ? "p" : nil,
            promptVersion: nil)
    }

    static func conversation(_ n: Int) -> ConversationRecord {
        ConversationRecord(
            id: UUID(), userId: n % 2 == 0 ? nil : awkward[n % awkward.count], type: "CHAT", title: awkward[(n + 3) % awkward.count],
            documentId: nil, provider: "anthropic", model: "claude", status: ConversationStatus.allCases[n % ConversationStatus.allCases.count],
            totalTokensUsed: Int64(n) * 999, totalCost: Decimal(string: "0.0000012345")!, messageCount: n,
            reportedTotalTokens: n % 2 == 0 ? 5 : nil, reportedTotalCost: n % 3 == 0 ? Decimal(17) : nil, errorMessage: nil,
            metadata: .object(["k": .string(awkward[n % awkward.count])]), createdAt: Date(timeIntervalSince1970: -1.5 + Double(n)),
            updatedAt: Date(), completedAt: n % 2 == 0 ? nil : Date(timeIntervalSince1970: 0))
    }

    static func written(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter(buffer: ByteBuffer())
        body(&writer)
        return String(buffer: writer.buffer)
    }

    @Test func messagesAreTheEncodersBytes() throws {
        let encoder = APIJSON.encoder(sortedKeys: true)
        for n in 0..<48 {
            let record = Self.message(n)
            let expected = String(decoding: try encoder.encode(record), as: UTF8.self)
            #expect(Self.written { record.writeJSON(&$0) } == expected, "message \(n)")
        }
    }

    @Test func conversationsAreTheEncodersBytes() throws {
        let encoder = APIJSON.encoder(sortedKeys: true)
        for n in 0..<24 {
            let record = Self.conversation(n)
            let expected = String(decoding: try encoder.encode(record), as: UTF8.self)
            #expect(Self.written { record.writeJSON(&$0) } == expected, "conversation \(n)")
        }
    }

    @Test func linesStartAfresh() throws {
        let records = (0..<3).map(Self.message)
        let text = Self.written { writer in
            for record in records {
                record.writeJSON(&writer)
                writer.endLine()
            }
        }
        let encoder = APIJSON.encoder(sortedKeys: true)
        #expect(text == (try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()))
    }
}
