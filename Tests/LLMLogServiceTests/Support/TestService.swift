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
    /// The service's pool: connected as llmlog_service, subject to row-level security.
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
    let send: @Sendable (HTTPRequest.Method, String, HTTPFields, ByteBuffer?) async throws -> TestResponse

    /// Warnings and errors only, so test output stays readable (one info line per request otherwise).
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` against a service on the suite's database.
    static func run<R: Sendable>(
        suite: String, database: PGConnectionConfiguration? = nil, limits: IngestLimits = IngestLimits(),
        writerOptions: IngestWriter.Options = IngestWriter.Options(), poolOptions: PGPool.Options = .init(maxConnections: 8),
        rateLimiter: RateLimiter? = nil, authFailureLimiter: RateLimiter? = nil, metricsToken: String? = nil, readShare: ReadShare = ReadShare(limit: 4),
        logger: Logger = TestService.logger, _ body: @Sendable (TestService) async throws -> R
    ) async throws -> R {
        let configuration: PGConnectionConfiguration
        if let database { configuration = database } else { configuration = try await TestDatabase.database(for: suite) }
        let migrator = try Migrator(logger: logger)
        try await migrator.migrate(configuration)
        let database = PGPool(configuration: configuration, options: .init(maxConnections: 2), logger: logger)
        let tenants = TenantStore(pool: database)
        let tenant = try await tenants.createTenant(name: "tenant-\(UUID().uuidString.prefix(8))")
        let metrics = ServiceMetrics(scrapeToken: metricsToken)
        var poolOptions = poolOptions
        poolOptions.errorObserver = metrics.databaseErrorObserver
        let pool = PGPool(configuration: configuration.with("options", "-c role=\(DatabaseLocation.serviceRole)"),
                          options: poolOptions, logger: logger)
        let prices = PriceBook()
        try await prices.reload(from: pool)
        let writer = IngestWriter(pool: pool, prices: prices, options: writerOptions, limits: limits, metrics: metrics, logger: logger)
        let keyUsage = KeyUsageRecorder(pool: pool, interval: .seconds(3600), logger: logger)
        try await TokenKeyRing.ensureActiveKey(database)
        let tokens = TokenKeyRing()
        try await tokens.reload(from: pool)
        let components = ServiceComponents(pool: pool, writer: writer, tenants: TenantStore(pool: pool), migrator: migrator,
                                           limits: limits, keyUsage: keyUsage, tokens: tokens, tokenMaxTTLSeconds: 7200,
                                           metrics: metrics, rateLimiter: rateLimiter,
                                           authFailureLimiter: authFailureLimiter, readShare: readShare)
        let app = Application(router: buildRouter(components), services: [database, pool, keyUsage, writer], logger: logger)
        return try await app.test(.router) { client in
            let service = TestService(tenant: tenant, pool: pool, database: database, tenants: tenants, writer: writer,
                                      keyUsage: keyUsage, tokens: tokens, metrics: metrics) { method, uri, headers, body in
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

    /// Encodes a dictionary literal as JSON text.
    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
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
