import Foundation
import PGClient

/// Stores the GenAI spans of one OTLP export through provider ingest (and so through the writer: acknowledged
/// after commit, priced, deduplicated). Spans of one conversation are logged in start order, one after the other;
/// conversations run side by side. A span that cannot be stored is counted, not fatal; an overloaded writer
/// (429/503) fails the whole export, which the exporter retries — nothing is stored twice, as every id derives
/// from the tenant, the trace and the span (or the conversation's history position).
struct OTLPTraceIngest: Sendable {
    let ingest: ProviderIngest
    /// Conversations logged at once for one export. Each span costs two writer submissions (the conversation, then
    /// the messages); with this many in flight the writer's group commit gathers them into flushes as large as a
    /// batch's (measured: 8 gave about two thirds of `/v1/batch`'s spans/s, 32 about the same; scripts/otlp-throughput.sh).
    var concurrency = 32

    /// What became of an export's spans.
    struct Outcome: Sendable, Equatable {
        /// GenAI spans stored (or found stored).
        var accepted = 0
        /// Spans that could not be stored, and why the first of them could not.
        var rejected = 0
        var firstRejection: String?
        /// The writer's 429/503, when it turned spans away.
        var overload: APIError?

        mutating func reject(_ span: String, _ error: APIError) {
            rejected += 1
            if firstRejection == nil { firstRejection = "span \(span): \(error.field.map { "\($0): " } ?? "")\(error.message)" }
        }

        mutating func merge(_ other: Outcome) {
            accepted += other.accepted
            rejected += other.rejected
            if firstRejection == nil { firstRejection = other.firstRejection }
            if overload == nil { overload = other.overload }
        }
    }

    /// Maps and stores the spans of `request` for `principal`.
    func store(_ request: OTLPBody.ExportRequest, principal: Principal, receivedAt: Date) async throws -> Outcome {
        let limits = ingest.limits
        var outcome = Outcome()
        var spanCount = 0, messageBudget = 0
        var groups: [UUID: [OTLPSpanCall]] = [:]
        var order: [UUID] = []
        for resourceSpans in request.resourceSpans {
            let resource = OTLPAttributes(resourceSpans.resource.attributes)
            let serviceName = resource.string("service.name")
            for scopeSpans in resourceSpans.scopeSpans {
                spanCount += scopeSpans.spans.count
                guard spanCount <= limits.maxBatchEvents else {
                    throw APIError(
                        .contentTooLarge, code: "too_many_spans",
                        message: "an export holds at most \(limits.maxBatchEvents) spans", field: "resourceSpans")
                }
                for span in scopeSpans.spans {
                    do throws(APIError) {
                        guard let call = try OTLPSpanMapping.call(span, resource: resource, serviceName: serviceName, tenantId: principal.tenantId)
                        else {
                            continue
                        }
                        // A history is resent with every call: bound what one export can make the writer replay.
                        messageBudget += call.call.history.count + 1
                        guard messageBudget <= limits.maxBatchEvents * 16 else {
                            throw APIError(
                                .contentTooLarge, code: "too_many_messages",
                                message: "an export logs at most \(limits.maxBatchEvents * 16) messages (histories and replies)",
                                field: "resourceSpans")
                        }
                        if groups[call.conversationId] == nil { order.append(call.conversationId) }
                        groups[call.conversationId, default: []].append(call)
                    } catch  where error.status == .contentTooLarge {
                        throw error
                    } catch {
                        outcome.reject(OTLPJSONIds.hex(span.spanID), error)
                    }
                }
            }
        }
        let calls = order.map { id in groups[id]!.sorted { $0.startNanos < $1.startNanos } }
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var next = 0
            func startNext() {
                guard next < calls.count else { return }
                let conversation = calls[next]
                next += 1
                group.addTask { try await log(conversation, principal: principal, receivedAt: receivedAt) }
            }
            for _ in 0..<min(concurrency, calls.count) { startNext() }
            while let done = try await group.next() {
                outcome.merge(done)
                startNext()
            }
        }
        return outcome
    }

    /// Logs one conversation's spans in order; marks it FAILED after a failed span.
    private func log(_ calls: [OTLPSpanCall], principal: Principal, receivedAt: Date) async throws -> Outcome {
        var outcome = Outcome()
        for span in calls {
            let spanId = span.call.reply.metadata["spanId"]?.stringValue ?? ""
            do {
                let logged = try await ingest.log(span.call, envelope: span.envelope, principal: principal, receivedAt: receivedAt)
                // A failed span marks its conversation FAILED once: a retried export (the reply found logged) does it
                // again only when an earlier attempt stopped before the mark, so the conversation is not touched twice.
                var mark = span.failure != nil
                if mark, logged.messages.last?.replayed ?? false {
                    mark =
                        try await ingest.pool.read(principal.readScope, share: nil) {
                            try await ConversationReads.status($0, tenantId: principal.tenantId, id: span.conversationId)
                        } != .failed
                }
                if mark, let failure = span.failure {
                    let update = ConversationUpdateRequest(status: .failed, errorMessage: String(failure.prefix(4096)))
                    try update.validate(limits: ingest.limits)
                    if case .failure(let error) = await ingest.writer.submit(
                        .updateConversation(
                            tenantId: principal.tenantId, id: span.conversationId, request: update, receivedAt: receivedAt))
                    {
                        throw error
                    }
                }
                outcome.accepted += 1
            } catch let error as APIError {
                if [.tooManyRequests, .serviceUnavailable].contains(error.status) {
                    outcome.overload = error
                    return outcome  // the rest of this conversation waits for the exporter's retry
                }
                outcome.reject(spanId, error)
            }
        }
        return outcome
    }
}
