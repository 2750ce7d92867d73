import Analytics
import Foundation
import PGClient
import Synchronization

/// A fair share of the reading pool per tenant. Reads (conversation lists and details, analytics) hold a pooled
/// connection for up to the statement timeout, and key lookups need one too: without a bound, one tenant sending a
/// few dozen slow reports at once would hold every connection and every other tenant's requests would wait for the
/// pool and fail. Here at most `limit` reads of one tenant (the operator counts as one) run or wait at once; past it
/// the request is answered 429 at once, before it takes a connection.
public final class ReadShare: Sendable {
    /// Reads one tenant may have running or waiting at once.
    public let limit: Int
    private let running = Mutex<[String: Int]>([:])

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Reads in flight for `scope`'s tenant (for tests and metrics).
    public func inFlight(_ scope: AnalyticsScope) -> Int { running.withLock { $0[Self.subject(scope), default: 0] } }

    static func subject(_ scope: AnalyticsScope) -> String { scope.tenantId?.uuidString ?? "operator" }

    /// Runs `body` as one of `scope`'s reads, or throws 429 `read_share_exceeded` when its tenant has `limit` running.
    func admit<T>(_ scope: AnalyticsScope, _ body: () async throws -> T) async throws -> T {
        let subject = Self.subject(scope)
        let admitted = running.withLock { running -> Bool in
            guard running[subject, default: 0] < limit else { return false }
            running[subject, default: 0] += 1
            return true
        }
        guard admitted else {
            throw APIError(
                .tooManyRequests, code: "read_share_exceeded",
                message: "this tenant has \(limit) reads running; retry after 1 s", retryAfterSeconds: 1)
        }
        defer {
            running.withLock { running in
                let left = running[subject, default: 1] - 1
                running[subject] = left > 0 ? left : nil
            }
        }
        return try await body()
    }
}

extension PGPool {
    /// A read-only transaction that sees what `scope` may (row-level security and the statement timeout set by
    /// `TenantScope.apply`), admitted by `share` (nil: a write route's read-back of the one record it answers
    /// with, which is not a read of its own). Reads that must see the primary's latest state (write routes,
    /// erasure exports) come here; reads a replica may serve go through `ReadPools.read`, which ends here too.
    func read<T: Sendable>(
        _ scope: AnalyticsScope, share: ReadShare?, timeout: Duration = .seconds(5), isolation: PGIsolationLevel = .readCommitted,
        _ body: (PGConnection) async throws -> T
    ) async throws -> T {
        func transaction() async throws -> T { try await scopedRead(scope, timeout: timeout, isolation: isolation, body) }
        guard let share else { return try await transaction() }
        return try await share.admit(scope, transaction)
    }

    /// The transaction of `read`, without admission: read-only (so it runs on a hot standby too) and scoped.
    func scopedRead<T: Sendable>(
        _ scope: AnalyticsScope, timeout: Duration, isolation: PGIsolationLevel, _ body: (PGConnection) async throws -> T
    ) async throws -> T {
        try await withTransaction(isolation: isolation, readOnly: true) { tx in
            try await TenantScope.apply(scope, tx, statementTimeout: timeout)
            return try await body(tx)
        }
    }
}
