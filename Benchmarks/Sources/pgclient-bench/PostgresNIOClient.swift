import Foundation
import Logging
import PostgresNIO

/// The Swift peer: vapor/postgres-nio, used through one `PostgresConnection` (what a `PostgresClient` leases).
final class PostgresNIOClient: BenchClient {
    let key = "postgresnio"
    let displayName = "PostgresNIO"
    let pipelineMethod = """
        N concurrent query() calls on one PostgresConnection (postgres-nio queues them and sends each as \
        the previous completes: no wire pipelining, but no task round trip between statements)
        """
    let connection: PostgresConnection
    let logger: Logger

    init(configuration: PostgresConnection.Configuration, logger: Logger) async throws {
        self.logger = logger
        connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

    func fetch(rows: Int) async throws -> FetchSummary {
        let rowSequence = try await connection.query("""
            SELECT i::int8, md5(i::text), i::float8 / 3, now() + i * interval '1 second', gen_random_uuid() \
            FROM generate_series(1, \(Int64(rows))) i
            """, logger: logger)
        var summary = FetchSummary()
        for try await (id, name, value, date, uuid) in rowSequence.decode((Int64, String, Double, Date, UUID).self) {
            summary.add(id: id, name: name, value: value, date: date, uuid: uuid)
        }
        return summary
    }

    func singleInserts(count: Int) async throws {
        for i in 1...Int64(count) {
            let (id, name, value) = insertRow(i)
            try await connection.query(
                "INSERT INTO bench_insert (id, name, value) VALUES (\(id), \(name), \(value))", logger: logger)
        }
    }

    func pipelinedInserts(count: Int) async throws {
        let connection = self.connection, logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 1...Int64(count) {
                group.addTask {
                    let (id, name, value) = insertRow(i)
                    try await connection.query(
                        "INSERT INTO bench_insert (id, name, value) VALUES (\(id), \(name), \(value))", logger: logger)
                }
            }
            try await group.waitForAll()
        }
    }

    func bulkInsert(count: Int) async throws {
        let (ids, names, values) = insertColumns(count: count)
        try await connection.query("""
            INSERT INTO bench_insert (id, name, value) \
            SELECT * FROM unnest(\(ids)::int8[], \(names)::text[], \(values)::float8[])
            """, logger: logger)
    }

    func close() async { try? await connection.close() }
}
