import ArgumentParser
import Foundation
import LLMLogService
import Logging
import Metrics
import Synchronization

/// The `llmlog` command line.
@main
struct LLMLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmlog",
        abstract: "Records LLM conversations and messages in PostgreSQL and answers usage and cost analytics.",
        subcommands: [
            Serve.self, Migrate.self, TenantCommand.self, KeyCommand.self, TokenKeyCommand.self, OperatorKeyCommand.self, AnalystCommand.self,
            RetentionCommand.self, UserCommand.self,
        ]
    )
}

/// Options every command shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL, else the embedded cluster under ./.llmlog).")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Where the embedded cluster lives (default: $LLMLOG_DATA_DIR or .llmlog).")
    var dataDirectory: String?

    /// The environment's settings with these flags and `overrides` (keyed by environment variable) laid over them.
    func configuration(overrides: [String: String] = [:]) throws -> ServiceConfiguration {
        var overrides = overrides
        if let databaseURL { overrides["DATABASE_URL"] = databaseURL }
        if let dataDirectory { overrides["LLMLOG_DATA_DIR"] = dataDirectory }
        return try ServiceConfiguration.resolve(overrides: overrides)
    }

    /// The process's logger; logging is set up on first use with the format and level of `configuration`
    /// (default: the environment's).
    func logger(_ configuration: ServiceConfiguration? = nil) -> Logger {
        LoggingBootstrap.once(configuration ?? (try? self.configuration()) ?? ServiceConfiguration())
        return Logger(label: "llmlog")
    }
}

