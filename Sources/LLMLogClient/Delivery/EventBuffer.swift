import Synchronization

/// The bounded, ordered buffer between the logging calls and the one background sender, with the counters.
///
/// Calls append under a lock and return; the sender takes the oldest events as a group, marks them in flight and
/// reports what became of each. Sequence numbers follow enqueue order, so `flush` only has to wait until the
/// oldest outstanding event is newer than the last one enqueued before it.
final class EventBuffer: Sendable {
    enum Phase: Sendable {
        case running
        /// Graceful shutdown: keep sending until empty or the deadline.
        case draining(deadline: ContinuousClock.Instant)
        /// Nothing is sent any more; new events are dropped.
        case stopped
    }

    private struct SpaceWaiter {
        let token: UInt64
        let item: Outbound
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct FlushWaiter {
        let target: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var queue: [Outbound] = []
        var head = 0
        var waiting: [SpaceWaiter] = []
        var lowestInFlight: UInt64?
        var inFlight = 0
        var nextSequence: UInt64 = 1
        var nextToken: UInt64 = 0
        var phase = Phase.running
        var statistics = LLMLogClient.Statistics()
        var sender: CheckedContinuation<Void, Never>?
        var flushWaiters: [UInt64: FlushWaiter] = [:]

        var queued: Int { queue.count - head }
        var isRunning: Bool { if case .running = phase { true } else { false } }
        var isStopped: Bool { if case .stopped = phase { true } else { false } }
        var lowestOutstanding: UInt64? {
            lowestInFlight ?? (head < queue.count ? queue[head].sequence : waiting.first?.item.sequence)
        }

        mutating func makeItem(_ payload: Outbound.Payload) -> Outbound {
            defer { nextSequence += 1 }
            return Outbound(sequence: nextSequence, payload: payload)
        }

        mutating func popFirst() -> Outbound {
            let item = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return item
        }

        /// Resumes the flushes whose events are all resolved.
        mutating func resolveFlushes(_ wakeups: inout Wakeups) {
            guard !flushWaiters.isEmpty else { return }
            let lowest = lowestOutstanding
            for (id, waiter) in flushWaiters where lowest.map({ waiter.target < $0 }) ?? true {
                flushWaiters[id] = nil
                wakeups.add(waiter.continuation, true)
            }
        }

        /// Moves `.wait` callers into the queue while there is room.
        mutating func admitWaiters(capacity: Int, _ wakeups: inout Wakeups) {
            var admitted = 0
            while admitted < waiting.count, queued < capacity {
                queue.append(waiting[admitted].item)
                wakeups.add(waiting[admitted].continuation)
                admitted += 1
            }
            if admitted > 0 { waiting.removeFirst(admitted) }
        }

        mutating func wakeSender(_ wakeups: inout Wakeups) {
            wakeups.add(sender)
            sender = nil
        }
    }

    let capacity: Int
    let policy: FullBufferPolicy
    private let state = Mutex(State())

    init(capacity: Int, policy: FullBufferPolicy) {
        self.capacity = capacity
        self.policy = policy
    }

