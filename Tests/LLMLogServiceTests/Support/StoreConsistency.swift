import Foundation
import PGClient

/// Invariants of what the writer stored, checked as the owner: rollups equal the raw rows they count, and every
/// conversation's derived totals equal its messages' sums.
enum StoreConsistency {
    /// `llm_usage_hourly` with its writer lanes summed: one row per key, as every report reads it.
    static let hourlyByKey = """
        (SELECT tenant_id, hour, provider, model, type, user_id, sum(conversations)::bigint AS conversations,
                sum(active)::bigint AS active, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed,
                sum(cancelled)::bigint AS cancelled, sum(reported_tokens)::bigint AS reported_tokens, sum(reported_cost) AS reported_cost,
                sum(messages)::bigint AS messages, sum(input_tokens)::bigint AS input_tokens,
                sum(cached_input_tokens)::bigint AS cached_input_tokens, sum(cache_creation_input_tokens)::bigint AS cache_creation_input_tokens,
                sum(output_tokens)::bigint AS output_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens,
                sum(total_tokens)::bigint AS total_tokens, sum(cost) AS cost, sum(unpriced_messages)::bigint AS unpriced_messages,
                sum(processing_time_count)::bigint AS processing_time_count, sum(processing_time_sum)::bigint AS processing_time_sum,
                llmlog_sum_counts(processing_time_histogram) AS processing_time_histogram
         FROM llm_usage_hourly GROUP BY 1, 2, 3, 4, 5, 6)
        """

    /// Rollup rows that differ from the aggregation of raw rows (both directions), and how many raw groups there are.
    static func rollupMismatches(_ pool: PGPool) async throws -> (rawNotRolled: Int64, rolledNotRaw: Int64, groups: Int64) {
        let row = try await pool.query(
            """
            WITH raw AS (
                SELECT m.tenant_id, date_trunc('hour', m.created_at) AS hour, c.provider, c.model, c.type, coalesce(c.user_id, '') AS user_id,
                       count(*)::bigint AS messages, sum(coalesce(m.input_tokens, 0))::bigint AS input_tokens,
                       sum(coalesce(m.cached_input_tokens, 0))::bigint AS cached, sum(coalesce(m.cache_creation_input_tokens, 0))::bigint AS creation,
                       sum(coalesce(m.output_tokens, 0))::bigint AS output, sum(coalesce(m.reasoning_tokens, 0))::bigint AS reasoning,
                       sum(coalesce(m.total_tokens, 0))::bigint AS total, sum(coalesce(m.cost, 0)) AS cost,
                       count(*) FILTER (WHERE m.cost_source = 'unpriced')::bigint AS unpriced,
                       count(m.processing_time)::bigint AS timed, coalesce(sum(m.processing_time), 0)::bigint AS time_sum
                FROM llm_messages m JOIN llm_conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                GROUP BY 1, 2, 3, 4, 5, 6
            ), rolled AS (
                SELECT tenant_id, hour, provider, model, type, user_id, messages, input_tokens, cached_input_tokens, cache_creation_input_tokens,
                       output_tokens, reasoning_tokens, total_tokens, cost, unpriced_messages, processing_time_count, processing_time_sum
                FROM \(unsafeSQL: hourlyByKey) h WHERE messages > 0
            )
            SELECT (SELECT count(*) FROM (SELECT * FROM raw EXCEPT SELECT * FROM rolled) a)::bigint,
                   (SELECT count(*) FROM (SELECT * FROM rolled EXCEPT SELECT * FROM raw) b)::bigint,
                   (SELECT count(*) FROM raw)::bigint
            """)[0].decode((Int64, Int64, Int64).self)
        return (row.0, row.1, row.2)
    }

    /// Conversations whose count, tokens or cost differ from their messages', and rollup conversation counters that
    /// differ from the conversations table.
    static func totalMismatches(_ pool: PGPool) async throws -> (conversations: Int64, rollupConversations: Int64) {
        let row = try await pool.query(
            """
            WITH sums AS (
                SELECT c.tenant_id, c.id, c.message_count, c.total_tokens_used, c.total_cost,
                       count(m.id) AS messages, coalesce(sum(m.total_tokens), 0) AS tokens, coalesce(sum(m.cost), 0) AS cost
                FROM llm_conversations c LEFT JOIN llm_messages m ON m.tenant_id = c.tenant_id AND m.conversation_id = c.id
                GROUP BY c.tenant_id, c.id
            )
            SELECT (SELECT count(*) FROM sums WHERE message_count <> messages OR total_tokens_used <> tokens OR total_cost <> cost)::bigint,
                   (SELECT count(*) FROM (
                        SELECT tenant_id, date_trunc('hour', created_at), provider, model, type, coalesce(user_id, ''),
                               count(*)::bigint, count(*) FILTER (WHERE status = 'ACTIVE')::bigint, count(*) FILTER (WHERE status = 'COMPLETED')::bigint,
                               count(*) FILTER (WHERE status = 'FAILED')::bigint, count(*) FILTER (WHERE status = 'CANCELLED')::bigint
                        FROM llm_conversations GROUP BY 1, 2, 3, 4, 5, 6
                        EXCEPT
                        SELECT tenant_id, hour, provider, model, type, user_id, conversations, active, completed, failed, cancelled
                        FROM \(unsafeSQL: hourlyByKey) h WHERE conversations > 0) d)::bigint
            """)[0].decode((Int64, Int64).self)
        return (row.0, row.1)
    }

    /// Tenant-level daily rollup rows that differ from the sum of their users' hourly rows of the same lane (both
    /// directions), and their number.
    static func tenantRollupMismatches(_ pool: PGPool) async throws -> (missing: Int64, extra: Int64, rows: Int64) {
        let row = try await pool.query(
            """
            WITH summed AS (
                SELECT tenant_id, (hour AT TIME ZONE 'UTC')::date, provider, model, type, lane, sum(conversations)::bigint, sum(active)::bigint, sum(completed)::bigint,
                       sum(failed)::bigint, sum(cancelled)::bigint, sum(reported_tokens)::bigint, sum(reported_cost), sum(messages)::bigint,
                       sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint, sum(cache_creation_input_tokens)::bigint,
                       sum(output_tokens)::bigint, sum(reasoning_tokens)::bigint, sum(total_tokens)::bigint, sum(cost),
                       sum(unpriced_messages)::bigint, sum(processing_time_count)::bigint, sum(processing_time_sum)::bigint,
                       llmlog_sum_counts(processing_time_histogram)
                FROM llm_usage_hourly GROUP BY 1, 2, 3, 4, 5, 6
            ), stored AS (
                SELECT tenant_id, day, provider, model, type, lane, conversations, active, completed, failed, cancelled, reported_tokens,
                       reported_cost, messages, input_tokens, cached_input_tokens, cache_creation_input_tokens, output_tokens,
                       reasoning_tokens, total_tokens, cost, unpriced_messages, processing_time_count, processing_time_sum,
                       processing_time_histogram
                FROM llm_usage_daily_tenant
            )
            SELECT (SELECT count(*) FROM (SELECT * FROM summed EXCEPT SELECT * FROM stored) a)::bigint,
                   (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM summed) b)::bigint,
                   (SELECT count(*) FROM stored)::bigint
            """)[0].decode((Int64, Int64, Int64).self)
        return (row.0, row.1, row.2)
    }
}
