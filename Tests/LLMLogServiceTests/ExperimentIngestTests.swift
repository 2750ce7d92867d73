import Foundation
import Testing

@testable import LLMLogService

/// Experiment, variant and prompt arrive through provider ingest and OTLP too.
@Suite struct ExperimentIngestTests {
    static let suite = "experiment-ingest"

    @Test func providerIngestCarriesExperimentVariantAndPrompt() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let body: [String: Any] = [
                "type": "CHAT", "experiment": "e-provider", "variant": "b", "promptName": "weather", "promptVersion": "v2",
                "request": ["model": "gpt-5", "messages": [["role": "user", "content": "Weather?"]]],
                "response": ProviderIngestTests.openAIChatResponse(content: "Rain.", prompt: 10, cached: 0, completion: 2, reasoning: 0),
            ]
            let response = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(body))
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let id = try #require(response.object["conversationId"] as? String)
            let detail = try await ProviderIngestTests.detail(service, id)
            #expect(detail.conversation.experiment == "e-provider" && detail.conversation.variant == "b")
            #expect(detail.messages.map(\.promptVersion) == [nil, "v2"] && detail.messages.last?.promptName == "weather")

            var long = body
            long["variant"] = String(repeating: "v", count: 201)
            let refused = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(long))
            #expect(refused.status == .badRequest && refused.errorField == "variant")
        }
    }

    @Test func otlpAttributesCarryExperimentVariantAndPrompt() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = UUID()
            let span = OTLPFixtures.span(
                trace: OTLPFixtures.traceId(),
                attributes: [
                    ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-5"),
                    ("gen_ai.conversation.id", conversation.uuidString), ("gen_ai.usage.input_tokens", 10),
                    ("gen_ai.usage.output_tokens", 2), ("llmlog.variant", "a"), ("llmlog.prompt.name", "summarise"),
                    ("llmlog.prompt.version", "7"),
                    ("gen_ai.output.messages", OTLPFixtures.json([["role": "assistant", "parts": [["type": "text", "content": "ok"]]]])),
                ])
            let answer = try await OTLPTraceTests.post(
                service, OTLPFixtures.export([span], resource: [("service.name", "test-app"), ("llmlog.experiment", "e-otlp")]))
            #expect(!answer.hasPartialSuccess || answer.partialSuccess.rejectedSpans == 0)
            let detail = try await ProviderIngestTests.detail(service, conversation.uuidString.lowercased())
            #expect(detail.conversation.experiment == "e-otlp" && detail.conversation.variant == "a")
            #expect(detail.messages.last?.promptName == "summarise" && detail.messages.last?.promptVersion == "7")
        }
    }
}
