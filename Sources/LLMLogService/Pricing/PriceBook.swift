import Foundation
import Logging
import PGClient
import Synchronization

/// The price table in memory, reloaded from `model_prices` periodically, and the rule that picks a price:
/// the tenant's own rows before the defaults; among those, an exact model name before a pattern and a longer
/// pattern before a shorter one; of that pattern's rows, the latest whose `effectiveFrom` is not after the time.
public final class PriceBook: Sendable {
    private let prices = Mutex<[String: [ModelPrice]]>([:])

    public init(_ rows: [ModelPrice] = []) { replace(with: rows) }

    /// Replaces the table.
    public func replace(with rows: [ModelPrice]) {
        let byProvider = Dictionary(grouping: rows) { $0.provider.lowercased() }
        prices.withLock { $0 = byProvider }
    }

    /// The price in force for a model at a time, or nil (the message is then unpriced).
    public func price(tenantId: UUID, provider: String, model: String, at time: Date) -> ModelPrice? {
        let candidates = prices.withLock { $0[provider.lowercased()] ?? [] }
        func best(_ rows: [ModelPrice]) -> ModelPrice? {
            let matching = rows.filter { $0.effectiveFrom <= time && $0.matches(model: model) }
            return matching.max { a, b in
                (a.isExact ? 1 : 0, a.modelPattern.count, a.effectiveFrom) < (b.isExact ? 1 : 0, b.modelPattern.count, b.effectiveFrom)
            }
        }
        return best(candidates.filter { $0.tenantId == tenantId }) ?? best(candidates.filter { $0.tenantId == nil })
    }

    /// Loads every row of `model_prices`.
    public func reload(from pool: PGPool) async throws {
        let rows = try await pool.withTransaction(readOnly: true) { tx in
            try await TenantScope.allTenants(tx)  // every tenant's overrides
            return try await tx.query("""
            SELECT tenant_id, provider, model_pattern, input_per_mtok, cached_input_per_mtok, cache_creation_per_mtok,
                   output_per_mtok, reasoning_per_mtok, effective_from
            FROM model_prices
            """)
        }
        replace(with: try rows.map { row in
            let (tenant, provider, pattern, input, cached, creation, output, reasoning, from) = try row.decode(
                (UUID?, String, String, Decimal, Decimal?, Decimal?, Decimal, Decimal?, Date).self)
            return ModelPrice(tenantId: tenant, provider: provider, modelPattern: pattern, input: input, cachedInput: cached,
                              cacheCreation: creation, output: output, reasoning: reasoning, effectiveFrom: from)
        })
    }
}
