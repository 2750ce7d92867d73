import Foundation

/// How failed deliveries are retried: exponential backoff with jitter, the same event ids every time.
///
/// Network errors, timeouts, `408`, `429` and `5xx` (whole request or per event) are retried; other `4xx`
/// (including `409` conflicts) are final. A `Retry-After` answer lengthens the wait (never past `maxDelay`).
public struct RetryPolicy: Sendable, Hashable {
    /// The wait before the first retry.
    public var initialDelay: Duration
    /// The longest wait between two attempts.
    public var maxDelay: Duration
    /// How much the wait grows per attempt.
    public var multiplier: Double
    /// Attempts per event before it is given up as failed; nil retries until delivered or shut down.
    public var maxAttempts: Int?
    /// Waits a random 50–100 % of the computed delay, so many clients do not retry in step.
    public var jitter: Bool

    public init(
        initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(30), multiplier: Double = 2,
        maxAttempts: Int? = nil, jitter: Bool = true
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.maxAttempts = maxAttempts
        self.jitter = jitter
    }

    /// The wait after the `attempt`-th failed attempt (1-based), at least `retryAfter` when the service asked.
    func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let ceiling = maxDelay / .seconds(1)
        var seconds = min(ceiling, (initialDelay / .seconds(1)) * pow(multiplier, min(exponent, 64)))
        if jitter { seconds *= Double.random(in: 0.5...1.0) }
        if let retryAfter { seconds = max(seconds, min(ceiling, retryAfter / .seconds(1))) }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
