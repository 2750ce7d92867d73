import Foundation
import Hummingbird
import PGClient

/// The write API: the seed's createConversation, updateConversation and logMessage, and the batch of them.
struct IngestRoutes {
    let writer: IngestWriter
    /// The reading pool (a replayed message is answered with its stored record, read here).
    let pool: PGPool
    let limits: IngestLimits
    static let writers: Set<PrincipalRole> = [.ingest, .admin]
    /// Namespace of ids derived from batch event ids (UUID v5).
    static let batchNamespace = UUID(uuidString: "6f1b0c1e-9d0a-4c55-9a8e-2b0d1c3e7a41")!

    func register(on group: RouterGroup<AppContext>) {
        group.post("conversations") { request, context in try await createConversation(request, context) }
        group.patch("conversations/{id}") { request, context in try await updateConversation(request, context) }
        group.post("conversations/{id}/messages") { request, context in try await createMessage(request, context) }
        group.post("batch") { request, context in try await batch(request, context) }
    }

    func createConversation(_ request: Request, _ context: AppContext) async throws -> EditedResponse<WrittenRecord> {
        let principal = try context.require(Self.writers)
        let body = try await request.decode(as: ConversationCreateRequest.self, context: context)
        let operation = try conversationCreate(body, id: body.id ?? UUID.v7(), principal: principal, context: context)
        return try respond(await writer.submit(operation), status: .created)
    }

    func updateConversation(_ request: Request, _ context: AppContext) async throws -> EditedResponse<WrittenRecord> {
        let principal = try context.require(Self.writers)
        let id = try context.pathID()
        let body = try await request.decode(as: ConversationUpdateRequest.self, context: context)
        try body.validate(limits: limits)
        let outcome = await writer.submit(.updateConversation(tenantId: principal.tenantId, id: id, request: body, receivedAt: context.receivedAt))
        return try respond(outcome, status: .ok)
    }

    func createMessage(_ request: Request, _ context: AppContext) async throws -> EditedResponse<WrittenRecord> {
        let principal = try context.require(Self.writers)
        let conversationId = try context.pathID("conversationId")
        let body = try await request.decode(as: MessageCreateRequest.self, context: context)
        let operation = try messageCreate(body, id: body.id ?? UUID.v7(), conversationId: conversationId, principal: principal, context: context)
        let outcome = await writer.submit(operation)
        if case .success(.replayedMessage(let replay)) = outcome {
            guard let stored = try await MessageReads.message(pool, id: replay.id, principal: principal) else { throw APIError.internalError }
            return EditedResponse(status: .created, response: .message(stored))
        }
        return try respond(outcome, status: .created)
    }

    func conversationCreate(_ body: ConversationCreateRequest, id: UUID, principal: Principal, context: AppContext) throws(APIError) -> WriteOperation
    {
        try body.validate(limits: limits, now: context.receivedAt)
        return .createConversation(
            tenantId: principal.tenantId, id: id, request: body,
            requestHash: APIJSON.fingerprint(body, scope: "conversation"), receivedAt: context.receivedAt)
    }

    func messageCreate(
        _ body: MessageCreateRequest, id: UUID, conversationId: UUID, principal: Principal, context: AppContext
    ) throws(APIError) -> WriteOperation {
        try body.validate(limits: limits, now: context.receivedAt)
        return .createMessage(
            tenantId: principal.tenantId, conversationId: conversationId, id: id, request: body,
            requestHash: APIJSON.fingerprint(body, scope: "message"), receivedAt: context.receivedAt)
    }

    func respond(_ outcome: WriteOutcome, status: HTTPResponse.Status) throws -> EditedResponse<WrittenRecord> {
        switch outcome {
        case .success(.conversation(let record, _)): return EditedResponse(status: status, response: .conversation(record))
        case .success(.message(let record, _)): return EditedResponse(status: status, response: .message(record))
        case .success(.replayedMessage): throw APIError.internalError  // createMessage answers these with the stored record
        case .failure(let error): throw error
        }
    }

