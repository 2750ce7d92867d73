import Foundation
import Logging
import PGClient

/// The retention pass: for every tenant with retention settings, clears content older than
/// `contentRetentionDays` and removes messages and conversations older than `retentionDays`, in short transactions
/// (`LifecycleStatements`); then finishes erasures a crash left. One instance at a time runs it (a PostgreSQL
/// advisory lock); rollups are never touched, so reports over past months stay exact after raw rows are gone.
public struct Retention: Sendable {
    let pool: PGPool
    let logger: Logger
    let metrics: ServiceMetrics?

    /// The advisory lock key ("llmlog-retention").
    static let lockKey: Int64 = 0x6C6C_6D6C_6F67_7274

    public init(pool: PGPool, metrics: ServiceMetrics? = nil, logger: Logger) {
        self.pool = pool
        self.metrics = metrics
        self.logger = logger
    }

    /// What one pass did.
    public struct Report: Codable, Sendable {
        public struct TenantFigures: Codable, Sendable, Equatable {
            public var tenantId: UUID
            public var messagesCleared = 0
            public var conversationsCleared = 0
            public var messagesRemoved = 0
            public var conversationsRemoved = 0
        }
        /// False when another instance was running a pass (this one did nothing).
        public var ran: Bool
        public var tenants: [TenantFigures] = []
        public var erasuresFinished = 0
    }

    /// Runs one pass now, unless another instance is running one.
    public func runOnce(now: Date = Date()) async throws -> Report {
        try await pool.withConnection { lock in
            guard try await LifecycleStatements.tryLock(lock, key: Self.lockKey) else {
                return Report(ran: false)
            }
            do {
                let report = try await pass(now: now)
                try await LifecycleStatements.unlock(lock, key: Self.lockKey)
                return report
            } catch {
                try? await LifecycleStatements.unlock(lock, key: Self.lockKey)
                throw error
            }
        }
    }

    private func pass(now: Date) async throws -> Report {
        var report = Report(ran: true)
        let tenants = try await pool.withAllTenants { try await TenantSettingsTable.withRetention($0) }
        for tenant in tenants {
            var figures = Report.TenantFigures(tenantId: tenant.tenantId)
            if let days = tenant.contentDays {
                let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
                while true {
                    let batch = try await pool.withAllTenants {
                        try await LifecycleStatements.clearMessageContent($0, tenantId: tenant.tenantId, before: cutoff)
                    }
                    figures.messagesCleared += batch.cleared
                    if batch.seen < LifecycleStatements.batchSize { break }
                }
                figures.conversationsCleared = try await repeatBatches {
                    try await LifecycleStatements.clearConversationContent($0, tenantId: tenant.tenantId, before: cutoff)
                }
            }
            if let days = tenant.days {
                let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
                figures.messagesRemoved = try await repeatBatches {
                    try await LifecycleStatements.removeMessages($0, tenantId: tenant.tenantId, before: cutoff)
                }
                figures.conversationsRemoved = try await repeatBatches {
                    try await LifecycleStatements.removeConversations($0, tenantId: tenant.tenantId, before: cutoff)
                }
            }
            metrics?.recordRetention(figures)
            if figures != Report.TenantFigures(tenantId: tenant.tenantId) {
                logger.info(
                    "retention",
                    metadata: [
                        "tenant": "\(tenant.tenantId)", "messages_cleared": "\(figures.messagesCleared)",
                        "conversations_cleared": "\(figures.conversationsCleared)", "messages_removed": "\(figures.messagesRemoved)",
                        "conversations_removed": "\(figures.conversationsRemoved)",
                    ])
            }
            report.tenants.append(figures)
        }
        report.erasuresFinished = try await UserErasure(pool: pool).finishUnfinished()
        return report
    }

    /// Runs `batch` in its own transaction until it changes fewer rows than a full batch; the rows it changed.
    private func repeatBatches(_ batch: (PGConnection) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let changed = try await pool.withAllTenants(batch)
            total += changed
            if changed < LifecycleStatements.batchSize { return total }
        }
    }

}
