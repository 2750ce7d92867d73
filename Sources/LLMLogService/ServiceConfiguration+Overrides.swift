import Foundation

extension ServiceConfiguration {
    /// Every setting: its environment variable and the `llmlog serve` flag that overrides it (the README lists both).
    public static let settings: [(variable: String, flag: String)] = [
        ("DATABASE_URL", "--database-url"), ("LLMLOG_READ_DATABASE_URL", "--read-database-url"),
        ("LLMLOG_READ_REPLICA_RETRY_MS", "--read-replica-retry-ms"), ("LLMLOG_DATA_DIR", "--data-dir"), ("HOST", "--host"), ("PORT", "--port"),
        ("LLMLOG_POOL_SIZE", "--pool-size"), ("LLMLOG_POOL_TIMEOUT_MS", "--pool-timeout-ms"),
        ("LLMLOG_MAX_BATCH", "--max-batch"), ("LLMLOG_FLUSH_INTERVAL_MS", "--flush-interval-ms"),
        ("LLMLOG_QUEUE_CAPACITY", "--queue-capacity"), ("LLMLOG_TENANT_QUEUE_LIMIT", "--tenant-queue-limit"),
        ("LLMLOG_RETRY_WINDOW_MS", "--retry-window-ms"),
        ("LLMLOG_WRITER_LANES", "--writer-lanes"),
        ("LLMLOG_MAX_BODY_BYTES", "--max-body-bytes"), ("LLMLOG_MAX_BATCH_BODY_BYTES", "--max-batch-body-bytes"),
        ("LLMLOG_MAX_BATCH_EVENTS", "--max-batch-events"), ("LLMLOG_MAX_CONTENT_BYTES", "--max-content-bytes"),
        ("LLMLOG_MAX_METADATA_BYTES", "--max-metadata-bytes"), ("LLMLOG_PRICE_REFRESH_SECONDS", "--price-refresh-seconds"),
        ("LLMLOG_TOKEN_MAX_TTL_SECONDS", "--token-max-ttl-seconds"), ("LLMLOG_TOKEN_KEY_REFRESH_SECONDS", "--token-key-refresh-seconds"),
        ("LLMLOG_KEY_USAGE_FLUSH_SECONDS", "--key-usage-flush-seconds"), ("LLMLOG_LOG_FORMAT", "--log-format"),
        ("LLMLOG_LOG_LEVEL", "--log-level"), ("LLMLOG_METRICS_TOKEN", "--metrics-token"),
        ("LLMLOG_RATE_LIMIT_PER_SECOND", "--rate-limit-per-second"), ("LLMLOG_RATE_LIMIT_BURST", "--rate-limit-burst"),
        ("LLMLOG_READ_TIMEOUT_MS", "--read-timeout-ms"), ("LLMLOG_MAX_PAGE_SIZE", "--max-page-size"),
        ("LLMLOG_MAX_ANSWER_BYTES", "--max-answer-bytes"), ("LLMLOG_TENANT_READ_LIMIT", "--tenant-read-limit"),
        ("LLMLOG_REQUEST_HEAD_TIMEOUT_MS", "--request-head-timeout-ms"), ("LLMLOG_REQUEST_BODY_TIMEOUT_MS", "--request-body-timeout-ms"),
        ("LLMLOG_IDLE_TIMEOUT_MS", "--idle-timeout-ms"), ("LLMLOG_MAX_CONNECTIONS", "--max-connections"),
        ("LLMLOG_AUTH_FAILURE_LIMIT_PER_SECOND", "--auth-failure-limit-per-second"), ("LLMLOG_AUTH_FAILURE_BURST", "--auth-failure-burst"),
        ("LLMLOG_RETENTION_INTERVAL_SECONDS", "--retention-interval-seconds"),
        ("LLMLOG_SEARCH_INDEX_INTERVAL_MS", "--search-index-interval-ms"),
        ("LLMLOG_BUDGET_CHECK_INTERVAL_MS", "--budget-check-interval-ms"),
        ("LLMLOG_WEBHOOK_DELIVERY_INTERVAL_MS", "--webhook-delivery-interval-ms"),
        ("LLMLOG_WEBHOOK_RETRY_BASE_MS", "--webhook-retry-base-ms"), ("LLMLOG_WEBHOOK_ALLOW_PRIVATE", "--webhook-allow-private"),
    ]

    /// The environment with command-line values laid over it: `overrides` maps a setting's environment variable
    /// to the value its flag was given (flags not given are absent), and wins. Both are read and checked alike.
    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment, overrides: [String: String]
    ) throws -> ServiceConfiguration {
        try fromEnvironment(environment.merging(overrides) { _, flag in flag })
    }

    /// Reads one tenant may run at once: the setting, else a quarter of the pool (at least 1).
    public var effectiveTenantReadLimit: Int { max(1, tenantReadLimit ?? poolSize / 4) }

    /// The rate limiter these settings ask for; nil when `rateLimitPerSecond` is 0.
    public func makeRateLimiter() -> RateLimiter? {
        rateLimitPerSecond > 0 ? RateLimiter(ratePerSecond: rateLimitPerSecond, burst: rateLimitBurst) : nil
    }

    /// The limiter of failed authentications per client address these settings ask for; nil when
    /// `authFailureLimitPerSecond` is 0.
    public func makeAuthFailureLimiter() -> RateLimiter? {
        authFailureLimitPerSecond > 0 ? RateLimiter(ratePerSecond: authFailureLimitPerSecond, burst: authFailureBurst) : nil
    }

    /// File descriptors kept back from HTTP connections for everything else: the database connections (pool, writer
    /// lanes, the replica's pool when there is one, the owner's at start), logs, the event loops' own descriptors and the listening socket.
    public var reservedFileDescriptors: Int { poolSize * (readDatabaseURL == nil ? 1 : 2) + writer.lanes + 64 }

    /// The HTTP server's timeouts and connection cap for a process allowed `openFileLimit` open files: the cap is
    /// `LLMLOG_MAX_CONNECTIONS` when set, else `HTTPServerLimits.defaultMaxConnections`, and never more than the limit
    /// minus `reservedFileDescriptors` (at least 1).
    public func httpServerLimits(openFileLimit: Int) -> HTTPServerLimits {
        let ceiling = max(1, openFileLimit - reservedFileDescriptors)
        return HTTPServerLimits(
            headTimeout: requestHeadTimeout, bodyTimeout: requestBodyTimeout, idleTimeout: idleTimeout,
            maxConnections: min(maxConnections ?? HTTPServerLimits.defaultMaxConnections, ceiling))
    }
}
