import Foundation

extension LLMLogClient {
    /// Where the service is, how to authenticate, and how events are buffered, batched and retried.
    public struct Configuration: Sendable {
        /// The service's base URL, e.g. `http://localhost:8080` (no trailing `/v1`).
        public var baseURL: String
        /// An ingest (or admin) key of the tenant, sent as `Authorization: Bearer …`.
        public var apiKey: String
        /// Most events waiting to be sent (the batch being sent does not count).
        public var capacity: Int
        /// What a logging call does when `capacity` events are waiting.
        public var fullBufferPolicy: FullBufferPolicy
        /// Most events per `POST /v1/batch` (the service takes up to 1000).
        public var maxBatchEvents: Int
        /// Largest batch body in bytes (the service takes up to 16 MiB); a larger single event is sent alone.
        public var maxBatchBytes: Int
        /// Retries of failed deliveries.
        public var retry: RetryPolicy
        /// Timeout of one HTTP request.
        public var requestTimeout: Duration
        /// On graceful shutdown, how long `run()` keeps sending what is buffered before dropping the rest.
        public var shutdownTimeout: Duration

        public init(
            baseURL: String, apiKey: String, capacity: Int = 10_000, fullBufferPolicy: FullBufferPolicy = .dropNewest,
            maxBatchEvents: Int = 500, maxBatchBytes: Int = 4 << 20, retry: RetryPolicy = RetryPolicy(),
            requestTimeout: Duration = .seconds(10), shutdownTimeout: Duration = .seconds(10)
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
            self.capacity = max(1, capacity)
            self.fullBufferPolicy = fullBufferPolicy
            self.maxBatchEvents = min(1000, max(1, maxBatchEvents))
            self.maxBatchBytes = max(1024, maxBatchBytes)
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.shutdownTimeout = shutdownTimeout
        }
    }
}