    var statistics: LLMLogClient.Statistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.pending = state.queued + state.waiting.count + state.inFlight
            return statistics
        }
    }

    var phase: Phase { state.withLock { $0.phase } }

    // MARK: the callers' side

    /// Adds an event; suspends only under `.wait` with a full buffer.
    nonisolated(nonsending)
        func enqueue(_ payload: Outbound.Payload) async
    {
        if policy == .wait {
            await enqueueWaiting(payload)
            return
        }
        var wakeups = Wakeups()
        state.withLock { state in
            state.statistics.enqueued += 1
            guard !state.isStopped else {
                state.statistics.dropped += 1
                return
            }
            if state.queued >= capacity {
                guard policy == .dropOldest, state.queued > 0 else {
                    state.statistics.dropped += 1
                    return
                }
                _ = state.popFirst()
                state.statistics.dropped += 1
            }
            state.queue.append(state.makeItem(payload))
            state.resolveFlushes(&wakeups)
            state.wakeSender(&wakeups)
        }
        wakeups.resume()
    }

    nonisolated(nonsending)
        private func enqueueWaiting(_ payload: Outbound.Payload) async
    {
        let token = state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                var wakeups = Wakeups()
                state.withLock { state in
                    state.statistics.enqueued += 1
                    if state.isStopped || Task.isCancelled {
                        state.statistics.dropped += 1
                        wakeups.add(continuation)
                    } else if state.waiting.isEmpty, state.queued < capacity {
                        state.queue.append(state.makeItem(payload))
                        state.wakeSender(&wakeups)
                        wakeups.add(continuation)
                    } else {
                        state.waiting.append(SpaceWaiter(token: token, item: state.makeItem(payload), continuation: continuation))
                    }
                }
                wakeups.resume()
            }
        } onCancel: {
            var wakeups = Wakeups()
            state.withLock { state in
                guard let index = state.waiting.firstIndex(where: { $0.token == token }) else { return }
                wakeups.add(state.waiting.remove(at: index).continuation)
                state.statistics.dropped += 1
                state.resolveFlushes(&wakeups)
            }
            wakeups.resume()
        }
    }

    /// Waits until every event enqueued before this call is resolved (sent, failed or dropped); false on timeout.
    func flush(timeout: Duration) async -> Bool {
        let target = state.withLock { $0.nextSequence - 1 }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilResolved(through: target) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func waitUntilResolved(through target: UInt64) async -> Bool {
        let id = state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let done: Bool? = state.withLock { state in
                    if Task.isCancelled { return false }
                    if state.lowestOutstanding.map({ target < $0 }) ?? true { return true }
                    state.flushWaiters[id] = FlushWaiter(target: target, continuation: continuation)
                    return nil
                }
                if let done { continuation.resume(returning: done) }
            }
        } onCancel: {
            state.withLock { $0.flushWaiters.removeValue(forKey: id) }?.continuation.resume(returning: false)
        }
    }

    // MARK: the sender's side

    /// The oldest waiting events, in order: one provider ingest, or up to `maxEvents` consecutive batch events.
    /// Suspends while there are none; nil when there is nothing more to send (shutdown or cancellation).
    func nextGroup(maxEvents: Int) async -> [Outbound]? {
        while !Task.isCancelled {
            var wakeups = Wakeups()
            let taken: [Outbound]?? = state.withLock { state in
                if case .draining(let deadline) = state.phase, ContinuousClock.now >= deadline { return .some(nil) }
                if state.queued > 0 {
                    var group = [state.popFirst()]
                    if case .event = group[0].payload {
                        while group.count < maxEvents, state.queued > 0, case .event = state.queue[state.head].payload {
                            group.append(state.popFirst())
                        }
                    }
                    state.lowestInFlight = group[0].sequence
                    state.inFlight = group.count
                    state.admitWaiters(capacity: capacity, &wakeups)
                    return .some(group)
                }
                return state.isRunning ? nil : .some(nil)
            }
            wakeups.resume()
            if let taken { return taken }
            if Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state in
                        if state.queued > 0 || !state.isRunning || Task.isCancelled { return true }
                        state.sender = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                state.withLock { state in
                    defer { state.sender = nil }
                    return state.sender
                }?.resume()
            }
        }
        return nil
    }

    /// Counts what became of in-flight events.
    func record(sent: Int = 0, failed: Int = 0, dropped: Int = 0, retries: Int = 0) {
        state.withLock { state in
            state.statistics.sent += sent
            state.statistics.failed += failed
            state.statistics.dropped += dropped
            state.statistics.retries += retries
            state.inFlight -= sent + failed + dropped
        }
    }

    /// The group taken last is resolved.
    func finishGroup() {
        var wakeups = Wakeups()
        state.withLock { state in
            state.statistics.dropped += state.inFlight  // a group left unresolved counts as dropped
            state.inFlight = 0
            state.lowestInFlight = nil
            state.resolveFlushes(&wakeups)
        }
        wakeups.resume()
    }

    /// Starts a graceful shutdown: the sender empties the buffer until `deadline`.
    func beginDrain(deadline: ContinuousClock.Instant) {
        var wakeups = Wakeups()
        state.withLock { state in
            guard state.isRunning else { return }
            state.phase = .draining(deadline: deadline)
            state.wakeSender(&wakeups)
        }
        wakeups.resume()
    }

    /// Stops: whatever is still buffered or waiting for room is dropped (and counted); returns how many.
    @discardableResult
    func stop() -> Int {
        var wakeups = Wakeups()
        let abandoned = state.withLock { state in
            state.phase = .stopped
            let abandoned = state.queued + state.waiting.count
            state.queue.removeAll()
            state.head = 0
            for waiter in state.waiting { wakeups.add(waiter.continuation) }
            state.waiting.removeAll()
            state.statistics.dropped += abandoned
            state.resolveFlushes(&wakeups)
            state.wakeSender(&wakeups)
            return abandoned
        }
        wakeups.resume()
        return abandoned
    }
}
