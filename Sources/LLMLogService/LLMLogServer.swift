import Foundation
import Hummingbird
import Logging
import PGClient
import ServiceLifecycle

/// `llmlog serve`: database (embedded or `DATABASE_URL`), migrations, the `default` tenant on first start,
/// prices, the writer and the HTTP server, until SIGINT or SIGTERM.
public enum LLMLogServer {
    public static func run(_ configuration: ServiceConfiguration, logger: Logger) async throws {
        let location = try await DatabaseLocation.resolve(
            databaseURL: configuration.databaseURL, directory: configuration.dataDirectory, logger: logger)
        let migrator = try Migrator(logger: logger)
        try await migrator.migrate(location.configuration)
        let pool = PGPool(configuration: location.serviceConfiguration,
                          options: .init(maxConnections: configuration.poolSize, acquireTimeout: configuration.poolTimeout),
                          logger: logger)
        let tenants = TenantStore(pool: pool)
        if try await tenants.tenantCount() == 0 {
            // Creating tenants is administration: done as the owner, not as the service role.
            let owner = PGPool(configuration: location.configuration, options: .init(maxConnections: 1), logger: logger)
            let created = try await TenantStore(pool: owner).createTenant(name: "default")
            await owner.close()
            print("""
                created tenant "default" (\(created.tenantId)); its keys are shown only now:
                  admin key:  \(created.adminKey)
                  ingest key: \(created.ingestKey)
                """)
        }
        let prices = PriceBook()
        try await prices.reload(from: pool)
        let writer = IngestWriter(pool: pool, prices: prices, options: configuration.writer, logger: logger)
        let keyUsage = KeyUsageRecorder(pool: pool, interval: configuration.keyUsageFlush, logger: logger)
        let components = ServiceComponents(pool: pool, writer: writer, tenants: tenants, migrator: migrator,
                                           limits: configuration.limits, keyUsage: keyUsage)
        var extra: [any Service] = [PriceRefresher(prices: prices, pool: pool, interval: configuration.priceRefresh, logger: logger)]
        if let cluster = location.embedded { extra.insert(EmbeddedClusterService(cluster: cluster), at: 0) }
        print("llmlog listening on http://\(configuration.host):\(configuration.port) (database: \(location.displayURL))")
        fflush(nil)  // the keys and address must reach a piped stdout now, not at exit
        let app = buildApplication(components, host: configuration.host, port: configuration.port, extraServices: extra, logger: logger)
        try await app.runService()
    }
}

/// Reloads the price table periodically, so price changes reach every instance without a restart.
struct PriceRefresher: Service {
    let prices: PriceBook
    let pool: PGPool
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await prices.reload(from: pool)
                } catch {
                    logger.warning("price reload failed", metadata: ["error": "\(error)"])
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
