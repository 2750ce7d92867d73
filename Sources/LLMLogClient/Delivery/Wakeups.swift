/// Continuations to resume once a lock is released.
struct Wakeups {
    private var plain: [CheckedContinuation<Void, Never>] = []
    private var flags: [(CheckedContinuation<Bool, Never>, Bool)] = []

    mutating func add(_ continuation: CheckedContinuation<Void, Never>?) {
        if let continuation { plain.append(continuation) }
    }

    mutating func add(_ continuation: CheckedContinuation<Bool, Never>, _ value: Bool) {
        flags.append((continuation, value))
    }

    consuming func resume() {
        for continuation in plain { continuation.resume() }
        for (continuation, value) in flags { continuation.resume(returning: value) }
    }
}
