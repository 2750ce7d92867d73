import Foundation
import Logging

/// Every setting of the service, read from environment variables; the CLI's flags override them.
/// The README lists them with their defaults.
public struct ServiceConfiguration: Sendable {
    /// `DATABASE_URL`; nil or empty: the embedded cluster under `dataDirectory`.
    public var databaseURL: String?
    /// `LLMLOG_READ_DATABASE_URL`: a read replica (a hot standby of `databaseURL`'s database) for conversation lists,
    /// details, analytics, exports and the dashboard; nil or empty: every read goes to the primary. See `ReadPools`.
    public var readDatabaseURL: String?
    /// `LLMLOG_READ_REPLICA_RETRY_MS` (default 5000): how often the replica is probed (lag gauge), and so how long reads
    /// stay on the primary after the replica failed before it is tried again.
    public var readReplicaRetry: Duration = .seconds(5)
    /// `HOST` (default 127.0.0.1).
    public var host = "127.0.0.1"
    /// `PORT` (default 8080).
    public var port = 8080
    /// `LLMLOG_DATA_DIR` (default ./.llmlog): the embedded cluster's home.
    public var dataDirectory = ".llmlog"
    /// `LLMLOG_POOL_SIZE` (default 16).
    public var poolSize = 16
    /// `LLMLOG_POOL_TIMEOUT_MS` (default 5000).
    public var poolTimeout: Duration = .seconds(5)
    /// `LLMLOG_PRICE_REFRESH_SECONDS` (default 60).
    public var priceRefresh: Duration = .seconds(60)
    /// `LLMLOG_TOKEN_MAX_TTL_SECONDS` (default 86400): the longest user-token lifetime an admin may ask for.
    public var tokenMaxTTLSeconds = 86_400
    /// `LLMLOG_SESSION_TTL_SECONDS` (default 43200, 12 h): how long a dashboard login lasts.
    public var sessionTTLSeconds = 43_200
    /// `LLMLOG_TOKEN_KEY_REFRESH_SECONDS` (default 60): how often the token signing keys are reloaded.
    public var tokenKeyRefresh: Duration = .seconds(60)
    /// `LLMLOG_KEY_USAGE_FLUSH_SECONDS` (default 30): how often api_keys.last_used_at is written.
    public var keyUsageFlush: Duration = .seconds(30)
    /// `LLMLOG_RETENTION_INTERVAL_SECONDS` (default 3600; 0: never): how often this instance runs a retention pass
    /// (one instance at a time does; see `Retention`).
    public var retentionInterval: Duration? = .seconds(3600)
    /// `LLMLOG_SEARCH_INDEX_INTERVAL_MS` (default 500; 0: never): how often this instance's search indexer looks for
    /// queued messages once it has caught up (see `SearchIndexer`). With 0 on every instance, search finds nothing new.
    public var searchIndexInterval: Duration? = .milliseconds(500)
    /// `LLMLOG_MAX_BATCH`, `LLMLOG_FLUSH_INTERVAL_MS`, `LLMLOG_QUEUE_CAPACITY`, `LLMLOG_TENANT_QUEUE_LIMIT`,
    /// `LLMLOG_RETRY_WINDOW_MS`, `LLMLOG_WRITER_LANES`.
    public var writer = IngestWriter.Options()
    /// `LLMLOG_MAX_BODY_BYTES`, `LLMLOG_MAX_BATCH_BODY_BYTES`, `LLMLOG_MAX_BATCH_EVENTS`, `LLMLOG_MAX_CONTENT_BYTES`,
    /// `LLMLOG_MAX_METADATA_BYTES`.
    public var limits = IngestLimits()
    /// `LLMLOG_LOG_FORMAT` (default text): `text` or `json` (one object per line).
    public var logFormat = LogFormat.text
    /// `LLMLOG_LOG_LEVEL` (default info; `LOG_LEVEL` is read when it is unset).
    public var logLevel = Logger.Level.info
    /// `LLMLOG_METRICS_TOKEN`: when set, `GET /metrics` requires it as a bearer token.
    public var metricsToken: String?
    /// `LLMLOG_RATE_LIMIT_PER_SECOND` (default 2000; 0: no limit): requests per second per key, token subject or operator key.
    public var rateLimitPerSecond = 2000
    /// `LLMLOG_RATE_LIMIT_BURST` (default 4000): requests a caller may send at once.
    public var rateLimitBurst = 4000
    /// `LLMLOG_TENANT_READ_LIMIT` (default a quarter of the pool): reads one tenant may run at once.
    public var tenantReadLimit: Int?
    /// `LLMLOG_READ_TIMEOUT_MS` (default 5000): statement timeout of every read (conversations, analytics).
    public var readTimeout: Duration = .seconds(5)
    /// `LLMLOG_REQUEST_HEAD_TIMEOUT_MS` (default 10000; 0: none): longest a request's head may take, from the connection's
    /// opening or the next request's first byte until the head is complete.
    public var requestHeadTimeout: Duration? = .seconds(10)
    /// `LLMLOG_REQUEST_BODY_TIMEOUT_MS` (default 30000; 0: none): longest a request's body may take, from its head on.
    public var requestBodyTimeout: Duration? = .seconds(30)
    /// `LLMLOG_IDLE_TIMEOUT_MS` (default 60000; 0: none): how long a keep-alive connection may wait for its next request.
    public var idleTimeout: Duration? = .seconds(60)
    /// `LLMLOG_MAX_CONNECTIONS` (unset or 0: derived from the open-file limit, see `httpServerLimits(openFileLimit:)`).
    public var maxConnections: Int?
    /// `LLMLOG_AUTH_FAILURE_LIMIT_PER_SECOND` (default 10; 0: no limit): failed authentications per second per client address
    /// before its key lookups are answered 429.
    public var authFailureLimitPerSecond = 10
    /// `LLMLOG_AUTH_FAILURE_BURST` (default 100): failed authentications a client address may have at once.
    public var authFailureBurst = 100

