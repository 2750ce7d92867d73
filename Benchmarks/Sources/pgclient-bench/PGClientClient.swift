import Foundation
import Logging
import PGClient

/// The repository's own library, used as an application would: `query` with interpolated binds and
/// tuple decoding of each row.
final class PGClientClient: BenchClient {
    let key = "pgclient"
    let displayName = "PGClient"
    let pipelineMethod = "PGConnection.pipeline([PGQuery]) (libpq pipeline mode, one round trip)"
    let connection: PGConnection

    init(configuration: PGConnectionConfiguration, logger: Logger) async throws {
        connection = try await PGConnection.connect(configuration, logger: logger)
    }

    func fetch(rows: Int) async throws -> FetchSummary {
        let result = try await connection.query("""
            SELECT i::int8, md5(i::text), i::float8 / 3, now() + i * interval '1 second', gen_random_uuid() \
            FROM generate_series(1, \(Int64(rows))) i
            """)
        var summary = FetchSummary()
        for row in result {
            let (id, name, value, date, uuid) = try row.decode((Int64, String, Double, Date, UUID).self)
            summary.add(id: id, name: name, value: value, date: date, uuid: uuid)
        }
        return summary
    }

    /// Runs on the connection's own thread (as `PGPool.withConnection` does), so no query switches threads.
    func singleInserts(count: Int) async throws {
        try await withTaskExecutorPreference(connection.executor) {
            for i in 1...Int64(count) {
                let (id, name, value) = insertRow(i)
                try await connection.query("INSERT INTO bench_insert (id, name, value) VALUES (\(id), \(name), \(value))")
            }
        }
    }

    func pipelinedInserts(count: Int) async throws {
        var queries: [PGQuery] = []
        queries.reserveCapacity(count)
        for i in 1...Int64(count) {
            let (id, name, value) = insertRow(i)
            queries.append("INSERT INTO bench_insert (id, name, value) VALUES (\(id), \(name), \(value))")
        }
        let outcomes = try await connection.pipeline(queries)
        guard outcomes.count == count else { throw BenchError("PGClient pipeline: \(outcomes.count) results for \(count) queries") }
        for outcome in outcomes {
            if case .failure(let error) = outcome { throw error }
        }
    }

    func bulkInsert(count: Int) async throws {
        let (ids, names, values) = insertColumns(count: count)
        let result = try await connection.query("""
            INSERT INTO bench_insert (id, name, value) \
            SELECT * FROM unnest(\(ids)::int8[], \(names)::text[], \(values)::float8[])
            """)
        guard result.affectedRows == count else { throw BenchError("PGClient bulk insert: \(result.affectedRows ?? -1) rows") }
    }

    /// Runs a statement without parameters (setup, truncate); not timed.
    func execute(_ sql: String) async throws { try await connection.executeScript(sql) }

    /// Rows in bench_insert (to check each insert workload did its work); not timed.
    func countInserted() async throws -> Int64 {
        let result = try await connection.query(PGQuery(unsafeSQL: SQL.countRows))
        guard let row = result.first else { throw BenchError("count returned no row") }
        return try row.decode(Int64.self, column: 0)
    }

    /// The server's version string.
    func serverVersion() async throws -> String {
        let result = try await connection.query("SHOW server_version")
        guard let row = result.first else { return "?" }
        return try row.decode(String.self, column: 0)
    }

    func close() async { await connection.close() }
}
