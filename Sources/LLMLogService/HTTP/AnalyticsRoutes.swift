import Analytics
import Foundation
import Hummingbird
import PGClient

/// `GET /v1/analytics/usage?days=N` — usage over what the caller may see (a user token: its own conversations; an
/// admin key: its tenant; the operator: every tenant) — and `GET /v1/admin/analytics?days=N` — the same plus `byUser`
/// (tenant admin: the top users by cost, `limit` 1…200, default 20) or `byTenant` (operator). Both read the rollups
/// under a statement timeout, in a read-only transaction scoped by row-level security.
struct AnalyticsRoutes {
    /// The replica when one is configured and up, else the primary.
    let reads: ReadPools
    /// Statement timeout of every analytics query.
    let timeout: Duration
    /// Largest `limit` of `byUser`.
    var maxPageSize = 200
    /// The per-tenant bound on concurrent reads.
    var readShare = ReadShare(limit: 4)

    func register(on group: RouterGroup<AppContext>) {
        group.get("analytics/usage") { request, context in try await usage(request, context) }
        group.get("admin/analytics") { request, context in try await adminAnalytics(request, context) }
        group.get("analytics/latency") { request, context in try await latency(request, context) }
    }

    func usage(_ request: Request, _ context: AppContext) async throws -> UsageReport {
        try await report(scope: Self.scope(context), window: Self.window(request))
    }

    /// What the caller may see: the operator every tenant, an admin key its tenant, a user token its own rows.
    static func scope(_ context: AppContext) throws(APIError) -> AnalyticsScope {
        if context.operatorKeyId != nil { return .system }
        return try context.require(ReadRoutes.readers).readScope
    }

    /// `GET /v1/analytics/latency?days=N`: processing-time percentiles per provider and model, same callers as usage.
    func latency(_ request: Request, _ context: AppContext) async throws -> LatencyReport {
        let scope = try Self.scope(context)
        let window = try Self.window(request)
        return try await read(scope) { try await LatencyQuery.report($0, scope: scope, window: window) }
    }

    func adminAnalytics(_ request: Request, _ context: AppContext, days: Int? = nil) async throws -> UsageReport {
        let window = try days.map { AnalyticsWindow(days: $0) } ?? Self.window(request)
        // `limit` sizes `byUser`; the operator's report has none, but the parameter is checked alike, as documented.
        let limit = try request.integer("limit", default: min(20, maxPageSize), range: 1...max(1, maxPageSize))
        if context.operatorKeyId != nil { return try await report(scope: .system, window: window, byTenant: true) }
        let principal = try context.require([.admin])
        return try await report(scope: .tenant(principal.tenantId), window: window, topUsers: limit)
    }

    /// `days` (1…365, default 30) as a window ending today (UTC).
    static func window(_ request: Request) throws(APIError) -> AnalyticsWindow {
        let range = AnalyticsWindow.dayRange
        return AnalyticsWindow(days: try request.integer("days", default: 30, range: range))
    }

    func report(scope: AnalyticsScope, window: AnalyticsWindow, topUsers: Int? = nil, byTenant: Bool = false) async throws -> UsageReport {
        try await read(scope) {
            try await UsageQuery.report($0, scope: scope, window: window, topUsers: topUsers, byTenant: byTenant)
        }
    }

    /// Runs `body` in a read-only transaction that sees what `scope` may, under the statement timeout.
    func read<T: Sendable>(_ scope: AnalyticsScope, _ body: (PGConnection) async throws -> T) async throws -> T {
        try await reads.read(scope, share: readShare, timeout: timeout, body)
    }
}
