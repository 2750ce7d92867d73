import Foundation
import PGClient

/// `llm_usage_hourly` rebuilt from the stored rows in one SQL aggregation, exactly as the writer builds it:
/// per tenant, UTC hour, provider, model, type, user ('' for anonymous) and writer lane (the conversation's:
/// `IngestWriter.lane(ofConversation:lanes:)`); conversation counters (by current
/// status, reported totals only while no message carried usage) in the conversation's created hour; message
/// counters in the message's hour; the processing-time histogram with `LatencyHistogram.bucket`'s buckets
/// (0 for 0 ms, else 1 + ⌊4·log2(ms)⌋ capped at 95), as long as its highest non-empty bucket, '{}' when none.
enum RollupSQL {
    static let columns = """
        tenant_id, hour, provider, model, type, user_id, lane, conversations, active, completed, failed, cancelled,
        reported_tokens, reported_cost, messages, input_tokens, cached_input_tokens, cache_creation_input_tokens,
        output_tokens, reasoning_tokens, total_tokens, cost, unpriced_messages, processing_time_count,
        processing_time_sum, processing_time_histogram
        """

    /// The rebuilt rows of `tenants` as a query (the `columns`, in order).
    static func rebuilt(_ tenants: [UUID], lanes: Int, prefix: String = "") -> PGQuery {
        """
        \(unsafeSQL: prefix)
        WITH c AS (
            SELECT tenant_id, id, date_bin('1 hour', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour, provider, model,
                   type, coalesce(user_id, '') AS user_id, (get_byte(uuid_send(id), 15) % \(lanes))::int2 AS lane, status, usage_message_count, reported_total_tokens, reported_total_cost
            FROM llm_conversations WHERE tenant_id = ANY(\(tenants)::uuid[])
        ), conv AS (
            SELECT tenant_id, hour, provider, model, type, user_id, lane, count(*) AS conversations,
                   count(*) FILTER (WHERE status = 'ACTIVE') AS active, count(*) FILTER (WHERE status = 'COMPLETED') AS completed,
                   count(*) FILTER (WHERE status = 'FAILED') AS failed, count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled,
                   sum(CASE WHEN usage_message_count = 0 THEN coalesce(reported_total_tokens, 0) ELSE 0 END) AS reported_tokens,
                   sum(CASE WHEN usage_message_count = 0 THEN coalesce(reported_total_cost, 0) ELSE 0 END) AS reported_cost
            FROM c GROUP BY 1, 2, 3, 4, 5, 6, 7
        ), per_bucket AS (
            SELECT m.tenant_id, date_bin('1 hour', m.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour, c.provider, c.model,
                   c.type, c.user_id, c.lane,
                   CASE WHEN m.processing_time IS NULL THEN NULL WHEN m.processing_time <= 0 THEN 0
                        ELSE least(95, 1 + floor(4 * log(2::numeric, m.processing_time::numeric))::int) END AS bucket,
                   count(*) AS messages, sum(m.input_tokens) AS input_tokens, sum(m.cached_input_tokens) AS cached_input_tokens,
                   sum(m.cache_creation_input_tokens) AS cache_creation_input_tokens, sum(m.output_tokens) AS output_tokens,
                   sum(m.reasoning_tokens) AS reasoning_tokens, sum(m.total_tokens) AS total_tokens, sum(m.cost) AS cost,
                   count(*) FILTER (WHERE m.cost_source = 'unpriced') AS unpriced_messages,
                   count(m.processing_time) AS processing_time_count, sum(m.processing_time) AS processing_time_sum
            FROM llm_messages m JOIN c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
            WHERE m.tenant_id = ANY(\(tenants)::uuid[])
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        ), msg AS (
            SELECT tenant_id, hour, provider, model, type, user_id, lane, sum(messages) AS messages,
                   coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(cached_input_tokens), 0) AS cached_input_tokens,
                   coalesce(sum(cache_creation_input_tokens), 0) AS cache_creation_input_tokens,
                   coalesce(sum(output_tokens), 0) AS output_tokens, coalesce(sum(reasoning_tokens), 0) AS reasoning_tokens,
                   coalesce(sum(total_tokens), 0) AS total_tokens, coalesce(sum(cost), 0) AS cost,
                   sum(unpriced_messages) AS unpriced_messages, sum(processing_time_count) AS processing_time_count,
                   coalesce(sum(processing_time_sum), 0) AS processing_time_sum,
                   jsonb_object_agg(bucket, processing_time_count) FILTER (WHERE bucket IS NOT NULL) AS counts,
                   max(bucket) AS top
            FROM per_bucket GROUP BY 1, 2, 3, 4, 5, 6, 7
        ), together AS (
            SELECT tenant_id, hour, provider, model, type, user_id, lane, conversations, active, completed, failed, cancelled,
                   reported_tokens, reported_cost, 0 AS messages, 0 AS input_tokens, 0 AS cached_input_tokens,
                   0 AS cache_creation_input_tokens, 0 AS output_tokens, 0 AS reasoning_tokens, 0 AS total_tokens, 0 AS cost,
                   0 AS unpriced_messages, 0 AS processing_time_count, 0 AS processing_time_sum, NULL::bigint[] AS histogram
            FROM conv
            UNION ALL
            SELECT tenant_id, hour, provider, model, type, user_id, lane, 0, 0, 0, 0, 0, 0, 0, messages, input_tokens,
                   cached_input_tokens, cache_creation_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost,
                   unpriced_messages, processing_time_count, processing_time_sum,
                   CASE WHEN top IS NULL THEN '{}'::bigint[] ELSE
                       ARRAY(SELECT coalesce((counts ->> b::text)::bigint, 0) FROM generate_series(0, top) AS b ORDER BY b) END
            FROM msg
        )
        SELECT tenant_id, hour, provider, model, type, user_id, lane, sum(conversations)::bigint AS conversations,
               sum(active)::bigint AS active, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed,
               sum(cancelled)::bigint AS cancelled, sum(reported_tokens)::bigint AS reported_tokens,
               sum(reported_cost)::numeric AS reported_cost, sum(messages)::bigint AS messages,
               sum(input_tokens)::bigint AS input_tokens, sum(cached_input_tokens)::bigint AS cached_input_tokens,
               sum(cache_creation_input_tokens)::bigint AS cache_creation_input_tokens, sum(output_tokens)::bigint AS output_tokens,
               sum(reasoning_tokens)::bigint AS reasoning_tokens, sum(total_tokens)::bigint AS total_tokens,
               sum(cost)::numeric AS cost, sum(unpriced_messages)::bigint AS unpriced_messages,
               sum(processing_time_count)::bigint AS processing_time_count, sum(processing_time_sum)::bigint AS processing_time_sum,
               coalesce(max(histogram), '{}'::bigint[]) AS processing_time_histogram
        FROM together GROUP BY 1, 2, 3, 4, 5, 6, 7
        """
    }

