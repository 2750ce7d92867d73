import Logging
import Synchronization

/// The pool's bookkeeping, guarded by the pool's mutex.
struct PoolState: ~Copyable {
    /// What a waiter is given: a free connection, or the right to open one (a slot).
    enum Lease {
        case connection(PGConnection)
        case slot
    }

    struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Lease, Error>
        func resume(_ result: Result<Lease, PGError>) { continuation.resume(with: result.mapError { $0 as Error }) }
    }

    var idle: [PGConnection] = []
    /// Connections open or being opened, leased or idle.
    var open = 0
    var waiters: [Waiter] = []
    var nextWaiterID: UInt64 = 0
    /// Waiters whose task was cancelled before they were enqueued.
    var cancelledWaiters: Set<UInt64> = []
    var closed = false
    var drained: CheckedContinuation<Void, Never>?

    mutating func removeWaiter(_ id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index)
    }
}

extension PGPool {
    /// A connection for exclusive use until `release`.
    func acquire() async throws(PGError) -> PGConnection {
        if Task.isCancelled { throw PGError.cancelled }
        let lease: PoolState.Lease
        do {
            lease = try await nextLease()
        } catch let error as PGError {
            throw error
        } catch {
            throw PGError.cancelled
        }
        switch lease {
        case .connection(let connection):
            connection.raw.checkLivenessFirst = true
            return connection
        case .slot:
            let configuration = self.configuration, logger = self.logger
            let executor = PGThreadExecutor(name: "pgclient-pool")
            do {
                let raw = try await executor.run { () throws(PGError) -> PGRawConnection in
                    try PGRawConnection.connect(configuration, logger: logger)
                }
                return PGConnection(raw: raw, executor: executor, logger: logger)
            } catch {
                executor.stop()
                releaseSlot()
                if let error = error as? PGError { throw error }
                throw PGError(kind: .client, message: "unexpected error: \(error)")
            }
        }
    }

    /// Takes an idle connection or a slot at once, or waits in line for one until the acquire timeout.
    private func nextLease() async throws -> PoolState.Lease {
        let id = state.withLock { state in
            state.nextWaiterID &+= 1
            return state.nextWaiterID
        }
        let timeout = options.acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PoolState.Lease, Error>) in
                let immediate = state.withLock { state -> Result<PoolState.Lease, PGError>? in
                    if state.closed { return .failure(PGError(kind: .poolClosed, message: "the pool is closed")) }
                    if state.cancelledWaiters.remove(id) != nil { return .failure(PGError.cancelled) }
                    if let connection = state.idle.popLast() { return .success(.connection(connection)) }
                    if state.open < options.maxConnections {
                        state.open += 1
                        return .success(.slot)
                    }
                    state.waiters.append(PoolState.Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate {
                    continuation.resume(with: immediate.mapError { $0 as Error })
                    return
                }
                // Detached: it must not inherit a connection thread's executor preference from the caller.
                Task.detached { [weak self] in
                    try? await Task.sleep(for: timeout)
                    guard let self else { return }
                    let waiter = self.state.withLock { $0.removeWaiter(id) }
                    waiter?.resume(
                        .failure(
                            PGError(
                                kind: .poolTimeout,
                                message: "no connection free within \(timeout) (pool of \(self.options.maxConnections))")))
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> PoolState.Waiter? in
                if let waiter = state.removeWaiter(id) { return waiter }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume(.failure(PGError.cancelled))
        }
    }

    /// Returns a leased connection: to the first waiter, to the idle list, or closed if it is not reusable.
    func release(_ connection: PGConnection) {
        guard connection.raw.isReusable else {
            logger.debug("discarding a postgres connection that is broken or inside a transaction")
            discard(connection)
            return
        }
        let waiter = state.withLock { state -> PoolState.Waiter? in
            if state.closed { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        if let waiter {
            waiter.resume(.success(.connection(connection)))
        } else if state.withLock({ $0.closed }) {
            discard(connection)
        }
    }

    /// Closes a connection on its thread, ends the thread, and frees its place.
    private func discard(_ connection: PGConnection) {
        let raw = connection.raw
        connection.executor.submit { raw.close() }
        connection.executor.stop()
        releaseSlot()
    }

    /// Gives up a connection's place: the first waiter may open a new one, or the count drops.
    func releaseSlot() {
        let (waiter, drained) = state.withLock { state -> (PoolState.Waiter?, CheckedContinuation<Void, Never>?) in
            if !state.closed, !state.waiters.isEmpty { return (state.waiters.removeFirst(), nil) }
            state.open -= 1
            if state.closed, state.open == 0, let drained = state.drained {
                state.drained = nil
                return (nil, drained)
            }
            return (nil, nil)
        }
        waiter?.resume(.success(.slot))
        drained?.resume()
    }
}
