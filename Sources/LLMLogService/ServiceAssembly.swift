import Hummingbird
import Logging
import PGClient
import ServiceLifecycle

/// The service as `llmlog serve` runs it, built in one place from its settings: the reading pool (reads and key
/// lookups), the read replica's pool when `LLMLOG_READ_DATABASE_URL` is set (with `ReadPools`, which routes the reads
/// that may lag there and probes it), the writer's own pool (one connection per lane, so a flush never waits behind reads), the price table
/// and token signing keys loaded and periodically reloaded, the writer and the key-use recorder. `llmlog serve`, the
/// service's tests and the Swift client's tests all build it here, so what is tested is what ships: a test's choices
/// are settings (`ServiceConfiguration`), plus the rate limiters it may hand in with a clock of its own.
public struct ServiceAssembly: Sendable {
    /// The settings it was built from.
    public let configuration: ServiceConfiguration
    /// What the routes use.
    public let components: ServiceComponents
    /// The price table the writer prices with.
    public let prices: PriceBook
    /// The writer's pool (one connection per lane).
    public let writerPool: PGPool
    /// Everything that runs beside the HTTP server, in start order; they stop in reverse (the writer drains first,
    /// then the recorder, the reading pool, the writer's pool and the reloads).
    public let services: [any Service]

    /// Builds the service on a migrated database: `database` is how the owner connects; the service connects with
    /// the same credentials as `llmlog_service` (row-level security applies to every query).
    public static func build(
        _ configuration: ServiceConfiguration, database: PGConnectionConfiguration, metrics: ServiceMetrics? = nil,
        rateLimiter: RateLimiter? = nil, authFailureLimiter: RateLimiter? = nil, logger: Logger
    ) async throws -> ServiceAssembly {
        let metrics = metrics ?? ServiceMetrics(scrapeToken: configuration.metricsToken)
        let serviceDatabase = DatabaseLocation.service(database)
        var poolOptions = PGPool.Options(maxConnections: configuration.poolSize, acquireTimeout: configuration.poolTimeout)
        poolOptions.errorObserver = metrics.databaseErrorObserver
        let pool = PGPool(configuration: serviceDatabase, options: poolOptions, logger: logger)
        var writerPoolOptions = PGPool.Options(maxConnections: configuration.writer.lanes, acquireTimeout: configuration.poolTimeout)
        writerPoolOptions.errorObserver = metrics.databaseErrorObserver
        let writerPool = PGPool(configuration: serviceDatabase, options: writerPoolOptions, logger: logger)
        // The replica's pool: the same size and role as the reading pool (row-level security applies there alike).
        let replicaPool = configuration.readDatabaseURL.map { url in
            PGPool(
                configuration: DatabaseLocation.service(PGConnectionConfiguration(url: url)),
                options: poolOptions, logger: logger)
        }
        let reads = ReadPools(
            primary: pool, replica: replicaPool, retryInterval: configuration.readReplicaRetry, metrics: metrics, logger: logger)
        let tokens = TokenKeyRing()
        try await tokens.reload(from: pool)
        let prices = PriceBook()
        try await prices.reload(from: pool)
        // Rollup lanes of their own: lane numbers are smallint, so at most 32,768 / lanes instances get a slot; past that
        // an instance shares lane 0's numbers (correct, only slower).
        var writerOptions = configuration.writer
        let slot = try await InstanceSlot.claim(serviceDatabase, limit: 32_768 / max(1, writerOptions.lanes), logger: logger)
        if slot == nil { logger.warning("every instance slot is taken: this instance's writer shares rollup lanes with another") }
        writerOptions.laneBase = (slot?.slot ?? 0) * max(1, writerOptions.lanes)
        let writer = IngestWriter(
            pool: writerPool, prices: prices, options: writerOptions, limits: configuration.limits,
            metrics: metrics, logger: logger)
        let keyUsage = KeyUsageRecorder(pool: pool, interval: configuration.keyUsageFlush, logger: logger)
        let components = ServiceComponents(
            pool: pool, writer: writer, tenants: TenantStore(pool: pool), migrator: try Migrator(logger: logger),
            limits: configuration.limits, keyUsage: keyUsage, tokens: tokens, tokenMaxTTLSeconds: configuration.tokenMaxTTLSeconds,
            readTimeout: configuration.readTimeout, metrics: metrics, rateLimiter: rateLimiter ?? configuration.makeRateLimiter(),
            authFailureLimiter: authFailureLimiter ?? configuration.makeAuthFailureLimiter(),
            readShare: ReadShare(limit: configuration.effectiveTenantReadLimit), sessionTTLSeconds: configuration.sessionTTLSeconds,
            reads: reads, webhookAllowPrivate: configuration.alerts.allowPrivate)
        // The slot first: it is released last, after the writer drained.
        let services: [any Service] =
            (slot.map { [$0] } ?? []) + [
                PeriodicReload(what: "prices", interval: configuration.priceRefresh, logger: logger) { try await prices.reload(from: pool) },
                PeriodicReload(what: "token signing keys", interval: configuration.tokenKeyRefresh, logger: logger) {
                    try await tokens.reload(from: pool)
                },
                writerPool, pool,
            ] + (replicaPool.map { [$0] } ?? []) + [
                reads, keyUsage, writer,
            ]
            + (configuration.retentionInterval.map { interval in
                let retention = Retention(pool: pool, metrics: metrics, logger: logger)
                return [PeriodicReload(what: "retention", interval: interval, logger: logger) { _ = try await retention.runOnce() }]
            } ?? [])
            + (configuration.searchIndexInterval.map { interval in
                [SearchIndexer(pool: pool, interval: interval, writerBacklog: { writer.queueDepth }, metrics: metrics, logger: logger)]
            } ?? [])
            + Self.alertServices(configuration.alerts, pool: pool, logger: logger)
        return ServiceAssembly(
            configuration: configuration, components: components, prices: prices, writerPool: writerPool,
            services: services)
    }

    /// The budget checker and the webhook deliverer, each where its interval is set (both off the ingest path).
    static func alertServices(_ options: AlertOptions, pool: PGPool, logger: Logger) -> [any Service] {
        var services: [any Service] = []
        if let interval = options.checkInterval {
            let checker = AlertChecker(pool: pool, logger: logger)
            services.append(
                PeriodicReload(what: "budget check", interval: interval, logger: logger) { try await quietOnShutdown { try await checker.runOnce() } }
            )
        }
        if let interval = options.deliveryInterval {
            let deliverer = WebhookDeliverer(pool: pool, options: options, logger: logger)
            services.append(
                PeriodicReload(what: "webhook delivery", interval: interval, logger: logger) {
                    try await quietOnShutdown { try await deliverer.runOnce() }
                })
        }
        return services
    }

    /// Runs `body`; an error because the service is stopping (its task cancelled mid-query) is no failure to report.
    static func quietOnShutdown(_ body: () async throws -> some Sendable) async throws {
        do {
            _ = try await body()
        } catch  where Task.isCancelled {
            return
        }
    }

    /// The HTTP application on the configured host and port, behind `limits` (timeouts, connection cap), with
    /// `extraServices` started first and stopped last (the embedded cluster).
    public func application(
        limits: HTTPServerLimits = HTTPServerLimits(), extraServices: [any Service] = [], logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(components),
            server: .guardedHTTP1(limits: limits, metrics: components.metrics),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "llmlog"),
            services: extraServices + services,
            logger: logger)
    }
}