/// Logging is bootstrapped once per process.
enum LoggingBootstrap {
    private static let done = Mutex(false)
    static func once(_ configuration: ServiceConfiguration) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in configuration.logFormat.handler(label: label, level: configuration.logLevel) }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service (embedded PostgreSQL unless DATABASE_URL is set).",
        discussion: "Every setting comes from its environment variable (README, Configuration); a flag given here overrides it.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Read replica URL for lists, details, analytics, exports and the dashboard ($LLMLOG_READ_DATABASE_URL, default none).")
    var readDatabaseUrl: String?
    @Option(help: "Replica probe interval and retry back-off in ms ($LLMLOG_READ_REPLICA_RETRY_MS, default 5000).") var readReplicaRetryMs: Int?
    @Option(name: [.customLong("host"), .customLong("hostname")], help: "Address to listen on ($HOST, default 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on ($PORT, default 8080).") var port: Int?
    @Option(help: "Database connections ($LLMLOG_POOL_SIZE, default 16).") var poolSize: Int?
    @Option(help: "Wait for a free connection, ms ($LLMLOG_POOL_TIMEOUT_MS, default 5000).") var poolTimeoutMs: Int?
    @Option(help: "Most operations per write transaction ($LLMLOG_MAX_BATCH, default 1000).") var maxBatch: Int?
    @Option(help: "Writer linger, ms ($LLMLOG_FLUSH_INTERVAL_MS, default 1).") var flushIntervalMs: Int?
    @Option(help: "Most queued operations before 503 ($LLMLOG_QUEUE_CAPACITY, default 20000).") var queueCapacity: Int?
    @Option(help: "Most queued operations of one tenant before 429 ($LLMLOG_TENANT_QUEUE_LIMIT, default a quarter of the queue).")
    var tenantQueueLimit: Int?
    @Option(help: "Retry window of a failing write, ms ($LLMLOG_RETRY_WINDOW_MS, default 5000).") var retryWindowMs: Int?
    @Option(help: "Write transactions at once, each on its own connection ($LLMLOG_WRITER_LANES, default 4).") var writerLanes: Int?
    @Option(help: "Largest single-object body ($LLMLOG_MAX_BODY_BYTES, default 2097152).") var maxBodyBytes: Int?
    @Option(help: "Largest batch body ($LLMLOG_MAX_BATCH_BODY_BYTES, default 16777216).") var maxBatchBodyBytes: Int?
    @Option(help: "Most events in a batch ($LLMLOG_MAX_BATCH_EVENTS, default 1000).") var maxBatchEvents: Int?
    @Option(help: "Longest message content ($LLMLOG_MAX_CONTENT_BYTES, default 1048576).") var maxContentBytes: Int?
    @Option(help: "Largest metadata object ($LLMLOG_MAX_METADATA_BYTES, default 65536).") var maxMetadataBytes: Int?
    @Option(help: "Price table reload interval ($LLMLOG_PRICE_REFRESH_SECONDS, default 60).") var priceRefreshSeconds: Int?
    @Option(help: "Longest user-token lifetime ($LLMLOG_TOKEN_MAX_TTL_SECONDS, default 86400).") var tokenMaxTtlSeconds: Int?
    @Option(help: "Signing-key reload interval ($LLMLOG_TOKEN_KEY_REFRESH_SECONDS, default 60).") var tokenKeyRefreshSeconds: Int?
    @Option(help: "last_used_at write interval ($LLMLOG_KEY_USAGE_FLUSH_SECONDS, default 30).") var keyUsageFlushSeconds: Int?
    @Option(help: "text or json ($LLMLOG_LOG_FORMAT, default text).") var logFormat: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical ($LLMLOG_LOG_LEVEL, default info).") var logLevel: String?
    @Option(help: "Bearer token GET /metrics requires ($LLMLOG_METRICS_TOKEN, default none; prefer the variable: flags show in ps).")
    var metricsToken: String?
    @Option(help: "Requests per second per key, 0: no limit ($LLMLOG_RATE_LIMIT_PER_SECOND, default 2000).") var rateLimitPerSecond: Int?
    @Option(help: "Requests a key may send at once ($LLMLOG_RATE_LIMIT_BURST, default 4000).") var rateLimitBurst: Int?
    @Option(help: "Statement timeout of reads in ms ($LLMLOG_READ_TIMEOUT_MS, default 5000).") var readTimeoutMs: Int?
    @Option(help: "Largest page a list may ask for ($LLMLOG_MAX_PAGE_SIZE, default 200).") var maxPageSize: Int?
    @Option(help: "Most bytes of stored text in one page of conversations or messages ($LLMLOG_MAX_ANSWER_BYTES, default 4194304).")
    var maxAnswerBytes: Int?
    @Option(help: "Reads one tenant may run at once ($LLMLOG_TENANT_READ_LIMIT, default a quarter of the pool).") var tenantReadLimit: Int?
    @Option(help: "Time to send a request's head in ms, 0: none ($LLMLOG_REQUEST_HEAD_TIMEOUT_MS, default 10000).") var requestHeadTimeoutMs: Int?
    @Option(help: "Time to send a request's body in ms, 0: none ($LLMLOG_REQUEST_BODY_TIMEOUT_MS, default 30000).") var requestBodyTimeoutMs: Int?
    @Option(help: "Idle keep-alive connection timeout in ms, 0: none ($LLMLOG_IDLE_TIMEOUT_MS, default 60000).") var idleTimeoutMs: Int?
    @Option(help: "Most open HTTP connections ($LLMLOG_MAX_CONNECTIONS, default: from the open-file limit, at most 10000).")
    var maxConnections: Int?
    @Option(help: "Failed authentications per second per client address, 0: no limit ($LLMLOG_AUTH_FAILURE_LIMIT_PER_SECOND, default 10).")
    var authFailureLimitPerSecond: Int?
    @Option(help: "Failed authentications a client address may have at once ($LLMLOG_AUTH_FAILURE_BURST, default 100).")
    var authFailureBurst: Int?
    @Option(help: "Seconds between retention passes, 0: none ($LLMLOG_RETENTION_INTERVAL_SECONDS, default 3600).")
    var retentionIntervalSeconds: Int?
    @Option(
        help:
            "Milliseconds between the search indexer's looks at its queue, 0: this instance does not index ($LLMLOG_SEARCH_INDEX_INTERVAL_MS, default 500)."
    )
    var searchIndexIntervalMs: Int?
    @Option(help: "Milliseconds between budget checks, 0: none on this instance ($LLMLOG_BUDGET_CHECK_INTERVAL_MS, default 5000).")
    var budgetCheckIntervalMs: Int?
    @Option(help: "Milliseconds between webhook delivery scans, 0: none ($LLMLOG_WEBHOOK_DELIVERY_INTERVAL_MS, default 1000).")
    var webhookDeliveryIntervalMs: Int?
    @Option(help: "First webhook retry delay in ms, doubled per retry ($LLMLOG_WEBHOOK_RETRY_BASE_MS, default 2000).")
    var webhookRetryBaseMs: Int?
    @Flag(help: "Allow webhooks to loopback, private and link-local addresses ($LLMLOG_WEBHOOK_ALLOW_PRIVATE, default false).")
    var webhookAllowPrivate = false

    /// The flags given, keyed by the environment variable each overrides.
    var overrides: [String: String] {
        let values: [String: String?] = [
            "LLMLOG_READ_DATABASE_URL": readDatabaseUrl, "LLMLOG_READ_REPLICA_RETRY_MS": readReplicaRetryMs.map(String.init),
            "HOST": host, "PORT": port.map(String.init), "LLMLOG_POOL_SIZE": poolSize.map(String.init),
            "LLMLOG_POOL_TIMEOUT_MS": poolTimeoutMs.map(String.init), "LLMLOG_MAX_BATCH": maxBatch.map(String.init),
            "LLMLOG_FLUSH_INTERVAL_MS": flushIntervalMs.map(String.init), "LLMLOG_QUEUE_CAPACITY": queueCapacity.map(String.init),
            "LLMLOG_TENANT_QUEUE_LIMIT": tenantQueueLimit.map(String.init),
            "LLMLOG_RETRY_WINDOW_MS": retryWindowMs.map(String.init), "LLMLOG_WRITER_LANES": writerLanes.map(String.init),
            "LLMLOG_MAX_BODY_BYTES": maxBodyBytes.map(String.init),
            "LLMLOG_MAX_BATCH_BODY_BYTES": maxBatchBodyBytes.map(String.init),
            "LLMLOG_MAX_BATCH_EVENTS": maxBatchEvents.map(String.init), "LLMLOG_MAX_CONTENT_BYTES": maxContentBytes.map(String.init),
            "LLMLOG_MAX_METADATA_BYTES": maxMetadataBytes.map(String.init),
            "LLMLOG_PRICE_REFRESH_SECONDS": priceRefreshSeconds.map(String.init),
            "LLMLOG_TOKEN_MAX_TTL_SECONDS": tokenMaxTtlSeconds.map(String.init),
            "LLMLOG_TOKEN_KEY_REFRESH_SECONDS": tokenKeyRefreshSeconds.map(String.init),
            "LLMLOG_KEY_USAGE_FLUSH_SECONDS": keyUsageFlushSeconds.map(String.init),
            "LLMLOG_LOG_FORMAT": logFormat, "LLMLOG_LOG_LEVEL": logLevel, "LLMLOG_METRICS_TOKEN": metricsToken,
            "LLMLOG_RATE_LIMIT_PER_SECOND": rateLimitPerSecond.map(String.init), "LLMLOG_RATE_LIMIT_BURST": rateLimitBurst.map(String.init),
            "LLMLOG_READ_TIMEOUT_MS": readTimeoutMs.map(String.init), "LLMLOG_MAX_PAGE_SIZE": maxPageSize.map(String.init),
            "LLMLOG_MAX_ANSWER_BYTES": maxAnswerBytes.map(String.init), "LLMLOG_TENANT_READ_LIMIT": tenantReadLimit.map(String.init),
            "LLMLOG_REQUEST_HEAD_TIMEOUT_MS": requestHeadTimeoutMs.map(String.init),
            "LLMLOG_REQUEST_BODY_TIMEOUT_MS": requestBodyTimeoutMs.map(String.init),
            "LLMLOG_IDLE_TIMEOUT_MS": idleTimeoutMs.map(String.init), "LLMLOG_MAX_CONNECTIONS": maxConnections.map(String.init),
            "LLMLOG_AUTH_FAILURE_LIMIT_PER_SECOND": authFailureLimitPerSecond.map(String.init),
            "LLMLOG_RETENTION_INTERVAL_SECONDS": retentionIntervalSeconds.map(String.init),
            "LLMLOG_SEARCH_INDEX_INTERVAL_MS": searchIndexIntervalMs.map(String.init),
            "LLMLOG_AUTH_FAILURE_BURST": authFailureBurst.map(String.init),
            "LLMLOG_BUDGET_CHECK_INTERVAL_MS": budgetCheckIntervalMs.map(String.init),
            "LLMLOG_WEBHOOK_DELIVERY_INTERVAL_MS": webhookDeliveryIntervalMs.map(String.init),
            "LLMLOG_WEBHOOK_RETRY_BASE_MS": webhookRetryBaseMs.map(String.init),
            "LLMLOG_WEBHOOK_ALLOW_PRIVATE": webhookAllowPrivate ? "true" : nil,
        ]
        return values.compactMapValues { $0 }
    }

    func run() async throws {
        let configuration = try database.configuration(overrides: overrides)
        let metrics = ServiceMetrics(scrapeToken: configuration.metricsToken)
        MetricsSystem.bootstrap(metrics.factory)  // once, in the process: library metrics join the same registry
        try await LLMLogServer.run(configuration, metrics: metrics, logger: database.logger(configuration))
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await AdminSession.with(database) { session in
            let applied = try await Migrator(logger: session.logger).migrate(session.location.configuration)
            print(applied.isEmpty ? "migrations are current" : "applied: \(applied.joined(separator: ", "))")
        }
    }
}

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants.", subcommands: [Create.self, TenantSettingsCommand.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant with an admin and an ingest key (shown once).")
        @Argument(help: "The tenant's unique name.") var name: String
        @Flag(help: "Print {\"tenantId\", \"adminKey\", \"ingestKey\"} as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                if try await session.tenants.tenantId(named: name) != nil {
                    throw ValidationError("a tenant named \"\(name)\" already exists")
                }
                let created = try await session.tenants.createTenant(name: name)
                if json {
                    print(String(decoding: try JSONEncoder().encode(created), as: UTF8.self))
                } else {
                    print("tenant:     \(created.tenantId)\nadmin key:  \(created.adminKey)\ningest key: \(created.ingestKey)")
                }
            }
        }
    }
}

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key", abstract: "Manage API keys.", subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key for a tenant (shown once).")
        @Option(help: "The tenant's id.") var tenant: String
        @Option(help: "ingest or admin.") var role: String
        @Option(help: "A label for the key.") var name: String?
        @Flag(help: "Print the key as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let tenantId = UUID(uuidString: tenant) else { throw ValidationError("--tenant must be a tenant id (UUID)") }
            guard let keyRole = KeyRole(rawValue: role) else { throw ValidationError("--role must be ingest or admin") }
            try await AdminSession.with(database) { session in
                guard let created = try await session.tenants.createKey(tenantId: tenantId, role: keyRole, name: name) else {
                    throw ValidationError("no tenant \(tenantId)")
                }
                if json {
                    print(String(decoding: try JSONEncoder().encode(created), as: UTF8.self))
                } else {
                    print("key id: \(created.keyId)\nrole:   \(created.role.rawValue)\nkey:    \(created.key)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key by its id.")
        @Argument(help: "The key's id.") var keyID: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let id = UUID(uuidString: keyID) else { throw ValidationError("KEY_ID must be a key id (UUID)") }
            try await AdminSession.with(database) { session in
                guard try await session.tenants.revokeKey(id: id) else { throw ValidationError("no active key \(id)") }
                print("revoked \(id)")
            }
        }
    }
}