    /// Writes the rebuilt rollups of `tenants` (which must have none yet); the number of rows.
    static func build(_ connection: PGConnection, tenants: [UUID], lanes: Int) async throws -> Int {
        try await connection.query(rebuilt(tenants, lanes: lanes, prefix: "INSERT INTO llm_usage_hourly (\(columns))")).affectedRows ?? 0
    }

    /// The tenant-level rollups (`llm_usage_daily_tenant`) of `tenants` from their per-user hourly rows, as the writer keeps
    /// them (the same deltas without the user); the number of rows.
    static func buildTenantLevel(_ connection: PGConnection, tenants: [UUID]) async throws -> Int {
        try await connection.query(tenantLevel(tenants, prefix: "INSERT INTO llm_usage_daily_tenant (\(tenantLevelColumns))")).affectedRows ?? 0
    }

    /// The columns of `llm_usage_daily_tenant`, in `tenantLevel`'s order.
    static let tenantLevelColumns =
        "tenant_id, day, provider, model, type, lane, conversations, active, completed, failed, cancelled, "
        + "reported_tokens, reported_cost, messages, input_tokens, cached_input_tokens, cache_creation_input_tokens, output_tokens, "
        + "reasoning_tokens, total_tokens, cost, unpriced_messages, processing_time_count, processing_time_sum, processing_time_histogram"

