import Hummingbird
import Logging
import PGClient
import ServiceLifecycle

/// Everything the HTTP layer needs.
public struct ServiceComponents: Sendable {
    /// The primary's reading pool: key lookups, write routes' read-backs, erasure, health.
    public let pool: PGPool
    /// Where lists, details, analytics, exports and the dashboard read: the replica when one is configured and up.
    public let reads: ReadPools
    public let writer: IngestWriter
    public let tenants: TenantStore
    public let migrator: Migrator
    public let limits: IngestLimits
    public let keyUsage: KeyUsageRecorder
    public let tokens: TokenKeyRing
    /// Longest lifetime of a user token, in seconds.
    public let tokenMaxTTLSeconds: Int
    /// Statement timeout of every read (conversations and analytics).
    public let readTimeout: Duration
    /// This service's metrics (a registry of its own), served at `GET /metrics`.
    public let metrics: ServiceMetrics
    /// The per-caller rate limit; nil: unlimited.
    public let rateLimiter: RateLimiter?
    /// The per-tenant bound on concurrent reads of the pool.
    public let readShare: ReadShare
    /// The limit on failed authentications per client address (see `AuthMiddleware`); nil: unlimited.
    public let authFailureLimiter: RateLimiter?
    /// How long a dashboard session lasts, in seconds.
    public let sessionTTLSeconds: Int
    /// Where webhooks may point (SSRF: private addresses only when the operator allowed them).
    public let webhookAllowPrivate: Bool

    public init(
        pool: PGPool, writer: IngestWriter, tenants: TenantStore, migrator: Migrator, limits: IngestLimits,
        keyUsage: KeyUsageRecorder, tokens: TokenKeyRing, tokenMaxTTLSeconds: Int = 86_400, readTimeout: Duration = .seconds(5),
        metrics: ServiceMetrics = ServiceMetrics(), rateLimiter: RateLimiter? = nil, authFailureLimiter: RateLimiter? = nil,
        readShare: ReadShare = ReadShare(limit: 4), sessionTTLSeconds: Int = 43_200, reads: ReadPools? = nil,
        webhookAllowPrivate: Bool = false
    ) {
        self.pool = pool
        self.reads = reads ?? ReadPools(primary: pool, metrics: metrics)
        self.writer = writer
        self.tenants = tenants
        self.migrator = migrator
        self.limits = limits
        self.keyUsage = keyUsage
        self.tokens = tokens
        self.tokenMaxTTLSeconds = tokenMaxTTLSeconds
        self.readTimeout = readTimeout
        self.metrics = metrics
        self.rateLimiter = rateLimiter
        self.readShare = readShare
        self.authFailureLimiter = authFailureLimiter
        self.sessionTTLSeconds = sessionTTLSeconds
        self.webhookAllowPrivate = webhookAllowPrivate
    }
}

/// The router with every route and middleware.
public func buildRouter(_ components: ServiceComponents) -> Router<AppContext> {
    let router = Router(context: AppContext.self)
    router.add(middleware: RequestLogMiddleware(metrics: components.metrics))
    router.add(middleware: ErrorMiddleware())
    HealthRoutes(pool: components.pool, migrator: components.migrator, reads: components.reads).register(on: router)
    MetricsRoute(metrics: components.metrics, pool: components.pool, writer: components.writer).register(on: router)
    let auth = AuthMiddleware(
        tenants: components.tenants, keyUsage: components.keyUsage, tokens: components.tokens,
        rateLimiter: components.rateLimiter, authFailures: components.authFailureLimiter, metrics: components.metrics)
    let bodyLimit = BodyLimitMiddleware(maxBodyBytes: components.limits.maxBodyBytes)
    let v1 = router.group("v1").add(middleware: auth).add(middleware: bodyLimit)
    let read = ReadRoutes(
        reads: components.reads, timeout: components.readTimeout, maxAnswerBytes: components.limits.maxAnswerBytes,
        readShare: components.readShare)
    let list = ConversationListRoute(
        reads: components.reads, timeout: components.readTimeout, maxPageSize: components.limits.maxPageSize,
        maxAnswerBytes: components.limits.maxAnswerBytes, readShare: components.readShare)
    let analytics = AnalyticsRoutes(
        reads: components.reads, timeout: components.readTimeout, maxPageSize: components.limits.maxPageSize,
        readShare: components.readShare)
    IngestRoutes(writer: components.writer, pool: components.pool, limits: components.limits).register(on: v1)
    ProviderIngestRoutes(pool: components.pool, writer: components.writer, limits: components.limits).register(on: v1)
    OTLPRoutes(pool: components.pool, writer: components.writer, limits: components.limits).register(on: v1)
    TenantRoutes(tenants: components.tenants, limits: components.limits).register(on: v1)
    read.register(on: v1)
    list.register(on: v1)
    analytics.register(on: v1)
    SeedCompatibilityRoutes(list: list, detail: read, analytics: analytics, limits: components.limits)
        .register(on: router.group("api").add(middleware: auth).add(middleware: bodyLimit))
    TenantSettingsRoutes(tenants: components.tenants).register(on: v1)
    ScoreRoutes(pool: components.pool, reads: components.reads, timeout: components.readTimeout, readShare: components.readShare)
        .register(on: v1)
    ExperimentRoutes(reads: components.reads, timeout: components.readTimeout, readShare: components.readShare).register(on: v1)
    UserRoutes(pool: components.pool, readShare: components.readShare, timeout: components.readTimeout).register(on: v1)
    BudgetRoutes(pool: components.pool, timeout: components.readTimeout, readShare: components.readShare).register(on: v1)
    WebhookRoutes(
        pool: components.pool, timeout: components.readTimeout, readShare: components.readShare,
        policy: OutboundPolicy(allowPrivate: components.webhookAllowPrivate)
    ).register(on: v1)
    TokenRoutes(tokens: components.tokens, maxTTLSeconds: components.tokenMaxTTLSeconds, limits: components.limits).register(on: v1)
    let export = ConversationExport(list: list)
    ExportRoutes(export: export).register(on: v1)
    DashboardRoutes(
        auth: DashboardAuth(
            auth: auth, tenants: components.tenants, signer: DashboardSessionSigner(ring: components.tokens),
            sessionTTLSeconds: components.sessionTTLSeconds),
        analytics: analytics, list: list, detail: read, export: export
    ).register(on: router)
    return router
}