    // MARK: batch

    struct BatchResult: Encodable {
        let id: String?
        let status: Int
        let resourceId: UUID?
        let error: APIError.Body.Inner?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
            try container.encodeIfPresent(resourceId?.lowercasedString, forKey: .resourceId)
            try container.encodeIfPresent(error, forKey: .error)
        }
        enum CodingKeys: String, CodingKey { case id, status, resourceId, error }

        init(id: String?, error: APIError) {
            self.id = id
            self.status = Int(error.status.code)
            self.resourceId = nil
            self.error = .init(code: error.code, message: error.message, field: error.field)
        }

        init(id: String?, status: HTTPResponse.Status, resourceId: UUID) {
            self.id = id
            self.status = Int(status.code)
            self.resourceId = resourceId
            self.error = nil
        }
    }

    struct BatchResponse: ResponseEncodable { let results: [BatchResult] }

    /// An id for an entity created by a batch event without one: the event id if it is a UUID, else a UUID v5
    /// derived from tenant and event id (so a retried batch creates nothing twice).
    static func derivedID(eventId: String, tenantId: UUID, kind: String) -> UUID {
        UUID(text: eventId) ?? UUID.v5(namespace: batchNamespace, name: "\(tenantId)/\(kind)/\(eventId)")
    }

    func batch(_ request: Request, _ context: AppContext) async throws -> EditedResponse<BatchResponse> {
        let principal = try context.require(Self.writers)
        let body = try await request.decode(as: BatchRequest.self, context: context.allowingBodies(upTo: limits.maxBatchBodyBytes))
        guard body.events.count <= limits.maxBatchEvents else {
            throw APIError(
                .contentTooLarge, code: "too_many_events",
                message: "a batch holds at most \(limits.maxBatchEvents) events", field: "events")
        }
        var results = [BatchResult?](repeating: nil, count: body.events.count)
        var operations: [WriteOperation] = []
        var positions: [(index: Int, status: HTTPResponse.Status)] = []
        for (index, slot) in body.events.enumerated() {
            do throws(APIError) {
                let event = try slot.event.get()
                let operation: WriteOperation
                let status: HTTPResponse.Status
                switch event.body {
                case .conversationCreate(let create):
                    let id = create.id ?? Self.derivedID(eventId: event.id, tenantId: principal.tenantId, kind: "conversation")
                    operation = try conversationCreate(create, id: id, principal: principal, context: context)
                    status = .created
                case .conversationUpdate(let conversationId, let update):
                    try update.validate(limits: limits)
                    operation = .updateConversation(tenantId: principal.tenantId, id: conversationId, request: update, receivedAt: context.receivedAt)
                    status = .ok
                case .messageCreate(let conversationId, let message):
                    let id = message.id ?? Self.derivedID(eventId: event.id, tenantId: principal.tenantId, kind: "message")
                    operation = try messageCreate(message, id: id, conversationId: conversationId, principal: principal, context: context)
                    status = .created
                }
                operations.append(operation)
                positions.append((index, status))
            } catch {
                var error = error
                if let field = error.field, !field.hasPrefix("body"), !["id", "type"].contains(field) { error.field = "body." + field }
                results[index] = BatchResult(id: slot.id, error: error)
            }
        }
        let outcomes = await writer.submit(operations)
        for (position, outcome) in zip(positions, outcomes) {
            let id = body.events[position.index].id
            switch outcome {
            case .success(.conversation(let record, _)): results[position.index] = BatchResult(id: id, status: position.status, resourceId: record.id)
            case .success(.message(let record, _)): results[position.index] = BatchResult(id: id, status: position.status, resourceId: record.id)
            case .success(.replayedMessage(let replay)): results[position.index] = BatchResult(id: id, status: position.status, resourceId: replay.id)
            case .failure(let error): results[position.index] = BatchResult(id: id, error: error)
            }
        }
        return EditedResponse(status: .multiStatus, response: BatchResponse(results: results.map { $0! }))
    }
}
