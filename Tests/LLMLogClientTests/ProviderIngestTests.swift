import Foundation
import HTTPTypes
import Hummingbird
import LLMLogClient
import Synchronization
import Testing

/// The provider helpers over real HTTP, against a stand-in for the ingest routes (they are not on this branch):
/// path, headers and body as sent, retried with the same idempotency key, final failures not retried.
@Suite struct ProviderIngestTests {
    struct Received: Sendable {
        let path: String
        let authorization: String?
        let idempotencyKey: String?
        let body: Data
    }

    @Test func providerIngestIsPostedAndRetriedWithTheSameKey() async throws {
        let received = Mutex<[Received]>([])
        let router = Router()
        @Sendable func record(_ request: Request) async throws -> Int {
            let body = try await request.body.collect(upTo: 1 << 20)
            let entry = Received(
                path: request.uri.path, authorization: request.headers[.authorization],
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], body: Data(buffer: body))
            return received.withLock { received in
                received.append(entry)
                return received.count
            }
        }
        // The first OpenAI attempt meets a 503, the second succeeds; Anthropic's route answers 422 (final).
        router.post("v1/ingest/openai") { request, _ -> Response in
            Response(status: try await record(request) == 1 ? .serviceUnavailable : .created)
        }
        router.post("v1/ingest/anthropic") { request, _ -> Response in
            _ = try await record(request)
            return Response(status: .unprocessableContent)
        }
        let server = try await RunningServer.start(router, port: 0, logger: LiveService.logger)
        let llmlog = RunningClient.make(
            LLMLogClient.Configuration(
                baseURL: "http://127.0.0.1:\(server.port)", apiKey: "llmlog_ik_test",
                retry: RetryPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(50))))
        let running = RunningClient.run(llmlog)

        let conversation = UUID()
        let request = Data(#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#.utf8)
        let response = Data(#"{"id":"chatcmpl-1","usage":{"prompt_tokens":12,"completion_tokens":3}}"#.utf8)
        await llmlog.log(
            openAI: request, response: response, conversationId: conversation, userId: "u-1",
            type: .resumeAnalysis, processingTime: .milliseconds(812))
        let anthropicRequest: [String: LLMLogJSON] = ["model": "claude-sonnet-4-5", "max_tokens": 64]
        let madeHere = await llmlog.log(anthropic: anthropicRequest, response: ["id": "msg_1"] as [String: LLMLogJSON])
        #expect(await llmlog.flush())

        let requests = received.withLock { $0 }
        try #require(requests.count == 3)
        #expect(requests.map(\.path) == ["/v1/ingest/openai", "/v1/ingest/openai", "/v1/ingest/anthropic"])
        #expect(requests.allSatisfy { $0.authorization == "Bearer llmlog_ik_test" })
        #expect(requests[0].idempotencyKey != nil && requests[0].idempotencyKey == requests[1].idempotencyKey)
        #expect(requests[2].idempotencyKey != requests[0].idempotencyKey)
        #expect(requests[0].body == requests[1].body)  // the very same bytes on retry
        let openAI = try #require(JSONSerialization.jsonObject(with: requests[0].body) as? [String: Any])
        #expect(openAI["conversationId"] as? String == conversation.uuidString && openAI["userId"] as? String == "u-1")
        #expect(openAI["type"] as? String == "RESUME_ANALYSIS" && openAI["processingTime"] as? Int == 812)
        #expect((openAI["request"] as? [String: Any])?["model"] as? String == "gpt-4o")
        #expect(((openAI["response"] as? [String: Any])?["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 12)
        let anthropic = try #require(JSONSerialization.jsonObject(with: requests[2].body) as? [String: Any])
        // Made on the client, so a retry cannot create a second one.
        #expect(anthropic["type"] as? String == "CHAT" && anthropic["conversationId"] as? String == madeHere.uuidString)
        #expect((anthropic["request"] as? [String: Any])?["max_tokens"] as? Int == 64)

        let statistics = llmlog.statistics
        #expect(statistics.sent == 1 && statistics.failed == 1 && statistics.retries == 1 && statistics.balanced)
        try await running.shutdown()
        try await server.stop()
    }
}
