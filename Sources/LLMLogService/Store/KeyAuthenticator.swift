import Foundation
import PGClient
import Synchronization

/// Looks up API keys by hash, coalescing concurrent lookups: at most one query is in flight, and the hashes that
/// arrive meanwhile gather for the next one, which starts as soon as the previous one finished (no timer). One
/// query answers up to `maxBatch` distinct hashes; requests presenting the same key share one entry.
///
/// A lookup is answered only by a query that started after it was asked (a query already in flight never answers
/// a newcomer, even for a hash it carries), so a revocation still counts from the next request. When a query
/// fails, every lookup it carried gets the error. A cancelled caller keeps waiting for its answer; the query runs
/// in a task of its own, so cancellation never fails the other lookups of its batch.
public final class KeyAuthenticator: Sendable {
    private typealias Waiter = CheckedContinuation<Principal?, any Error>

    private struct State {
        /// Hashes waiting for the next query, in arrival order; each with everyone waiting for it.
        var order: [Data] = []
        var waiters: [Data: [Waiter]] = [:]
        /// True while a task runs queries (it keeps going until nothing is waiting).
        var running = false
        var queriesIssued = 0
    }

    /// Most distinct hashes in one query.
    public let maxBatch: Int
    private let pool: PGPool
    private let state = Mutex(State())

    /// Looks keys up through `pool` (as llmlog_service, which may call `llmlog_authenticate_many`).
    public init(pool: PGPool, maxBatch: Int = 500) {
        precondition(maxBatch > 0, "maxBatch must be positive")
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Queries issued so far (for tests and diagnostics).
    public var queriesIssued: Int { state.withLock { $0.queriesIssued } }

    /// The principal for the SHA-256 of a presented key, or nil if the key is unknown or revoked.
    public func principal(forKeyHash hash: Data) async throws -> Principal? {
        try await withCheckedThrowingContinuation { (continuation: Waiter) in
            let startRunner = state.withLock { state -> Bool in
                if state.waiters[hash] == nil { state.order.append(hash) }
                state.waiters[hash, default: []].append(continuation)
                if state.running { return false }
                state.running = true
                return true
            }
            // Detached: the runner serves every caller, so it inherits no caller's cancellation, priority or task locals.
            if startRunner { Task.detached { await self.runQueries() } }
        }
    }

    /// Runs queries until no lookup is waiting.
    private func runQueries() async {
        while let batch = nextBatch() {
            let answers: Result<[Data: Principal], any Error>
            do {
                answers = .success(try await lookUp(batch.map(\.hash)))
            } catch {
                answers = .failure(error)
            }
            for (hash, waiters) in batch {
                let answer = answers.map { $0[hash] }
                for waiter in waiters { waiter.resume(with: answer) }
            }
        }
    }

    /// Takes up to `maxBatch` waiting hashes (oldest first), or marks the runner stopped when none wait.
    private func nextBatch() -> [(hash: Data, waiters: [Waiter])]? {
        state.withLock { state in
            guard !state.order.isEmpty else {
                state.running = false
                return nil
            }
            let hashes = state.order.prefix(maxBatch)
            state.order.removeFirst(hashes.count)
            state.queriesIssued += 1
            return hashes.map { hash in (hash, state.waiters.removeValue(forKey: hash) ?? []) }
        }
    }

    /// One query for `hashes`: the principal of each active key among them.
    private func lookUp(_ hashes: [Data]) async throws -> [Data: Principal] {
        // Keys are found by hash only, through a function: the service role cannot read api_keys itself.
        let rows = try await pool.query(
            "SELECT key_hash, tenant_id, key_id, role FROM llmlog_authenticate_many(\(hashes)::bytea[])")
        var found: [Data: Principal] = [:]
        for row in rows {
            let (hash, tenantId, keyId, role) = try row.decode((Data, UUID, UUID, String).self)
            guard let role = KeyRole(rawValue: role) else { continue }
            found[hash] = Principal(tenantId: tenantId, keyId: keyId, role: role == .admin ? .admin : .ingest)
        }
        return found
    }
}
