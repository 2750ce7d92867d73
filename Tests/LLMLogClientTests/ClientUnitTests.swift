import Foundation
import Testing

@testable import LLMLogClient

/// Pieces of the client that need no service: provider bodies, ids, backoff, status classes.
@Suite struct ClientUnitTests {
    /// `log(openAI:)` with raw JSON: the envelope's fields plus request and response exactly as given.
    @Test func providerBodyFromRawJSON() throws {
        let conversation = UUID()
        let request = Data(#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0.10000000000000001}"#.utf8)
        let response = Data(#"{"id":"chatcmpl-1","usage":{"prompt_tokens":12,"completion_tokens":3}}"#.utf8)
        let ingest = ProviderIngest(
            id: UUID(), provider: .openAI,
            envelope: .init(conversationId: conversation, userId: "u-7", type: .jobExtraction, title: nil, processingTime: 2300),
            request: .raw(request), response: .raw(response))
        let body = try ingest.body(WireJSON.encoder())
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(#""request":"# + String(decoding: request, as: UTF8.self)))  // verbatim, numbers untouched
        #expect(text.contains(#""response":"# + String(decoding: response, as: UTF8.self)))
        let object = try #require(JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(Set(object.keys) == ["conversationId", "userId", "type", "processingTime", "request", "response"])
        #expect(object["conversationId"] as? String == conversation.uuidString)
        #expect(object["type"] as? String == "JOB_EXTRACTION" && object["userId"] as? String == "u-7")
        #expect(object["processingTime"] as? Int == 2300)
        #expect(ProviderFormat.openAI.path == "/v1/ingest/openai" && ProviderFormat.anthropic.path == "/v1/ingest/anthropic")
    }

    /// `log(anthropic:)` with Codable dictionaries: encoded into the same body shape.
    @Test func providerBodyFromCodableValues() throws {
        let request: [String: LLMLogJSON] = ["model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": [["role": "user", "content": "Hi"]]]
        let response: [String: LLMLogJSON] = ["id": "msg_1", "usage": ["input_tokens": 10, "output_tokens": 2, "cache_read_input_tokens": 5]]
        let ingest = ProviderIngest(
            id: UUID(), provider: .anthropic,
            envelope: .init(conversationId: nil, userId: nil, type: .chat, title: "t", processingTime: nil),
            request: .value(request), response: .value(response))
        let body = try ingest.body(WireJSON.encoder())
        struct Decoded: Decodable {
            let type: String
            let title: String?
            let conversationId: UUID?
            let request: [String: LLMLogJSON]
            let response: [String: LLMLogJSON]
        }
        let decoded = try JSONDecoder().decode(Decoded.self, from: body)
        #expect(decoded.type == "CHAT" && decoded.title == "t" && decoded.conversationId == nil)
        #expect(decoded.request == request && decoded.response == response)
    }

    @Test func uuidV7IsTimeOrderedVersion7() {
        let earlier = UUID.v7(at: Date(timeIntervalSince1970: 1_700_000_000))
        let later = UUID.v7(at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(earlier.uuidString.lowercased() < later.uuidString.lowercased())
        #expect(earlier.uuid.6 >> 4 == 7 && earlier.uuid.8 >> 6 == 0b10)
        #expect(earlier.uuidString.hasPrefix("018BCFE5-6800"))
        #expect(UUID.v7() != UUID.v7())
    }

    @Test func retryDelaysGrowExponentiallyUpToTheCeiling() {
        let policy = RetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(2), jitter: false)
        #expect(
            (1...6).map { policy.delay(afterAttempt: $0) } == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2),
            ])
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(1)) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(60)) == .seconds(2))
        let jittered = RetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(2))
        #expect((0..<50).allSatisfy { _ in (.milliseconds(200)...(.milliseconds(400))).contains(jittered.delay(afterAttempt: 3)) })
        #expect(StatusClass(201) == .success && StatusClass(409) == .final && StatusClass(404) == .final)
        #expect(StatusClass(503) == .retryable && StatusClass(429) == .retryable && StatusClass(500) == .retryable)
    }
}