    static func tenantLevel(_ tenants: [UUID], prefix: String) -> PGQuery {
        """
        \(unsafeSQL: prefix)
        SELECT tenant_id, (hour AT TIME ZONE 'UTC')::date AS day, provider, model, type, lane,
               sum(conversations) AS conversations, sum(active) AS active, sum(completed) AS completed, sum(failed) AS failed,
               sum(cancelled) AS cancelled, sum(reported_tokens) AS reported_tokens, sum(reported_cost) AS reported_cost,
               sum(messages) AS messages, sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
               sum(cache_creation_input_tokens) AS cache_creation_input_tokens, sum(output_tokens) AS output_tokens,
               sum(reasoning_tokens) AS reasoning_tokens, sum(total_tokens) AS total_tokens, sum(cost) AS cost,
               sum(unpriced_messages) AS unpriced_messages, sum(processing_time_count) AS processing_time_count,
               sum(processing_time_sum) AS processing_time_sum, llmlog_sum_counts(processing_time_histogram) AS processing_time_histogram
        FROM llm_usage_hourly WHERE tenant_id = ANY(\(tenants)::uuid[])
        GROUP BY tenant_id, (hour AT TIME ZONE 'UTC')::date, provider, model, type, lane
        """
    }

    /// Tenant-level rows the writer stored for `tenants` that differ from the sum of its per-user rows, each way.
    static func compareTenantLevel(_ connection: PGConnection, tenants: [UUID]) async throws -> Int {
        try await connection.query(tenantLevel(tenants, prefix: "CREATE TEMP TABLE bench_tenant_rebuilt ON COMMIT DROP AS"))
        let columns = tenantLevelColumns
        return try await connection.query(
            """
            SELECT (SELECT count(*) FROM (SELECT \(unsafeSQL: columns) FROM llm_usage_daily_tenant WHERE tenant_id = ANY(\(tenants)::uuid[])
                                          EXCEPT ALL SELECT * FROM bench_tenant_rebuilt) x)
                 + (SELECT count(*) FROM (SELECT * FROM bench_tenant_rebuilt
                                          EXCEPT ALL SELECT \(unsafeSQL: columns) FROM llm_usage_daily_tenant WHERE tenant_id = ANY(\(tenants)::uuid[])) y)
            """
        ).first!.decode(Int.self)
    }

    /// Rows that differ between what the writer stored for `tenants` and the rebuild, each way, and the rows
    /// compared. Run it inside a transaction (the rebuild goes into a temporary table dropped at commit).
    static func compare(_ connection: PGConnection, tenants: [UUID], lanes: Int) async throws -> (writerOnly: Int, sqlOnly: Int, rows: Int) {
        let rows =
            try await connection.query(rebuilt(tenants, lanes: lanes, prefix: "CREATE TEMP TABLE bench_rebuilt ON COMMIT DROP AS")).affectedRows ?? 0
        let writerOnly = try await connection.query(
            """
            SELECT count(*) FROM (SELECT \(unsafeSQL: columns) FROM llm_usage_hourly WHERE tenant_id = ANY(\(tenants)::uuid[])
                                  EXCEPT ALL SELECT * FROM bench_rebuilt) x
            """
        ).first!.decode(Int.self)
        let sqlOnly = try await connection.query(
            """
            SELECT count(*) FROM (SELECT * FROM bench_rebuilt
                                  EXCEPT ALL SELECT \(unsafeSQL: columns) FROM llm_usage_hourly WHERE tenant_id = ANY(\(tenants)::uuid[])) x
            """
        ).first!.decode(Int.self)
        return (writerOnly, sqlOnly, rows)
    }
}
