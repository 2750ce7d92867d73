import Synchronization

/// A token bucket per caller (API key, user-token subject or operator key; or client address, for failed
/// authentications), in memory, per instance: each caller may send `burst` requests at once and `ratePerSecond` on
/// average. A refused request learns how many whole seconds (at least 1) until its next one is admitted.
///
/// The map stays bounded: buckets that refilled completely are dropped (they are the same as new ones) every
/// `burst / rate` seconds, and past `maxSubjects` callers the least recently seen are evicted.
public final class RateLimiter: Sendable {
    /// The verdict for one request.
    public enum Decision: Equatable, Sendable {
        case admitted
        /// Refused; retry after this many seconds (≥ 1).
        case limited(retryAfterSeconds: Int)
    }

    struct Bucket {
        var tokens: Double
        var updated: Duration
    }

    struct State: ~Copyable {
        var buckets: [String: Bucket] = [:]
        var lastSweep: Duration = .zero
    }

    /// Requests per second a caller may send on average.
    public let ratePerSecond: Double
    /// Requests a caller may send at once.
    public let burst: Double
    /// Most callers remembered.
    public let maxSubjects: Int
    private let now: @Sendable () -> Duration
    private let state = Mutex(State())

    /// A limiter of `ratePerSecond` (> 0) and `burst` (at least 1). `now` is a monotonic time (injectable for tests).
    public init(ratePerSecond: Int, burst: Int, maxSubjects: Int = 100_000, now: (@Sendable () -> Duration)? = nil) {
        precondition(ratePerSecond > 0, "a rate limiter needs a positive rate")
        self.ratePerSecond = Double(ratePerSecond)
        self.burst = Double(max(1, burst))
        self.maxSubjects = max(1, maxSubjects)
        if let now {
            self.now = now
        } else {
            let origin = ContinuousClock.now
            self.now = { ContinuousClock.now - origin }
        }
    }

    /// Takes one token from `subject`'s bucket, or says how long until one is there.
    public func admit(_ subject: String) -> Decision {
        let now = self.now()
        return state.withLock { state in
            sweepIfDue(&state, now: now)
            var bucket = state.buckets[subject].map { refilled($0, now: now) } ?? Bucket(tokens: burst, updated: now)
            defer { state.buckets[subject] = bucket }
            if bucket.tokens >= 1 - 1e-9 {  // tolerates rounding of the refill arithmetic
                bucket.tokens = max(0, bucket.tokens - 1)
                return .admitted
            }
            return limited(bucket)
        }
    }

    /// Whether `subject` has a token left, without taking it (and without remembering a subject never charged):
    /// `.admitted`, or how long until it has one. For limits charged afterwards, by what a request turned out to be.
    public func check(_ subject: String) -> Decision {
        let now = self.now()
        return state.withLock { state in
            guard let bucket = state.buckets[subject].map({ refilled($0, now: now) }), bucket.tokens < 1 - 1e-9 else { return .admitted }
            return limited(bucket)
        }
    }

    /// The refusal for a bucket short of a token: whole seconds until it has one.
    private func limited(_ bucket: Bucket) -> Decision {
        let seconds = (1 - bucket.tokens) / ratePerSecond - 1e-9
        return .limited(retryAfterSeconds: max(1, Int(seconds.rounded(.up))))
    }

    /// Callers currently remembered.
    public var subjectCount: Int { state.withLock { $0.buckets.count } }

    private func refilled(_ bucket: Bucket, now: Duration) -> Bucket {
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Bucket(tokens: min(burst, bucket.tokens + max(0, seconds) * ratePerSecond), updated: now)
    }

    private func sweepIfDue(_ state: inout State, now: Duration) {
        let fillTime = Duration.seconds(burst / ratePerSecond)
        if now - state.lastSweep >= fillTime || state.buckets.count >= maxSubjects {
            state.lastSweep = now
            state.buckets = state.buckets.filter { refilled($0.value, now: now).tokens < burst }
        }
        if state.buckets.count >= maxSubjects {
            let excess = max(state.buckets.count - maxSubjects + 1, maxSubjects / 10)
            for (subject, _) in state.buckets.sorted(by: { $0.value.updated < $1.value.updated }).prefix(excess) {
                state.buckets[subject] = nil
            }
        }
    }
}
