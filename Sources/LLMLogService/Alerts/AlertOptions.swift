/// How the budget checker and the webhook deliverer run (`LLMLOG_BUDGET_CHECK_INTERVAL_MS`,
/// `LLMLOG_WEBHOOK_DELIVERY_INTERVAL_MS`, `LLMLOG_WEBHOOK_RETRY_BASE_MS`, `LLMLOG_WEBHOOK_ALLOW_PRIVATE`).
public struct AlertOptions: Sendable {
    /// How often spend is compared with every budget's thresholds; nil: this instance does not check.
    public var checkInterval: Duration? = .seconds(5)
    /// How often due webhook deliveries are looked for; nil: this instance does not deliver.
    public var deliveryInterval: Duration? = .seconds(1)
    /// The delay before the first retry of a failed delivery; each further retry waits twice as long as the last.
    public var retryBase: Duration = .seconds(2)
    /// The longest wait between two attempts.
    public var maxRetryDelay: Duration = .seconds(3600)
    /// How long after an alert its delivery is still retried (then it is marked failed).
    public var retryWindow: Duration = .seconds(25 * 3600)
    /// How long a claimed delivery is held by its worker before another may take it (longer than a request may take).
    public var lease: Duration = .seconds(60)
    /// The longest a delivery request may take, connection included.
    public var requestTimeout: Duration = .seconds(10)
    /// Deliveries claimed at once.
    public var batchSize = 20
    /// True: webhooks may point at loopback, private and link-local addresses (SSRF protection off).
    public var allowPrivate = false

    public init() {}

    /// The wait after the `attempts`-th failed attempt: `retryBase` doubled per attempt, at most `maxRetryDelay`.
    func retryDelay(afterAttempt attempts: Int) -> Duration {
        var delay = retryBase
        for _ in 1..<max(1, min(attempts, 40)) {
            delay = delay * 2
            if delay >= maxRetryDelay { return maxRetryDelay }
        }
        return min(delay, maxRetryDelay)
    }
}
