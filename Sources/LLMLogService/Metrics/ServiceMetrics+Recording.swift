import Metrics
import PGClient

/// The `bucket` label of `llmlog_tokens_ingested_total`: the five non-overlapping token buckets.
public enum TokenBucketLabel: String, CaseIterable, Sendable {
    case input
    case cachedInput = "cached_input"
    case cacheCreationInput = "cache_creation_input"
    case output, reasoning
}

/// The `limit` label of `llmlog_rate_limited_total`: which limit answered 429.
public enum RateLimitLabel: String, CaseIterable, Sendable {
    /// The per-caller limit (API key, user-token subject, operator key).
    case caller
    /// The limit on failed authentications per client address.
    case clientAddress = "client_address"
}

/// The `reason` label of `llmlog_http_connections_closed_total`: why the server closed a connection itself.
public enum ConnectionCloseReason: String, CaseIterable, Sendable {
    /// Accepted while `LLMLOG_MAX_CONNECTIONS` others were open.
    case maxConnections = "max_connections"
    /// A request's head was not complete within `LLMLOG_REQUEST_HEAD_TIMEOUT_MS`.
    case headTimeout = "head_timeout"
    /// A request's body was not complete within `LLMLOG_REQUEST_BODY_TIMEOUT_MS`.
    case bodyTimeout = "body_timeout"
}

extension ServiceMetrics {
    /// Methods outside this set are counted as `other`, so a client cannot grow the label set.
    static let knownMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    /// One answered request: `route` is the route pattern (Hummingbird says `NotFound` when none matched), never the raw path.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let method = Self.knownMethods.contains(method) ? method : "other"
        Counter(label: Name.httpRequests, dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory)
            .increment()
        Metrics.Timer(label: Name.httpRequestDuration, dimensions: [("method", method), ("route", route)], factory: factory)
            .record(duration: duration)
    }

    /// One flush of the writer: how many operations it wrote and how long it took (retries included).
    func recordFlush(operations: Int, duration: Duration) {
        flushOperations.record(operations)
        flushDuration.record(duration: duration)
    }

    /// What a flush stored: newly created messages and their tokens by bucket (replayed retries count nothing).
    func recordIngested(_ outcomes: [WriteOutcome]) {
        var messages = 0
        var usage = TokenUsage()
        for case .success(.message(let record, created: true)) in outcomes {
            messages += 1
            usage.input += record.inputTokens ?? 0
            usage.cachedInput += record.cachedInputTokens ?? 0
            usage.cacheCreationInput += record.cacheCreationInputTokens ?? 0
            usage.output += record.outputTokens ?? 0
            usage.reasoning += record.reasoningTokens ?? 0
        }
        guard messages > 0 else { return }
        messagesIngested.increment(by: messages)
        let counts: [(TokenBucketLabel, Int64)] = [
            (.input, usage.input), (.cachedInput, usage.cachedInput), (.cacheCreationInput, usage.cacheCreationInput),
            (.output, usage.output), (.reasoning, usage.reasoning),
        ]
        for (bucket, count) in counts where count > 0 { tokenCounter(bucket).increment(by: count) }
    }

    func tokenCounter(_ bucket: TokenBucketLabel) -> Counter {
        Counter(label: Name.tokensIngested, dimensions: [("bucket", bucket.rawValue)], factory: factory)
    }

    /// A database error seen by the pool, by PGError kind and SQLSTATE class (cancellations are not errors).
    func recordDatabaseError(_ error: PGError) {
        guard error.kind != .cancelled else { return }
        let code = error.code?.rawValue ?? ""
        let sqlClass = code.utf8.count == 5 && code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? String(code.prefix(2)) : "none"
        Counter(label: Name.databaseErrors, dimensions: [("kind", error.kind.rawValue), ("sqlstate_class", sqlClass)], factory: factory)
            .increment()
    }

    /// A request refused by a rate limit.
    func recordRateLimited(_ limit: RateLimitLabel) { rateLimitedCounter(limit).increment() }

    func rateLimitedCounter(_ limit: RateLimitLabel) -> Counter {
        Counter(label: Name.rateLimited, dimensions: [("limit", limit.rawValue)], factory: factory)
    }

    /// A connection the server closed itself (past the cap, or too slow).
    func recordConnectionClosed(_ reason: ConnectionCloseReason) { connectionsClosedCounter(reason).increment() }

    func connectionsClosedCounter(_ reason: ConnectionCloseReason) -> Counter {
        Counter(label: Name.connectionsClosed, dimensions: [("reason", reason.rawValue)], factory: factory)
    }

    /// The pool hook that counts database errors here.
    public var databaseErrorObserver: @Sendable (PGError) -> Void {
        { [weak self] error in self?.recordDatabaseError(error) }
    }
}
