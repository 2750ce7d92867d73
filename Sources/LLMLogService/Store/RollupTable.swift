import Foundation
import PGClient

/// The rollup tables, which the writer adds each flush's deltas into (sql/008_analytics.sql, sql/010_rollup_lanes.sql):
/// `llm_usage_hourly` per user and hour, `llm_usage_daily_tenant` per tenant and UTC day, each row split by writer
/// lane so concurrent flushes never wait for one another's row locks. The reports read them (`UsageQuery`,
/// `LatencyQuery`).
enum RollupTable {
    static let hourly = "llm_usage_hourly"
    static let dailyTenant = "llm_usage_daily_tenant"

    /// The figures of a rollup row, in the order the upserts write them.
    static let measures = """
        conversations, active, completed, failed, cancelled, reported_tokens, reported_cost, messages, input_tokens,
        cached_input_tokens, cache_creation_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost, unpriced_messages,
        processing_time_count, processing_time_sum, processing_time_histogram
        """

    /// The `ON CONFLICT … DO UPDATE SET` list that adds an inserted row's figures (`EXCLUDED`) to the stored row `r`.
    static let addingExcluded = """
                conversations = r.conversations + EXCLUDED.conversations, active = r.active + EXCLUDED.active,
                completed = r.completed + EXCLUDED.completed, failed = r.failed + EXCLUDED.failed,
                cancelled = r.cancelled + EXCLUDED.cancelled, reported_tokens = r.reported_tokens + EXCLUDED.reported_tokens,
                reported_cost = r.reported_cost + EXCLUDED.reported_cost, messages = r.messages + EXCLUDED.messages,
                input_tokens = r.input_tokens + EXCLUDED.input_tokens,
                cached_input_tokens = r.cached_input_tokens + EXCLUDED.cached_input_tokens,
                cache_creation_input_tokens = r.cache_creation_input_tokens + EXCLUDED.cache_creation_input_tokens,
                output_tokens = r.output_tokens + EXCLUDED.output_tokens,
                reasoning_tokens = r.reasoning_tokens + EXCLUDED.reasoning_tokens,
                total_tokens = r.total_tokens + EXCLUDED.total_tokens, cost = r.cost + EXCLUDED.cost,
                unpriced_messages = r.unpriced_messages + EXCLUDED.unpriced_messages,
                processing_time_count = r.processing_time_count + EXCLUDED.processing_time_count,
                processing_time_sum = r.processing_time_sum + EXCLUDED.processing_time_sum,
                processing_time_histogram = llmlog_add_counts(r.processing_time_histogram, EXCLUDED.processing_time_histogram)
        """

    /// Moves one user's rows of `llm_usage_hourly` to the tenant's anonymous bucket (user ""): the figures are
    /// added to the anonymous rows of the same hour, provider, model, type and lane, so every total stays exact and
    /// no row names the user any more (user erasure).
    static func moveToAnonymous(tenantId: UUID, userId: String) -> PGQuery {
        """
        WITH moved AS (DELETE FROM \(unsafeSQL: hourly) WHERE tenant_id = \(tenantId) AND user_id = \(userId) RETURNING *)
        INSERT INTO \(unsafeSQL: hourly) AS r (tenant_id, hour, provider, model, type, user_id, lane, \(unsafeSQL: measures))
        SELECT tenant_id, hour, provider, model, type, '', lane, \(unsafeSQL: measures) FROM moved
        ON CONFLICT (tenant_id, hour, provider, model, type, user_id, lane) DO UPDATE SET \(unsafeSQL: addingExcluded)
        """
    }

    /// Adds `hourly` deltas to the per-user hourly rows and `daily` deltas (the same without the user, by UTC day) to
    /// the tenant daily rows of `lane`, both in key order, so writers that share rows (two instances, each with a
    /// lane 0) lock them in the same order.
    static func add(hourly: [RollupKey: RollupDelta], daily: [RollupKey: RollupDelta], lane: Int) -> [PGQuery] {
        guard !hourly.isEmpty else { return [] }
        return [
            upsert(hourly.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: Self.hourly, userColumn: true, lane: lane),
            upsert(daily.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: Self.dailyTenant, userColumn: false, lane: lane),
        ]
    }

    /// One upsert of `entries` (in key order) into `table`, `hourly` or `dailyTenant`, adding into `lane`'s rows: the
    /// per-user table keys on `hour` and `user_id`, the tenant table on the UTC `day`.
    private static func upsert(_ entries: [(key: RollupKey, delta: RollupDelta)], into table: String, userColumn: Bool, lane: Int) -> PGQuery {
        let keys = entries.map(\.key), deltas = entries.map(\.delta)
        let user = userColumn ? ", user_id" : ""
        let time = userColumn ? "hour" : "day", timeValue = userColumn ? "h" : "(h AT TIME ZONE 'UTC')::date"
        return """
            INSERT INTO \(unsafeSQL: table) AS r (tenant_id, \(unsafeSQL: time), provider, model, type\(unsafeSQL: user), lane, \(unsafeSQL: measures))
            SELECT t, \(unsafeSQL: timeValue), p, m, ty\(unsafeSQL: userColumn ? ", u" : ""), \(Int16(lane))::int2, cv, a, co, f, ca, rt, rc, ms, it, ci, cc, ot, rs, tt, cs, un, pc, ps, hg::int8[]
            FROM unnest(
                \(keys.map(\.tenantId))::uuid[], \(keys.map(\.hour))::timestamptz[], \(keys.map(\.provider))::text[],
                \(keys.map(\.model))::text[], \(keys.map(\.type))::text[], \(keys.map(\.userId))::text[],
                \(deltas.map(\.conversations))::int8[], \(deltas.map(\.active))::int8[], \(deltas.map(\.completed))::int8[],
                \(deltas.map(\.failed))::int8[], \(deltas.map(\.cancelled))::int8[], \(deltas.map(\.reportedTokens))::int8[],
                \(deltas.map(\.reportedCost))::numeric[], \(deltas.map(\.messages))::int8[], \(deltas.map(\.usage.input))::int8[],
                \(deltas.map(\.usage.cachedInput))::int8[], \(deltas.map(\.usage.cacheCreationInput))::int8[],
                \(deltas.map(\.usage.output))::int8[], \(deltas.map(\.usage.reasoning))::int8[], \(deltas.map(\.totalTokens))::int8[],
                \(deltas.map(\.cost))::numeric[], \(deltas.map(\.unpricedMessages))::int8[],
                \(deltas.map(\.processingTimeCount))::int8[], \(deltas.map(\.processingTimeSum))::int8[],
                \(deltas.map(\.histogramLiteral))::text[]
            ) AS x(t, h, p, m, ty, u, cv, a, co, f, ca, rt, rc, ms, it, ci, cc, ot, rs, tt, cs, un, pc, ps, hg)
            ON CONFLICT (tenant_id, \(unsafeSQL: time), provider, model, type\(unsafeSQL: user), lane) DO UPDATE SET \(unsafeSQL: addingExcluded)
            """
    }
}
