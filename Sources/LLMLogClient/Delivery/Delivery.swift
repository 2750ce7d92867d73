import Foundation
import Logging
import NIOCore

/// Sends the groups the buffer hands out, in order, retrying retryable failures with the same event ids until
/// each event is acknowledged, refused for good, given up (`maxAttempts`) or abandoned at the shutdown deadline.
struct Delivery: Sendable {
    /// An event encoded once, so every retry sends the very same bytes.
    struct EncodedEvent: Sendable {
        let id: String
        let type: String
        let data: Data
    }

    let transport: HTTPTransport
    let configuration: LLMLogClient.Configuration
    let buffer: EventBuffer
    let drainStarted: OneShotSignal
    let logger: Logger

    func deliver(_ group: [Outbound]) async {
        defer { buffer.finishGroup() }
        let encoder = WireJSON.encoder()
        var events: [EncodedEvent] = []
        for item in group {
            switch item.payload {
            case .provider(let ingest):
                await deliver(ingest, encoder: encoder)
            case .event(let event):
                do {
                    events.append(EncodedEvent(id: event.id, type: event.type, data: try encoder.encode(event)))
                } catch {
                    buffer.record(failed: 1)
                    logger.error("llmlog event cannot be encoded", metadata: ["event": "\(event.id)", "type": "\(event.type)", "error": "\(error)"])
                }
            }
        }
        for chunk in chunks(events) {
            guard await send(chunk) else { return }  // abandoned: the rest of the group counts as dropped
        }
    }

    /// Consecutive events whose batch body stays within `maxBatchBytes` (a larger event goes alone).
    func chunks(_ events: [EncodedEvent]) -> [ArraySlice<EncodedEvent>] {
        var chunks: [ArraySlice<EncodedEvent>] = []
        var start = 0, bytes = 0
        for (index, event) in events.enumerated() {
            if index > start, bytes + event.data.count + 1 > configuration.maxBatchBytes - 16 {
                chunks.append(events[start..<index])
                start = index
                bytes = 0
            }
            bytes += event.data.count + 1
        }
        if start < events.count { chunks.append(events[start...]) }
        return chunks
    }

    /// Sends events in one batch until none is left to retry; false when abandoned (shutdown deadline, cancelled).
    func send(_ chunk: ArraySlice<EncodedEvent>) async -> Bool {
        var remaining = Array(chunk)
        var attempt = 0
        while !remaining.isEmpty {
            let outcome = await post("/v1/batch", body: BatchEvent.batchBody(remaining.map(\.data)))
            attempt += 1
            var retry: [EncodedEvent] = []
            var retryAfter: Duration?
            switch outcome {
            case .response(207, let body, _):
                guard let results = try? WireJSON.decoder().decode(BatchResponse.self, from: Data(body.readableBytesView)).results,
                    results.count == remaining.count
                else {
                    logger.error("llmlog batch answer unreadable; retrying", metadata: ["events": "\(remaining.count)"])
                    retry = remaining
                    break
                }
                var sent = 0, failed = 0
                for (event, result) in zip(remaining, results) {
                    switch StatusClass(result.status) {
                    case .success: sent += 1
                    case .retryable: retry.append(event)
                    case .final:
                        failed += 1
                        logRejected(event, status: result.status, error: result.error)
                    }
                }
                buffer.record(sent: sent, failed: failed)
            case .response(413, _, _) where remaining.count > 1:
                let middle = remaining.count / 2
                guard await send(remaining[..<middle]) else { return false }
                return await send(remaining[middle...])
            case .response(let status, let body, let after):
                switch StatusClass(status) {
                case .retryable:
                    logger.warning(
                        "llmlog batch not accepted; will retry",
                        metadata: ["status": "\(status)", "events": "\(remaining.count)", "attempt": "\(attempt)"])
                    retry = remaining
                    retryAfter = after
                case .success, .final:
                    let error = try? WireJSON.decoder().decode(ErrorBody.self, from: Data(body.readableBytesView)).error
                    logger.error(
                        "llmlog batch refused",
                        metadata: [
                            "status": "\(status)", "events": "\(remaining.count)",
                            "code": "\(error?.code ?? "-")", "message": "\(error?.message ?? "-")",
                        ])
                    buffer.record(failed: remaining.count)
                }
            case .networkError(let description):
                logger.warning(
                    "llmlog service unreachable; will retry",
                    metadata: ["error": "\(description)", "events": "\(remaining.count)", "attempt": "\(attempt)"])
                retry = remaining
            }
            guard !retry.isEmpty else { return true }
            if let maxAttempts = configuration.retry.maxAttempts, attempt >= maxAttempts {
                logger.error("llmlog events given up after \(attempt) attempts", metadata: ["events": "\(retry.count)"])
                buffer.record(failed: retry.count)
                return true
            }
            guard await pause(configuration.retry.delay(afterAttempt: attempt, retryAfter: retryAfter)) else { return false }
            buffer.record(retries: retry.count)
            remaining = retry
        }
        return true
    }

