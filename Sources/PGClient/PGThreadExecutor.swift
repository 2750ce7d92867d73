import Foundation
import Synchronization

/// A thread of PGClient's own that runs blocking libpq work and is also a Swift `TaskExecutor`.
///
/// Each connection owns one. Work handed to it from elsewhere costs two thread switches (there and back);
/// a task that prefers this executor (`withTaskExecutorPreference(connection.executor)`, which
/// `PGPool.withConnection` sets up) already runs on the thread, so its queries run in place with no switch.
/// Blocking this thread blocks only its own connection, never Swift's cooperative pool.
public final class PGThreadExecutor: TaskExecutor, @unchecked Sendable {
    private enum Item: Sendable {
        case job(UnownedJob)
        case block(@Sendable () -> Void)
    }

    // The queue and the stop flag are guarded by `condition` (its lock); the thread id is set once at start.
    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private var stopping = false
    private var finished = false
    private var onFinish: [CheckedContinuation<Void, Never>] = []
    /// The thread's id, published by the thread when it starts (0 until then).
    private let threadID = Atomic<UInt>(0)

    /// Starts the thread.
    public init(name: String = "pgclient") {
        // The thread holds the executor until it ends (after `stop`).
        let thread = Thread {
            self.threadID.store(UInt(pthread_self()), ordering: .releasing)
            self.loop()
        }
        thread.name = name
        thread.start()
    }

    /// True when called on this executor's thread.
    public var isCurrentThread: Bool {
        let id = threadID.load(ordering: .acquiring)
        return id != 0 && id == UInt(pthread_self())
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        push(.job(UnownedJob(job)))
    }

    /// Runs `body` on the thread (fire and forget).
    public func submit(_ body: @escaping @Sendable () -> Void) {
        push(.block(body))
    }

    /// Runs `body` on the thread and returns its result: in place when already on it, else with a hop there and back.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrentThread { return try body() }
        return try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result(catching: body)) }
        }
    }

    /// Lets the thread finish the queued work and end; returns at once. Idempotent.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread and waits (without blocking a thread) until it has ended.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            condition.broadcast()
            if finished {
                condition.unlock()
                continuation.resume()
            } else {
                onFinish.append(continuation)
                condition.unlock()
            }
        }
    }

    private func push(_ item: Item) {
        condition.lock()
        if finished {
            // The thread has ended (its connection was closed), but a task that preferred this executor can still
            // enqueue work: run it on a short-lived thread rather than lose it.
            condition.unlock()
            Thread { self.run(item) }.start()
            return
        }
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    private func run(_ item: Item) {
        switch item {
        case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
        case .block(let body): body()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while head == items.count && !stopping { condition.wait() }
            if head == items.count {
                finished = true
                let waiting = onFinish
                onFinish.removeAll()
                condition.unlock()
                for continuation in waiting { continuation.resume() }
                return
            }
            let item = items[head]
            head += 1
            if head > 64 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            condition.unlock()
            run(item)
        }
    }
}
