import Foundation
import Hummingbird
import LLMLogService
import Logging
import PGClient
import PGTestSupport
import ServiceLifecycle
import Synchronization

/// The real service on a real loopback port, over a migrated database with a fresh tenant. It can be stopped and
/// started again on the same port (a service outage as a client sees it).
final class LiveService: Sendable {
    let configuration: PGConnectionConfiguration
    let tenant: TenantStore.CreatedTenant
    /// The owner's pool (a superuser here), for checking what was stored.
    let owner: PGPool
    private let running = Mutex<RunningServer?>(nil)
    private let boundPort = Mutex(0)

    static let logger: Logger = {
        var logger = Logger(label: "client-test")
        logger.logLevel = .error
        return logger
    }()

    private init(configuration: PGConnectionConfiguration, tenant: TenantStore.CreatedTenant, owner: PGPool) {
        self.configuration = configuration
        self.tenant = tenant
        self.owner = owner
    }

    /// Migrates the suite's database (or the one given) and creates a tenant; nothing listens yet.
    static func make(suite: String, database: PGConnectionConfiguration? = nil) async throws -> LiveService {
        var configuration: PGConnectionConfiguration
        if let database { configuration = database } else { configuration = try await TestDatabase.database(for: suite) }
        try await Migrator(logger: logger).migrate(configuration)
        let owner = PGPool(configuration: configuration, options: .init(maxConnections: 2), logger: logger)
        let tenant = try await TenantStore(pool: owner).createTenant(name: "client-\(UUID().uuidString.prefix(8))")
        try await TokenKeyRing.ensureActiveKey(owner)
        return LiveService(configuration: configuration, tenant: tenant, owner: owner)
    }

    /// The port last listened on (0 before the first start).
    var port: Int { boundPort.withLock { $0 } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the service (a new pool, writer and server) on `port` (the last one by default; any free one the first
    /// time) and returns once it listens.
    @discardableResult
    func start(port: Int? = nil) async throws -> Int {
        var settings = ServiceConfiguration()
        settings.poolSize = 4
        settings.poolTimeout = .seconds(1)
        settings.writer.retryWindow = .seconds(1)
        settings.rateLimitPerSecond = 0
        settings.keyUsageFlush = .seconds(3600)
        settings.alerts.checkInterval = nil  // no background work the client's tests do not exercise
        settings.alerts.deliveryInterval = nil
        let assembly = try await ServiceAssembly.build(settings, database: configuration, logger: Self.logger)
        let server = try await RunningServer.start(
            buildRouter(assembly.components), port: port ?? self.port,
            services: assembly.services, logger: Self.logger)
        let bound = server.port
        boundPort.withLock { $0 = bound }
        running.withLock { $0 = server }
        return bound
    }

    /// Stops the server and its services (requests in flight are answered first).
    func stop() async throws {
        guard
            let running = running.withLock({ running in
                defer { running = nil }
                return running
            })
        else { return }
        try await running.stop()
    }

    /// Stops and closes the owner's pool.
    func close() async throws {
        try await stop()
        await owner.close()
    }

    /// A free loopback port with nothing listening: the service started once and stopped.
    func reservePort() async throws -> Int {
        let port = try await start(port: 0)
        try await stop()
        return port
    }
}
