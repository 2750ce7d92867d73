extension LLMLogClient {
    /// Counters since the client was made. Every logging call is counted once in `enqueued` and ends up in exactly
    /// one of `sent`, `failed` or `dropped`; until then it is `pending`:
    /// `enqueued == sent + failed + dropped + pending`.
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// Logging calls made (accepted or not).
        public var enqueued = 0
        /// Events the service acknowledged (stored, or an idempotent replay of a stored one).
        public var sent = 0
        /// Events the service refused for good (4xx such as 400, 404, 409, 413, a bad key), or given up after
        /// `RetryPolicy.maxAttempts`.
        public var failed = 0
        /// Events lost on the client: full-buffer policy, or still unsent at the shutdown deadline.
        public var dropped = 0
        /// Events sent again after a retryable failure (one per event per retry).
        public var retries = 0
        /// Events buffered, waiting for room (`.wait`) or being sent now.
        public var pending = 0

        public var description: String {
            "enqueued=\(enqueued) sent=\(sent) failed=\(failed) dropped=\(dropped) retries=\(retries) pending=\(pending)"
        }
    }
}
