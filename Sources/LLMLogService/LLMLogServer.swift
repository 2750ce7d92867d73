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
        try await Migrator(logger: logger).migrate(location.configuration)
        // First-start administration (a token signing key, the default tenant) is done as the owner.
        let owner = PGPool(configuration: location.configuration, options: .init(maxConnections: 1), logger: logger)
        try await TokenKeyRing.ensureActiveKey(owner)
        let ownerTenants = TenantStore(pool: owner)
        if try await ownerTenants.tenantCount() == 0 {
            let created = try await ownerTenants.createTenant(name: "default")
            print(
                """
                created tenant "default" (\(created.tenantId)); its keys are shown only now:
                  admin key:  \(created.adminKey)
                  ingest key: \(created.ingestKey)
                """)
        }
        await owner.close()
        let assembly = try await ServiceAssembly.build(configuration, database: location.configuration, metrics: metrics, logger: logger)
        let extra: [any Service] = location.embedded.map { [EmbeddedClusterService(cluster: $0)] } ?? []
        print("llmlog listening on http://\(configuration.host):\(configuration.port) (database: \(location.displayURL))")
        let browserHost = ["0.0.0.0", "::", ""].contains(configuration.host) ? "127.0.0.1" : configuration.host
        print("dashboard: http://\(browserHost):\(configuration.port)/dashboard (log in with an admin key, a user token or an operator key)")
        fflush(nil)  // the keys and address must reach a piped stdout now, not at exit
        logger.info(
            "listening",
            metadata: [
                "host": "\(configuration.host)", "port": "\(configuration.port)",
                "rate_limit_per_second": "\(configuration.rateLimitPerSecond)",
                "read_replica": "\(configuration.readDatabaseURL.map { PGConnectionConfiguration(url: $0).description } ?? "none")",
                "auth_failure_limit_per_second": "\(configuration.authFailureLimitPerSecond)",
            ])
        try await assembly.application(limits: limits, extraServices: extra, logger: logger).runService()
    }

    /// Raises the open-file limit as far as the system allows (every connection holds a file) and derives the
    /// connection cap from it; logs both.
    static func httpServerLimits(_ configuration: ServiceConfiguration, logger: Logger) -> HTTPServerLimits {
        let raised = OpenFileLimit.raiseToHardLimit()
        let openFiles = raised?.after ?? 1024  // unreadable: assume the common default
        let limits = configuration.httpServerLimits(openFileLimit: openFiles)
        if let wanted = configuration.maxConnections, wanted > limits.maxConnections {
            logger.warning(
                "LLMLOG_MAX_CONNECTIONS lowered to fit the open-file limit",
                metadata: [
                    "wanted": "\(wanted)", "max_connections": "\(limits.maxConnections)", "open_file_limit": "\(openFiles)",
                    "reserved": "\(configuration.reservedFileDescriptors)",
                ])
        }
        func text(_ timeout: Duration?) -> Logger.MetadataValue { timeout.map { "\($0)" } ?? "none" }
        logger.info(
            "connection limits",
            metadata: [
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
