import Foundation
import PGClient

/// `DELETE /v1/users/{userId}` and `llmlog user erase`: every conversation and message of one user of one tenant
/// removed — content and identifiers — in short transactions of at most `LifecycleStatements.batchSize` rows, then
/// the user's rollup rows moved to the tenant's anonymous bucket (tenant totals stay exact). Idempotent (erasing an
/// erased user removes nothing) and resumable: the request is journaled first, and a crash leaves the journal row
/// for the next retention pass to finish.
public struct UserErasure: Sendable {
    let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    /// What one erasure removed.
    public struct Result: Codable, Sendable, Equatable {
        public var userId: String
        public var conversationsDeleted: Int
        public var messagesDeleted: Int
        /// Hourly rollup rows whose figures moved to the anonymous bucket.
        public var rollupRowsMoved: Int
    }

    /// Most batches one call runs (a client still writing for the user could otherwise keep it going); what is left
    /// stays journaled and the next retention pass goes on.
    static let maxBatches = 10_000

    /// Erases `userId` of `tenantId`.
    public func erase(tenantId: UUID, userId: String) async throws -> Result {
        try await pool.withAllTenants { try await LifecycleStatements.beginErasure($0, tenantId: tenantId, userId: userId) }
        var result = Result(userId: userId, conversationsDeleted: 0, messagesDeleted: 0, rollupRowsMoved: 0)
        for _ in 0..<Self.maxBatches {
            let messages = try await pool.withAllTenants { try await LifecycleStatements.eraseMessages($0, tenantId: tenantId, userId: userId) }
            let conversations = try await pool.withAllTenants {
                try await LifecycleStatements.eraseConversations($0, tenantId: tenantId, userId: userId)
            }
            result.messagesDeleted += messages
            result.conversationsDeleted += conversations
            if messages == 0 && conversations == 0 {
                result.rollupRowsMoved = try await pool.withAllTenants {
                    try await LifecycleStatements.finishErasure($0, tenantId: tenantId, userId: userId)
                }
                return result
            }
        }
        return result
    }

    /// Finishes the erasures a crash (or `maxBatches`) left unfinished; answers how many it finished.
    func finishUnfinished() async throws -> Int {
        let unfinished = try await pool.withAllTenants { try await LifecycleStatements.unfinishedErasures($0) }
        for erasure in unfinished { _ = try await erase(tenantId: erasure.tenantId, userId: erasure.userId) }
        return unfinished.count
    }
}
