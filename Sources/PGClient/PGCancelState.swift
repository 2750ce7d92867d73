import CLibPQ

/// What a cancellation needs to know, shared between the thread running an operation and the task that cancels
/// it: which operation is current, whether it has reached the server, and libpq's cancel handle.
/// Operation ids make a late cancel harmless: it names an operation that is no longer current.
struct PGCancelState: ~Copyable, @unchecked Sendable {  // the PGcancel pointer is used only under the lock
    var handle: OpaquePointer?
    var current: UInt64 = 0
    var running = false
    var cancelRequested = false
    var nextOperation: UInt64 = 0

    init(handle: OpaquePointer?) { self.handle = handle }

    func requested(_ operation: UInt64) -> Bool { current == operation && cancelRequested }
}

extension PGRawConnection {
    /// Reserves an id for the next operation; called by the awaiting task before it hands the work to a thread.
    func prepareOperation() -> UInt64 {
        cancelState.withLock { state in
            state.nextOperation &+= 1
            state.current = state.nextOperation
            state.cancelRequested = false
            state.running = false
            return state.current
        }
    }

    /// Marks the operation as on the wire, unless it was cancelled before it started.
    func beginOperation(_ operation: UInt64) throws(PGError) {
        if checkLivenessFirst {
            checkLivenessFirst = false
            try ensureAlive()
        }
        let cancelled = cancelState.withLock { state in
            if state.current == operation && state.cancelRequested { return true }
            state.running = true
            return false
        }
        if cancelled { throw PGError.cancelled }
    }

    func endOperation() {
        cancelState.withLock { $0.running = false }
    }

    /// Records a cancel for `operation`; true when it is running on the server and needs `PQcancel`.
    func requestCancel(_ operation: UInt64) -> Bool {
        cancelState.withLock { state in
            guard state.current == operation else { return false }
            state.cancelRequested = true
            return state.running
        }
    }

    /// Asks the server to cancel `operation` if it is still the one running (blocking: a cancel-thread call).
    func sendCancel(_ operation: UInt64) {
        cancelState.withLock { state in
            guard state.current == operation, state.running, let cancel = state.handle else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            if PQcancel(cancel, &buffer, Int32(buffer.count)) == 0 {
                let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                logger.warning("postgres cancel request failed: \(reason)")
            }
        }
    }
}
