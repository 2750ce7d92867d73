import Foundation
import Logging
import PGClient
import Synchronization

/// The price table in memory, reloaded from `model_prices` periodically, and the rule that picks a price:
/// the tenant's own rows before the defaults; among those, an exact model name before a pattern and a longer
/// pattern before a shorter one; of that pattern's rows, the latest whose `effectiveFrom` is not after the time.
public final class PriceBook: Sendable {
    private let table = Mutex(Table())

    private struct Table {
        var byProvider: [String: [ModelPrice]] = [:]
        /// Per tenant, provider and model: the rows that match, best first (see `price`). Cleared on `replace` and
        /// when it grows past `cacheLimit` (model names come from clients).
        var candidates: [CandidateKey: [ModelPrice]] = [:]
    }

    private struct CandidateKey: Hashable {
        let tenantId: UUID
        let provider: String
        let model: String
    }

    private static let cacheLimit = 10_000

    public init(_ rows: [ModelPrice] = []) { replace(with: rows) }

    /// Replaces the table.
    public func replace(with rows: [ModelPrice]) {
        let byProvider = Dictionary(grouping: rows) { $0.provider.lowercased() }
        table.withLock { $0 = Table(byProvider: byProvider) }
    }

    /// The price in force for a model at a time, or nil (the message is then unpriced).
    public func price(tenantId: UUID, provider: String, model: String, at time: Date) -> ModelPrice? {
        let key = CandidateKey(tenantId: tenantId, provider: provider, model: model)
        let candidates = table.withLock { table -> [ModelPrice] in
            if let cached = table.candidates[key] { return cached }
            let ranked = Self.rank(table.byProvider[provider.lowercased()] ?? [], tenantId: tenantId, model: model)
            if table.candidates.count >= Self.cacheLimit { table.candidates.removeAll(keepingCapacity: true) }
            table.candidates[key] = ranked
            return ranked
        }
        return candidates.first { $0.effectiveFrom <= time }
    }

    /// The rows that match `model`, best first: the tenant's own before the defaults; within each, an exact name
    /// before a pattern, a longer pattern before a shorter one, a later `effectiveFrom` before an earlier one. The
    /// first row in force at a time is the price then.
    private static func rank(_ rows: [ModelPrice], tenantId: UUID, model: String) -> [ModelPrice] {
        func ordered(_ rows: [ModelPrice]) -> [ModelPrice] {
            rows.filter { $0.matches(model: model) }.sorted { a, b in
                (a.isExact ? 1 : 0, a.modelPattern.count, a.effectiveFrom) > (b.isExact ? 1 : 0, b.modelPattern.count, b.effectiveFrom)
            }
        }
        return ordered(rows.filter { $0.tenantId == tenantId }) + ordered(rows.filter { $0.tenantId == nil })
    }

    /// Loads every row of `model_prices`.
    public func reload(from pool: PGPool) async throws {
        replace(with: try await PriceTable.all(pool))
    }
}
