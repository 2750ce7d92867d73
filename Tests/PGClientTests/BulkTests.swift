import Foundation
import PGClient
import PGTestSupport
import Testing

@Suite struct BulkTests {
    static let suite = "bulk"

    @Test func copyHundredThousandRows() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            try await connection.executeScript("CREATE TABLE copied (id int8, name text, price numeric, at timestamptz, tag uuid)")
            let base = Date(timeIntervalSince1970: 1_764_000_000)
            var expectedSum: Int64 = 0
            var expectedNameLength = 0
            let copied = try await connection.copyFrom(table: "copied", columns: ["id", "name", "price", "at", "tag"]) { writer in
                for id in 0..<100_000 {
                    let name = "row \(id) ü"
                    expectedSum += Int64(id)
                    expectedNameLength += name.count
                    let tag: UUID? = id % 10 == 0 ? nil : UUID()
                    try await writer.append(Int64(id), name, Decimal(id) / 100, base.addingTimeInterval(Double(id)), tag)
                }
            }
            #expect(copied == 100_000)
            let row = try await connection.query(
                """
                SELECT count(*), sum(id), sum(length(name)), sum(price), count(tag), max(at)
                FROM copied
                """)[0]
            let (count, sum, nameLength, priceSum, tags, latest) = try row.decode((Int, Decimal, Int, Decimal, Int, Date).self)
            #expect(count == 100_000)
            #expect(sum == Decimal(expectedSum))
            #expect(nameLength == expectedNameLength)
            #expect(priceSum == Decimal(expectedSum) / 100)
            #expect(tags == 90_000)
            #expect(latest == base.addingTimeInterval(99_999))
            // Every name, in order, exactly as sent.
            let allNames = try await connection.query("SELECT string_agg(name, '|' ORDER BY id) FROM copied")[0]
                .decode(String.self, column: 0)
            #expect(allNames == (0..<100_000).map { "row \($0) ü" }.joined(separator: "|"))
        }
    }

    @Test func failedCopyStoresNothing() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            try await connection.executeScript("CREATE TABLE copy_fail (id int8 NOT NULL)")
            struct Stop: Error {}
            await #expect(throws: Stop.self) {
                try await connection.copyFrom(table: "copy_fail", columns: ["id"]) { writer in
                    for id in 0..<1000 { try await writer.append(Int64(id)) }
                    throw Stop()
                }
            }
            let error = await #expect(throws: PGError.self) {
                try await connection.copyFrom(table: "copy_fail", columns: ["id"]) { writer in
                    try await writer.append(Int64?.none)
                }
            }
            #expect(error?.code == .notNullViolation)
            #expect(try await connection.query("SELECT count(*) FROM copy_fail")[0].decode(Int.self, column: 0) == 0)
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
        }
    }

    @Test func pipelineReturnsEachOutcomeInOrder() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            try await connection.executeScript("CREATE TABLE piped (id int8 PRIMARY KEY, body text)")
            let queries: [PGQuery] = (0..<5000).map { "INSERT INTO piped VALUES (\($0), \(String(repeating: "x", count: $0 % 300)))" }
            let results = try await connection.pipeline(queries)
            #expect(results.count == 5000)
            #expect(results.allSatisfy { (try? $0.get().affectedRows) == 1 })
            #expect(try await connection.query("SELECT count(*) FROM piped")[0].decode(Int.self, column: 0) == 5000)

            // Large results in a pipeline (more than socket buffers hold) do not deadlock.
            let big: [PGQuery] = (0..<50).map { _ in "SELECT repeat('y', 100000) FROM generate_series(1, 5)" }
            let bigResults = try await connection.pipeline(big)
            #expect(try bigResults.allSatisfy { try $0.get().count == 5 })

            // After a failure the rest up to the sync point is aborted, and the connection is fine afterwards.
            let mixed: [PGQuery] = ["SELECT 1", "INSERT INTO piped VALUES (1, 'dup')", "SELECT 3"]
            let outcomes = try await connection.pipeline(mixed)
            #expect((try? outcomes[0].get().count) == 1)
            #expect(throws: PGError.self) { try outcomes[1].get() }
            if case .failure(let error) = outcomes[1] { #expect(error.code == .uniqueViolation) }
            #expect(throws: PGError.self) { try outcomes[2].get() }
            #expect(try await connection.query("SELECT 4")[0].decode(Int.self, column: 0) == 4)
        }
    }

    /// The server process ending in the middle of a pipeline fails the call with a connection error (it used to
    /// wait for ever for the sync point: a broken connection answers "no more results" for ever).
    @Test func pipelineOnAConnectionThatDiesFailsPromptly() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let start = ContinuousClock.now
            let error = await #expect(throws: PGError.self) {
                _ = try await connection.pipeline(["SELECT 1", "SELECT pg_terminate_backend(pg_backend_pid())", "SELECT 3", "SELECT 4"])
            }
            #expect(error?.isConnectionError == true || error?.code?.isShutdown == true, "\(String(describing: error))")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    /// A prepared query is prepared once per connection (per parameter types), also inside pipelines, and answers
    /// like the unprepared one.
    @Test func preparedQueriesArePreparedOncePerConnection() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            for value in 1...3 {
                let row = try await connection.query(prepared("SELECT \(value)::int8 * 2, \("x")::text"))[0]
                #expect(try row.decode((Int64, String).self) == (Int64(value) * 2, "x"))
            }
            let results = try await connection.pipeline([
                prepared("SELECT \(10)::int8 * 2, \("y")::text"), prepared("SELECT \(Int32(7))::int8 * 2, \("z")::text"), "SELECT 1",
            ])
            #expect(try results[0].get()[0].decode((Int64, String).self) == (Int64(20), "y"))
            #expect(try results[1].get()[0].decode((Int64, String).self) == (Int64(14), "z"))
            // One statement for int8 parameters, one for int4 (the same SQL with other parameter types).
            let statements = try await connection.query("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int8 * 2%'")
            #expect(try statements[0].decode(Int.self, column: 0) == 2)
            // An error in a prepared statement is the server's, and the connection stays usable.
            await #expect(throws: PGError.self) { _ = try await connection.query(prepared("SELECT 1 / \(0)::int8")) }
            #expect(try await connection.query(prepared("SELECT \(5)::int8 * 2, \("w")::text"))[0].decode((Int64, String).self) == (Int64(10), "w"))
        }
    }

    private func prepared(_ query: PGQuery) -> PGQuery { query.prepared() }
}
