import Foundation
import Hummingbird
import Logging
import PGClient
import ServiceLifecycle

/// `llmlog serve`: database (embedded or `DATABASE_URL`), migrations, the `default` tenant on first start,
/// prices, the writer and the HTTP server, until SIGINT or SIGTERM.
public enum LLMLogServer {
    /// Runs until shutdown; `metrics` is the registry `GET /metrics` serves (the CLI bootstraps swift-metrics with it).
    public static func run(_ configuration: ServiceConfiguration, metrics: ServiceMetrics? = nil, logger: Logger) async throws {
        let metrics = metrics ?? ServiceMetrics(scrapeToken: configuration.metricsToken)
        let limits = httpServerLimits(configuration, logger: logger)
        let location = try await DatabaseLocation.resolve(
            databaseURL: configuration.databaseURL, directory: configuration.dataDirectory, logger: logger)
        let migrator = try Migrator(logger: logger)
        try await migrator.migrate(location.configuration)
        var poolOptions = PGPool.Options(maxConnections: configuration.poolSize, acquireTimeout: configuration.poolTimeout)
        poolOptions.errorObserver = metrics.databaseErrorObserver
        let pool = PGPool(configuration: location.serviceConfiguration, options: poolOptions, logger: logger)
        let tenants = TenantStore(pool: pool)
        // First-start administration (a token signing key, the default tenant) is done as the owner.
        let owner = PGPool(configuration: location.configuration, options: .init(maxConnections: 1), logger: logger)
        try await TokenKeyRing.ensureActiveKey(owner)
        if try await tenants.tenantCount() == 0 {
            let created = try await TenantStore(pool: owner).createTenant(name: "default")
            print("""
                created tenant "default" (\(created.tenantId)); its keys are shown only now:
                  admin key:  \(created.adminKey)
                  ingest key: \(created.ingestKey)
                """)
        }
        await owner.close()
        let tokens = TokenKeyRing()
        try await tokens.reload(from: pool)
        let prices = PriceBook()
        try await prices.reload(from: pool)
        // The writer has connections of its own (one per lane): under load every pooled connection can be busy with key lookups
        // and reads, and a flush that waits for one holds back every request queued behind it.
        var writerPoolOptions = PGPool.Options(maxConnections: configuration.writer.lanes, acquireTimeout: configuration.poolTimeout)
        writerPoolOptions.errorObserver = metrics.databaseErrorObserver
        let writerPool = PGPool(configuration: location.serviceConfiguration, options: writerPoolOptions, logger: logger)
        let writer = IngestWriter(pool: writerPool, prices: prices, options: configuration.writer, limits: configuration.limits,
                                  metrics: metrics, logger: logger)
        let keyUsage = KeyUsageRecorder(pool: pool, interval: configuration.keyUsageFlush, logger: logger)
        let components = ServiceComponents(pool: pool, writer: writer, tenants: tenants, migrator: migrator,
                                           limits: configuration.limits, keyUsage: keyUsage, tokens: tokens,
                                           tokenMaxTTLSeconds: configuration.tokenMaxTTLSeconds, readTimeout: configuration.readTimeout, metrics: metrics,
                                           rateLimiter: configuration.makeRateLimiter(), authFailureLimiter: configuration.makeAuthFailureLimiter(),
                                           readShare: ReadShare(limit: configuration.effectiveTenantReadLimit))
        var extra: [any Service] = [
            PeriodicReload(what: "prices", interval: configuration.priceRefresh, logger: logger) { try await prices.reload(from: pool) },
            PeriodicReload(what: "token signing keys", interval: configuration.tokenKeyRefresh, logger: logger) { try await tokens.reload(from: pool) },
        ]
        extra.append(writerPool)  // services stop in reverse order: the writer's pool closes after the writer drained
        if let cluster = location.embedded { extra.insert(EmbeddedClusterService(cluster: cluster), at: 0) }
        print("llmlog listening on http://\(configuration.host):\(configuration.port) (database: \(location.displayURL))")
        fflush(nil)  // the keys and address must reach a piped stdout now, not at exit
        logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)",
                                            "rate_limit_per_second": "\(configuration.rateLimitPerSecond)",
                                            "auth_failure_limit_per_second": "\(configuration.authFailureLimitPerSecond)"])
        let app = buildApplication(components, host: configuration.host, port: configuration.port, limits: limits, extraServices: extra,
                                   logger: logger)
        try await app.runService()
    }

    /// Raises the open-file limit as far as the system allows (every connection holds a file) and derives the
    /// connection cap from it; logs both.
    static func httpServerLimits(_ configuration: ServiceConfiguration, logger: Logger) -> HTTPServerLimits {
        let raised = OpenFileLimit.raiseToHardLimit()
        let openFiles = raised?.after ?? 1024  // unreadable: assume the common default
        let limits = configuration.httpServerLimits(openFileLimit: openFiles)
        if let wanted = configuration.maxConnections, wanted > limits.maxConnections {
            logger.warning("LLMLOG_MAX_CONNECTIONS lowered to fit the open-file limit", metadata: [
                "wanted": "\(wanted)", "max_connections": "\(limits.maxConnections)", "open_file_limit": "\(openFiles)",
                "reserved": "\(configuration.reservedFileDescriptors)",
            ])
        }
        func text(_ timeout: Duration?) -> Logger.MetadataValue { timeout.map { "\($0)" } ?? "none" }
        logger.info("connection limits", metadata: [
            "open_file_limit": "\(openFiles)", "open_file_limit_before": raised.map { "\($0.before)" } ?? "unknown",
            "max_connections": "\(limits.maxConnections)", "request_head_timeout": text(limits.headTimeout),
            "request_body_timeout": text(limits.bodyTimeout), "idle_timeout": text(limits.idleTimeout),
        ])
        return limits
    }
}

/// Reloads something from the database periodically (prices, token signing keys), so changes reach every instance
/// without a restart.
struct PeriodicReload: Service {
    let what: String
    let interval: Duration
    let logger: Logger
    let reload: @Sendable () async throws -> Void

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await reload()
                } catch {
                    logger.warning("reload failed", metadata: ["what": "\(what)", "error": "\(error)"])
                }
            }
        }
    }
}

/// Stops the embedded cluster at graceful shutdown (it is the first service, so it stops last).
public struct EmbeddedClusterService: Service {
    let cluster: PGLocalCluster
    public init(cluster: PGLocalCluster) { self.cluster = cluster }
    public func run() async throws {
        try? await gracefulShutdown()
        cluster.stop()
    }
}
