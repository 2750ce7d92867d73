import Synchronization

/// The HTTP connections open now, shared by every event loop, with a cap: a connection takes a place when it is
/// accepted and gives it back when it closes. Lock-free, so it never blocks an event loop.
final class OpenConnections: Sendable {
    /// Most connections open at once.
    let limit: Int
    private let count = Atomic(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place; false (and nothing taken) when `limit` connections are open already.
    func tryOpen() -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back a place taken by `tryOpen()`.
    func close() {
        count.subtract(1, ordering: .relaxed)
    }

    /// Connections open now.
    var current: Int { count.load(ordering: .relaxed) }
}
