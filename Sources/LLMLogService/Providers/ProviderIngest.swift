import Foundation
import PGClient

/// Logs one provider call through the IngestWriter: creates the conversation when needed, then writes the
/// request's messages that no earlier call logged, and the reply. Its only SQL is a read of an existing
/// conversation; every write goes through the writer.
///
/// A message's id is a UUID v5 of tenant, conversation, position in the history and role, and its request
/// fingerprint covers exactly that identity. A follow-up call resends the whole history: its old messages get the
/// ids they were logged under, the writer answers them as idempotent replays (created: false) and writes nothing;
/// the previous reply is found the same way, because its position is the one its echo takes in the next history.
/// The first version logged at a position is kept; a resent history is not compared with it.
struct ProviderIngest: Sendable {
    let pool: PGPool
    let writer: IngestWriter
    let limits: IngestLimits

    /// Namespace of message ids derived from a conversation and a history position (UUID v5).
    static let messageNamespace = UUID(uuidString: "3c1f8e52-6a0d-4b7e-9f12-8d4c2a9b5e70")!

    /// The id of the message at `position` of a conversation's history, with `role`.
    static func messageID(tenantId: UUID, conversationId: UUID, position: String, role: MessageRole) -> UUID {
        UUID.v5(
            namespace: messageNamespace,
            name: "\(tenantId.lowercasedString)/\(conversationId.lowercasedString)/\(position)/\(role.rawValue)")
    }

    /// What the idempotency fingerprint of a provider-ingested message covers.
    struct MessageIdentity: Encodable {
        let position: String
        let role: MessageRole
    }

    struct Envelope: Sendable {
        var conversationId: UUID?
        var userId: String?
        var type: String
        var title: String?
        var processingTime: Int64?
        /// The experiment and variant of a conversation this call creates.
        var experiment: String?
        var variant: String?
        /// The prompt that produced the reply (stored on the reply message).
        var promptName: String?
        var promptVersion: String?
        /// The conversation's `createdAt` when this call creates it (nil: when the request arrived).
        var conversationCreatedAt: Date?
        /// `createdAt` of the history's messages and of the reply (nil: when the request arrived).
        var historyCreatedAt: Date?
        var replyCreatedAt: Date?
    }