    /// `LLMLOG_BUDGET_CHECK_INTERVAL_MS` (default 5000; 0: this instance does not check budgets),
    /// `LLMLOG_WEBHOOK_DELIVERY_INTERVAL_MS` (default 1000; 0: it does not deliver), `LLMLOG_WEBHOOK_RETRY_BASE_MS`
    /// (default 2000: the first retry's delay, doubled per retry), `LLMLOG_WEBHOOK_ALLOW_PRIVATE` (default false).
    public var alerts = AlertOptions()

    public init() {}

    /// Reads the environment; a malformed number is an error naming the variable.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration()
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text), value >= 0 else {
                throw ConfigurationError(message: "\(name) must be a non-negative integer, not \"\(text)\"")
            }
            return value
        }
        configuration.databaseURL = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.readDatabaseURL = environment["LLMLOG_READ_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let value = try integer("LLMLOG_READ_REPLICA_RETRY_MS") { configuration.readReplicaRetry = .milliseconds(max(10, value)) }
        if let host = environment["HOST"], !host.isEmpty { configuration.host = host }
        if let port = try integer("PORT") { configuration.port = port }
        if let directory = environment["LLMLOG_DATA_DIR"], !directory.isEmpty { configuration.dataDirectory = directory }
        if let size = try integer("LLMLOG_POOL_SIZE") { configuration.poolSize = max(1, size) }
        if let milliseconds = try integer("LLMLOG_POOL_TIMEOUT_MS") { configuration.poolTimeout = .milliseconds(milliseconds) }
        if let seconds = try integer("LLMLOG_PRICE_REFRESH_SECONDS") { configuration.priceRefresh = .seconds(max(1, seconds)) }
        if let seconds = try integer("LLMLOG_TOKEN_MAX_TTL_SECONDS") { configuration.tokenMaxTTLSeconds = max(1, seconds) }
        if let seconds = try integer("LLMLOG_SESSION_TTL_SECONDS") { configuration.sessionTTLSeconds = max(60, seconds) }
        if let seconds = try integer("LLMLOG_TOKEN_KEY_REFRESH_SECONDS") { configuration.tokenKeyRefresh = .seconds(max(1, seconds)) }
        if let seconds = try integer("LLMLOG_KEY_USAGE_FLUSH_SECONDS") { configuration.keyUsageFlush = .seconds(max(1, seconds)) }
        if let seconds = try integer("LLMLOG_RETENTION_INTERVAL_SECONDS") { configuration.retentionInterval = seconds > 0 ? .seconds(seconds) : nil }
        if let milliseconds = try integer("LLMLOG_SEARCH_INDEX_INTERVAL_MS") {
            configuration.searchIndexInterval = milliseconds > 0 ? .milliseconds(milliseconds) : nil
        }
        if let value = try integer("LLMLOG_MAX_BATCH") { configuration.writer.maxBatch = max(1, value) }
        if let value = try integer("LLMLOG_FLUSH_INTERVAL_MS") { configuration.writer.flushInterval = .milliseconds(value) }
        if let value = try integer("LLMLOG_QUEUE_CAPACITY") { configuration.writer.queueCapacity = max(1, value) }
        if let value = try integer("LLMLOG_TENANT_QUEUE_LIMIT") { configuration.writer.tenantQueueLimit = max(1, value) }
        if let value = try integer("LLMLOG_RETRY_WINDOW_MS") { configuration.writer.retryWindow = .milliseconds(value) }
        if let value = try integer("LLMLOG_WRITER_LANES") { configuration.writer.lanes = min(64, max(1, value)) }
        if let value = try integer("LLMLOG_MAX_BODY_BYTES") { configuration.limits.maxBodyBytes = value }
        if let value = try integer("LLMLOG_MAX_BATCH_BODY_BYTES") { configuration.limits.maxBatchBodyBytes = value }
        if let value = try integer("LLMLOG_MAX_BATCH_EVENTS") { configuration.limits.maxBatchEvents = max(1, value) }
        if let value = try integer("LLMLOG_MAX_CONTENT_BYTES") { configuration.limits.maxContentBytes = value }
        if let value = try integer("LLMLOG_MAX_METADATA_BYTES") { configuration.limits.maxMetadataBytes = value }
        if let text = environment["LLMLOG_LOG_FORMAT"], !text.isEmpty {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw ConfigurationError(message: "LLMLOG_LOG_FORMAT must be text or json, not \"\(text)\"")
            }
            configuration.logFormat = format
        }
        for name in ["LLMLOG_LOG_LEVEL", "LOG_LEVEL"] {
            guard let text = environment[name], !text.isEmpty else { continue }
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ConfigurationError(
                    message: "\(name) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
            }
            configuration.logLevel = level
            break
        }
        configuration.metricsToken = environment["LLMLOG_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let value = try integer("LLMLOG_RATE_LIMIT_PER_SECOND") { configuration.rateLimitPerSecond = value }
        if let value = try integer("LLMLOG_RATE_LIMIT_BURST") { configuration.rateLimitBurst = value }
        if let value = try integer("LLMLOG_TENANT_READ_LIMIT") { configuration.tenantReadLimit = max(1, value) }
        if let value = try integer("LLMLOG_READ_TIMEOUT_MS") { configuration.readTimeout = .milliseconds(max(1, value)) }
        if let value = try integer("LLMLOG_MAX_PAGE_SIZE") { configuration.limits.maxPageSize = max(1, value) }
        if let value = try integer("LLMLOG_MAX_ANSWER_BYTES") { configuration.limits.maxAnswerBytes = max(1, value) }
        if let value = try integer("LLMLOG_REQUEST_HEAD_TIMEOUT_MS") { configuration.requestHeadTimeout = value > 0 ? .milliseconds(value) : nil }
        if let value = try integer("LLMLOG_REQUEST_BODY_TIMEOUT_MS") { configuration.requestBodyTimeout = value > 0 ? .milliseconds(value) : nil }
        if let value = try integer("LLMLOG_IDLE_TIMEOUT_MS") { configuration.idleTimeout = value > 0 ? .milliseconds(value) : nil }
        if let value = try integer("LLMLOG_MAX_CONNECTIONS") { configuration.maxConnections = value > 0 ? value : nil }
        if let value = try integer("LLMLOG_AUTH_FAILURE_LIMIT_PER_SECOND") { configuration.authFailureLimitPerSecond = value }
        if let value = try integer("LLMLOG_AUTH_FAILURE_BURST") { configuration.authFailureBurst = value }
        if let value = try integer("LLMLOG_BUDGET_CHECK_INTERVAL_MS") { configuration.alerts.checkInterval = value > 0 ? .milliseconds(value) : nil }
        if let value = try integer("LLMLOG_WEBHOOK_DELIVERY_INTERVAL_MS") {
            configuration.alerts.deliveryInterval = value > 0 ? .milliseconds(value) : nil
        }
        if let value = try integer("LLMLOG_WEBHOOK_RETRY_BASE_MS") { configuration.alerts.retryBase = .milliseconds(max(1, value)) }
        if let text = environment["LLMLOG_WEBHOOK_ALLOW_PRIVATE"], !text.isEmpty {
            switch text.lowercased() {
            case "true", "1", "yes": configuration.alerts.allowPrivate = true
            case "false", "0", "no": configuration.alerts.allowPrivate = false
            default: throw ConfigurationError(message: "LLMLOG_WEBHOOK_ALLOW_PRIVATE must be true or false, not \"\(text)\"")
            }
        }
        return configuration
    }
}

/// A bad setting.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