extension AdminSession {
    static func with<R>(_ options: DatabaseOptions, _ body: (AdminSession) async throws -> R) async throws -> R {
        try await with(try options.configuration(), logger: options.logger(), body)
    }
}

struct TokenKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-key", abstract: "Manage the keys that sign user tokens.", subcommands: [Rotate.self, Retire.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Add a new signing key: it verifies tokens as soon as an instance reloads, and signs new ones once every instance can have reloaded (the reload interval and 5 s). Old tokens stay valid until their key is retired."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Seconds until the key signs (default: $LLMLOG_TOKEN_KEY_REFRESH_SECONDS, 60, plus 5).") var signsInSeconds: Int?

        func run() async throws {
            let delay =
                try signsInSeconds.map { Duration.seconds($0) }
                ?? ServiceConfiguration.fromEnvironment().tokenKeyRefresh + .seconds(5)
            try await AdminSession.with(database) { session in
                let id = try await TokenKeyRing.addKey(session.pool, signingDelay: delay)
                print("new signing key: \(id) (signs new tokens in \(delay.components.seconds) s)")
            }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a signing key: tokens it signed stop working once instances reload.")
        @Argument(help: "The signing key's id.") var keyID: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                guard try await TokenKeyRing.retireKey(session.pool, id: keyID) else { throw ValidationError("no active signing key \(keyID)") }
                print("retired \(keyID)")
            }
        }
    }
}

struct OperatorKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator-key", abstract: "Manage operator keys (system-wide analytics, tenant creation).", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an operator key (shown once).")
        @Option(help: "A label for the key.") var name: String?
        @Flag(help: "Print {\"keyId\", \"key\"} as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                let created = try await session.tenants.createOperatorKey(name: name)
                if json {
                    print(String(decoding: try JSONEncoder().encode(created), as: UTF8.self))
                } else {
                    print("operator key id: \(created.keyId)\noperator key:    \(created.key)")
                }
            }
        }
    }
}