    /// Sends one provider request/response pair to its ingest route, retrying like a batch.
    func deliver(_ ingest: ProviderIngest, encoder: JSONEncoder) async {
        let body: Data
        do {
            body = try ingest.body(encoder)
        } catch {
            buffer.record(failed: 1)
            return logger.error(
                "llmlog provider ingest cannot be encoded", metadata: ["provider": "\(ingest.provider.rawValue)", "error": "\(error)"])
        }
        var attempt = 0
        while true {
            let outcome = await post(ingest.provider.path, body: body, headers: [("Idempotency-Key", ingest.id.uuidString.lowercased())])
            attempt += 1
            var retryAfter: Duration?
            switch outcome {
            case .response(let status, let answer, let after):
                switch StatusClass(status) {
                case .success: return buffer.record(sent: 1)
                case .final:
                    let error = try? WireJSON.decoder().decode(ErrorBody.self, from: Data(answer.readableBytesView)).error
                    buffer.record(failed: 1)
                    return logger.warning(
                        "llmlog provider ingest refused",
                        metadata: [
                            "provider": "\(ingest.provider.rawValue)", "status": "\(status)", "code": "\(error?.code ?? "-")",
                            "field": "\(error?.field ?? "-")",
                        ])
                case .retryable:
                    retryAfter = after
                    logger.warning("llmlog provider ingest not accepted; will retry", metadata: ["status": "\(status)", "attempt": "\(attempt)"])
                }
            case .networkError(let description):
                logger.warning("llmlog service unreachable; will retry", metadata: ["error": "\(description)", "attempt": "\(attempt)"])
            }
            if let maxAttempts = configuration.retry.maxAttempts, attempt >= maxAttempts {
                buffer.record(failed: 1)
                return logger.error("llmlog provider ingest given up after \(attempt) attempts")
            }
            guard await pause(configuration.retry.delay(afterAttempt: attempt, retryAfter: retryAfter)) else { return }
            buffer.record(retries: 1)
        }
    }

    private func logRejected(_ event: EncodedEvent, status: Int, error: ErrorDetail?) {
        logger.warning(
            "llmlog event refused",
            metadata: [
                "event": "\(event.id)", "type": "\(event.type)", "status": "\(status)",
                "code": "\(error?.code ?? "-")", "field": "\(error?.field ?? "-")",
            ])
    }

    /// One attempt; a shutdown that starts meanwhile cuts it off at its deadline.
    private func post(_ path: String, body: Data, headers: [(String, String)] = []) async -> HTTPTransport.Outcome {
        await withTaskGroup(of: HTTPTransport.Outcome?.self) { group in
            group.addTask { await transport.post(path, body: body, headers: headers, timeout: requestTimeout()) }
            group.addTask {
                await drainStarted.wait()
                guard case .draining(let deadline) = buffer.phase else { return nil }
                try? await Task.sleep(until: deadline)
                return Task.isCancelled ? nil : .networkError("shutdown deadline reached")
            }
            while let next = await group.next() {
                if let outcome = next {
                    group.cancelAll()
                    return outcome
                }
            }
            return .networkError("cancelled")
        }
    }

    /// The request timeout, shortened to the shutdown deadline while draining.
    private func requestTimeout() -> Duration {
        guard case .draining(let deadline) = buffer.phase else { return configuration.requestTimeout }
        return min(configuration.requestTimeout, max(.milliseconds(1), deadline - .now))
    }

    /// Waits before a retry; false when the events are to be abandoned (cancelled, or the shutdown deadline would
    /// pass first). A shutdown starting during the wait ends it early, for one more attempt within the deadline.
    private func pause(_ delay: Duration) async -> Bool {
        if case .draining(let deadline) = buffer.phase {
            guard ContinuousClock.now + delay < deadline else {
                logger.warning("llmlog shutdown deadline reached with events unsent")
                return false
            }
            try? await Task.sleep(for: delay)
            return !Task.isCancelled
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await drainStarted.wait() }
            await group.next()
            group.cancelAll()
        }
        return !Task.isCancelled
    }
}
