import Foundation
import Hummingbird
import HummingbirdTesting
import LLMLogService
import Logging
import NIOCore
import PGClient
import PGTestSupport

/// A running service for one test: a migrated suite database, a fresh tenant with its keys, the writer and the
/// router, driven through Hummingbird's router test client (real HTTP semantics, no sockets).
struct TestService: Sendable {
    let tenant: TenantStore.CreatedTenant
    /// The service's reading pool: connected as llmlog_service, subject to row-level security (the writer has its own).
    let pool: PGPool
    /// The owner's pool, for setting up and checking (a superuser here: it sees every row).
    let database: PGPool
    /// Tenant administration, as the owner.
    let tenants: TenantStore
    let writer: IngestWriter
    let keyUsage: KeyUsageRecorder
    let tokens: TokenKeyRing
    /// This service's own metrics registry (what `GET /metrics` renders).
    let metrics: ServiceMetrics
    /// The per-tenant bound on concurrent reads.
    let readShare: ReadShare
    /// Where lists, details, analytics and exports read (the replica when `readDatabaseURL` was given).
    let reads: ReadPools
    let send: @Sendable (HTTPRequest.Method, String, HTTPFields, ByteBuffer?) async throws -> TestResponse

    /// Warnings and errors only, so test output stays readable (one info line per request otherwise).
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` against a service on the suite's database, built as `llmlog serve` builds it (`ServiceAssembly`:
    /// the writer on a pool of its own) from settings for a test: no rate limits unless a limiter is handed in.
    static func run<R: Sendable>(
        suite: String, database: PGConnectionConfiguration? = nil, limits: IngestLimits = IngestLimits(),
        writerOptions: IngestWriter.Options = IngestWriter.Options(), poolSize: Int = 8, poolTimeout: Duration = .seconds(5),
        rateLimiter: RateLimiter? = nil, authFailureLimiter: RateLimiter? = nil, metricsToken: String? = nil, tenantReadLimit: Int = 4,
        searchIndexInterval: Duration? = nil, readDatabaseURL: String? = nil, readReplicaRetry: Duration = .seconds(5),
        alerts: AlertOptions = .off, logger: Logger = TestService.logger, _ body: @Sendable (TestService) async throws -> R
    ) async throws -> R {
        let configuration: PGConnectionConfiguration
        if let database { configuration = database } else { configuration = try await TestDatabase.database(for: suite) }
        try await Migrator(logger: logger).migrate(configuration)
        let database = PGPool(configuration: configuration, options: .init(maxConnections: 2), logger: logger)
        let tenants = TenantStore(pool: database)
        let tenant = try await tenants.createTenant(name: "tenant-\(UUID().uuidString.prefix(8))")
        try await TokenKeyRing.ensureActiveKey(database)
        var settings = ServiceConfiguration()
        settings.limits = limits
        settings.writer = writerOptions
        settings.poolSize = poolSize
        settings.poolTimeout = poolTimeout
        settings.metricsToken = metricsToken
        settings.rateLimitPerSecond = 0  // a test that limits hands in a limiter with a clock of its own
        settings.authFailureLimitPerSecond = 0
        settings.tenantReadLimit = tenantReadLimit
        settings.tokenMaxTTLSeconds = 7200
        settings.keyUsageFlush = .seconds(3600)
        // Tests index on demand (`indexSearch()`), so a search sees exactly what was written before it; the background
        // indexer runs where a test asks for it.
        settings.searchIndexInterval = searchIndexInterval
        settings.readDatabaseURL = readDatabaseURL
        settings.readReplicaRetry = readReplicaRetry
        settings.alerts = alerts
        let assembly = try await ServiceAssembly.build(
            settings, database: configuration, rateLimiter: rateLimiter,
            authFailureLimiter: authFailureLimiter, logger: logger)
        let components = assembly.components
        return try await assembly.application(extraServices: [database], logger: logger).test(.router) { client in
            let service = TestService(
                tenant: tenant, pool: components.pool, database: database, tenants: tenants, writer: components.writer,
                keyUsage: components.keyUsage, tokens: components.tokens, metrics: components.metrics,
                readShare: components.readShare, reads: components.reads
            ) { method, uri, headers, body in
                try await client.execute(uri: uri, method: method, headers: headers, body: body)
            }
            return try await body(service)
        }
    }

    /// Sends a request with a JSON body (an Encodable or raw text) and the tenant's ingest key unless told otherwise.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, key: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let key = key ?? Optional(tenant.ingestKey), !key.isEmpty { headers[.authorization] = "Bearer \(key)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await send(method, uri, headers, json.map { ByteBuffer(string: $0) })
    }

    /// Indexes every queued message for search now (what the background indexer does behind the writer), until the
    /// queue is empty: rows another test's indexer holds are waited for (at most 10 s).
    @discardableResult
    func indexSearch() async throws -> Int {
        let indexer = SearchIndexer(pool: pool, interval: .seconds(1), logger: Self.logger)
        let deadline = ContinuousClock.now + .seconds(10)
        var taken = try await indexer.indexQueued()
        while try await database.query("SELECT EXISTS (SELECT 1 FROM llm_search_queue)")[0].decode(Bool.self, column: 0),
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(10))  // another indexer's batch is committing
            taken += try await indexer.indexQueued()
        }
        return taken
    }

    /// Encodes a dictionary literal as JSON text.
    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}

extension AlertOptions {
    /// No budget checker or webhook deliverer in the background (tests of other things, like the key-usage flush
    /// set to an hour); budget tests hand in their own.
    static var off: AlertOptions {
        var options = AlertOptions()
        options.checkInterval = nil
        options.deliveryInterval = nil
        return options
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// Decodes the body with the API's decoder.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try APIJSON.decoder().decode(T.self, from: Data(buffer: body))
    }

    /// The `error.field` of an error body.
    var errorField: String? { (object["error"] as? [String: Any])?["field"] as? String }
    /// The `error.code` of an error body.
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
}
