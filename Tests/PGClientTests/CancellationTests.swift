import Foundation
import PGClient
import PGTestSupport
import Testing

@Suite struct CancellationTests {
    static let suite = "cancel"

    @Test func cancellingTheTaskCancelsTheQuery() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let observer = try await PGConnection.connect(try await TestDatabase.database(for: Self.suite))
            let pid = connection.backendPID
            let sleeper = Task { try await connection.query("SELECT pg_sleep(30)") }
            // Wait until the server is running the sleep, then cancel.
            while try await observer.query("SELECT wait_event FROM pg_stat_activity WHERE pid = \(pid)")
                .first?.decode(String?.self, column: 0) != "PgSleep"
            {}
            let start = ContinuousClock.now
            sleeper.cancel()
            let result = await sleeper.result
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(10))  // the sleep was 30 s: it was cancelled, not waited out (loose for a loaded machine)
            let error = #expect(throws: PGError.self) { try result.get() }
            #expect(error?.kind == .cancelled)
            #expect(error?.code == .queryCanceled)
            // The same connection is clean and reusable.
            #expect(try await connection.query("SELECT 41 + 1")[0].decode(Int.self, column: 0) == 42)
            await observer.close()
        }
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await connection.query("SELECT 1")
            }
            let error = await #expect(throws: PGError.self) { try await task.value }
            #expect(error?.kind == .cancelled)
            #expect(try await connection.query("SELECT 2")[0].decode(Int.self, column: 0) == 2)
        }
    }

    @Test func cancelInsideTransactionRollsBack() async throws {
        let pool = PGPool(configuration: try await TestDatabase.database(for: Self.suite), options: .init(maxConnections: 1))
        try await pool.query("CREATE TABLE IF NOT EXISTS cancel_tx (n int)")
        let task = Task {
            try await pool.withTransaction { tx in
                try await tx.query("INSERT INTO cancel_tx VALUES (1)")
                try await tx.query("SELECT pg_sleep(30)")
            }
        }
        while try await TestDatabase.withConnection(
            suite: Self.suite,
            { observer in
                try await observer.query("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")[0].decode(Int.self, column: 0)
            }) == 0
        {}
        task.cancel()
        _ = await task.result
        #expect(try await pool.query("SELECT count(*) FROM cancel_tx")[0].decode(Int.self, column: 0) == 0)
        await pool.close()
    }
}
