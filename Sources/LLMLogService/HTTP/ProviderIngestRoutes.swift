import Foundation
import Hummingbird
import PGClient

/// `POST /v1/ingest/openai` and `POST /v1/ingest/anthropic`: log a provider call from its own request and response
/// payloads (see docs/provider-ingest.md). Ingest and admin keys, like the other writes.
struct ProviderIngestRoutes {
    let pool: PGPool
    let writer: IngestWriter
    let limits: IngestLimits

    func register(on group: RouterGroup<AppContext>) {
        group.post("ingest/openai") { request, context in
            try await ingest(request, context, OpenAIRequest.self, OpenAIResponse.self, OpenAIMapping.call)
        }
        group.post("ingest/anthropic") { request, context in
            try await ingest(request, context, AnthropicRequest.self, AnthropicResponse.self, AnthropicMapping.call)
        }
    }

    private func ingest<ProviderRequest: Decodable & Sendable, ProviderResponse: Decodable & Sendable>(
        _ request: Request, _ context: AppContext, _: ProviderRequest.Type, _: ProviderResponse.Type,
        _ map: (ProviderRequest, ProviderResponse) throws(APIError) -> ProviderCall
    ) async throws -> EditedResponse<ProviderIngestResponse> {
        let principal = try context.require(IngestRoutes.writers)
        // Provider payloads may carry base64 images and documents (stored only as references): the batch body limit applies.
        let body = try await request.decode(
            as: ProviderIngestRequest<ProviderRequest, ProviderResponse>.self, context: context.allowingBodies(upTo: limits.maxBatchBodyBytes))
        let call = try map(body.request, body.response)
        var envelope = ProviderIngest.Envelope(
            conversationId: body.conversationId, userId: body.userId, type: body.type,
            title: body.title, processingTime: body.processingTime)
        envelope.experiment = body.experiment
        envelope.variant = body.variant
        envelope.promptName = body.promptName
        envelope.promptVersion = body.promptVersion
        let answer = try await ProviderIngest(pool: pool, writer: writer, limits: limits)
            .log(call, envelope: envelope, principal: principal, receivedAt: context.receivedAt)
        return EditedResponse(status: answer.isReplay ? .ok : .created, response: answer)
    }
}