    /// Logs `call`; returns the answer and whether anything was written.
    func log(_ call: ProviderCall, envelope: Envelope, principal: Principal, receivedAt: Date) async throws -> ProviderIngestResponse {
        let tenantId = principal.tenantId
        // Everything is validated before anything is written.
        let conversationRequest = ConversationCreateRequest(
            id: nil, userId: envelope.userId, type: envelope.type, title: envelope.title, documentId: nil,
            provider: call.provider, model: call.model, metadata: nil, createdAt: envelope.conversationCreatedAt,
            experiment: envelope.experiment, variant: envelope.variant)
        do throws(APIError) {
            try conversationRequest.validate(limits: limits, now: receivedAt)
        } catch {
            throw Self.relabel(error, ["model": "response.model"])
        }
        // A history is written as one message per entry, like a batch: it gets the batch's count limit, so one
        // request cannot take a large share of the shared write queue.
        guard call.history.count < limits.maxBatchEvents else {
            throw APIError(
                .contentTooLarge, code: "too_many_messages",
                message: "a call logs at most \(limits.maxBatchEvents) messages (history and reply)", field: "request.messages")
        }
        let conversationId = envelope.conversationId ?? UUID.v7(at: receivedAt)
        var operations: [WriteOperation] = []
        for message in call.history + [call.reply] {
            let isReply = operations.count == call.history.count
            var request = MessageCreateRequest(role: message.role, content: message.content, metadata: .object(message.metadata))
            request.createdAt = isReply ? envelope.replyCreatedAt : envelope.historyCreatedAt
            if isReply {
                if let usage = call.usage {
                    request.inputTokens = usage.input
                    request.cachedInputTokens = usage.cachedInput
                    request.cacheCreationInputTokens = usage.cacheCreationInput
                    request.outputTokens = usage.output
                    request.reasoningTokens = usage.reasoning
                }
                request.finishReason = call.finishReason
                request.temperature = call.temperature
                request.maxTokens = call.maxTokens
                request.processingTime = envelope.processingTime
                request.promptName = envelope.promptName
                request.promptVersion = envelope.promptVersion
            }
            do throws(APIError) {
                try request.validate(limits: limits, now: receivedAt)
            } catch {
                throw Self.relabel(
                    error,
                    [
                        "content": message.contentField ?? "\(message.field).content", "metadata": message.field,
                        "temperature": "request.temperature", "maxTokens": call.maxTokensField,
                        "finishReason": call.finishReasonField, "processingTime": "processingTime",
                    ])
            }
            let id = Self.messageID(tenantId: tenantId, conversationId: conversationId, position: message.position, role: message.role)
            operations.append(
                .createMessage(
                    tenantId: tenantId, conversationId: conversationId, id: id, request: request,
                    requestHash: APIJSON.fingerprint(MessageIdentity(position: message.position, role: message.role), scope: "provider-message"),
                    receivedAt: receivedAt))
        }

        let (conversation, conversationCreated) = try await findOrCreateConversation(
            conversationId, conversationRequest, principal: principal, receivedAt: receivedAt)
        if conversation.provider.lowercased() != call.provider {
            throw APIError.conflict("provider_mismatch", "the conversation logs \(conversation.provider) calls", field: "conversationId")
        }
        if conversation.model != call.model {
            throw APIError.conflict(
                "model_mismatch",
                "the conversation logs model \(conversation.model) (a message is priced by its conversation's model); log other models in another conversation",
                field: "response.model")
        }
        if let userId = envelope.userId, conversation.userId != userId {
            throw APIError.conflict("user_mismatch", "the conversation belongs to another user", field: "userId")
        }

        var logged: [ProviderIngestResponse.LoggedMessage] = []
        var reply: MessageRecord?
        let messages = call.history + [call.reply]
        for (index, outcome) in await writer.submit(operations).enumerated() {
            switch outcome {
            case .success(.message(let record, let created)):
                logged.append(.init(id: record.id, role: record.role, messageIndex: record.messageIndex, replayed: !created))
                reply = record
            case .success(.replayedMessage(let replay)):
                logged.append(.init(id: replay.id, role: replay.role, messageIndex: replay.messageIndex, replayed: true))
                // Only the reply is answered whole; it is read back when a retry replayed it.
                reply = index == messages.count - 1 ? try await MessageReads.message(pool, id: replay.id, principal: principal) : nil
            case .failure(let error):
                throw Self.relabel(error, ["id": messages[index].field, "messageIndex": messages[index].field])
            case .success(.conversation):
                throw APIError.internalError
            }
        }
        guard let reply else { throw APIError.internalError }
        return ProviderIngestResponse(conversationId: conversationId, conversationCreated: conversationCreated, messages: logged, reply: reply)
    }

    /// The conversation: created now, created by an earlier call with the same attributes (a replay), or existing
    /// with other attributes (a later call without the title, one made by `POST /v1/conversations` …): then it
    /// is read as it is stored.
    private func findOrCreateConversation(
        _ id: UUID, _ request: ConversationCreateRequest, principal: Principal, receivedAt: Date
    ) async throws -> (ConversationRecord, created: Bool) {
        let create = WriteOperation.createConversation(
            tenantId: principal.tenantId, id: id, request: request, requestHash: APIJSON.fingerprint(request, scope: "conversation"),
            receivedAt: receivedAt)
        switch await writer.submit(create) {
        case .success(.conversation(let record, let created)):
            return (record, created)
        case .failure(let error) where error.code == "idempotency_conflict":
            let stored = try await pool.read(principal.readScope, share: nil) { tx in
                try await ConversationReads.one(tx, tenantId: principal.tenantId, id: id)
            }
            guard let stored else { throw APIError.internalError }
            return (stored, false)
        case .failure(let error):
            throw Self.relabel(error, ["id": "conversationId"])
        case .success(.message), .success(.replayedMessage):
            throw APIError.internalError
        }
    }

    /// The error with its field renamed to where the input came from in the provider payload.
    static func relabel(_ error: APIError, _ fields: [String: String]) -> APIError {
        var error = error
        if let field = error.field, let renamed = fields[field] { error.field = renamed }
        return error
    }
}
