import Foundation
import Logging
import PGClient

/// Compares every budget's spend in its current period (from the rollups) with its thresholds and records an alert,
/// with a pending delivery per webhook, for each threshold reached (`AlertTable.record`). Exactly once per budget,
/// period and threshold, however many instances run it at once and whenever one crashes: the database's unique key
/// decides, in the transaction that records the alert and its deliveries. Nothing of this runs on the ingest path.
public struct AlertChecker: Sendable {
    let pool: PGPool
    let logger: Logger

    public init(pool: PGPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// One pass over every tenant's budgets at `now`; returns the alerts recorded.
    @discardableResult
    public func runOnce(now: Date = Date()) async throws -> Int {
        let recorded = try await pool.withAllTenants { try await AlertTable.record($0, now: now) }
        if recorded.alerts > 0 {
            logger.info("budget alerts recorded", metadata: ["alerts": "\(recorded.alerts)", "deliveries": "\(recorded.deliveries)"])
        }
        return recorded.alerts
    }
}
