import Foundation
import PGClient

/// `model_prices`: the global price table and every tenant's overrides (sql/001_core.sql, sql/002_default_prices.sql).
enum PriceTable {
    /// Every row, every tenant's overrides included.
    static func all(_ pool: PGPool) async throws -> [ModelPrice] {
        let rows = try await pool.withAllTenants(readOnly: true) { tx in
            return try await tx.query(
                """
                SELECT tenant_id, provider, model_pattern, input_per_mtok, cached_input_per_mtok, cache_creation_per_mtok,
                       output_per_mtok, reasoning_per_mtok, effective_from
                FROM model_prices
                """)
        }
        return try rows.map { row in
            let (tenant, provider, pattern, input, cached, creation, output, reasoning, from) = try row.decode(
                (UUID?, String, String, Decimal, Decimal?, Decimal?, Decimal, Decimal?, Date).self)
            return ModelPrice(
                tenantId: tenant, provider: provider, modelPattern: pattern, input: input, cachedInput: cached,
                cacheCreation: creation, output: output, reasoning: reasoning, effectiveFrom: from)
        }
    }
}
