import Foundation
import PGClient
import PGTestSupport
import Testing

@Suite struct PoolTests {
    static let suite = "pool"

    func makePool(size: Int, timeout: Duration = .seconds(60)) async throws -> PGPool {  // generous: correctness, not speed, on a loaded machine
        PGPool(
            configuration: try await TestDatabase.database(for: Self.suite),
            options: .init(maxConnections: size, acquireTimeout: timeout))
    }

    @Test func twoHundredTasksOnFourConnections() async throws {
        let pool = try await makePool(size: 4)
        let answers = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
            for task in 0..<200 {
                group.addTask {
                    let row = try await pool.query("SELECT \(task) * 2, md5(\(String(task)))")[0]
                    let (doubled, hash) = try row.decode((Int, String).self)
                    return (task, doubled, hash)
                }
            }
            var answers: [(Int, Int, String)] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers.count == 200)
        for (task, doubled, hash) in answers {
            #expect(doubled == task * 2)
            #expect(hash.count == 32)
        }
        let distinct = Set(answers.map(\.2))
        #expect(distinct.count == 200)
        let statistics = pool.statistics
        #expect(statistics.open <= 4 && statistics.inUse == 0 && statistics.waiting == 0)
        await pool.close()
    }

    @Test func exhaustionGivesTheTimeoutError() async throws {
        let pool = try await makePool(size: 1, timeout: .milliseconds(200))
        let start = ContinuousClock.now
        try await pool.withConnection { held in
            try await held.query("SELECT 1")
            let error = await #expect(throws: PGError.self) { try await pool.query("SELECT 2") }
            #expect(error?.kind == .poolTimeout)
        }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(200) && waited < .seconds(5))
        // Once the holder is done, the pool serves again.
        #expect(try await pool.query("SELECT 3")[0].decode(Int.self, column: 0) == 3)
        await pool.close()
    }

    @Test func cancellingAWaiterEndsItsWait() async throws {
        let pool = try await makePool(size: 1, timeout: .seconds(30))
        try await pool.withConnection { _ in
            let waiter = Task { try await pool.query("SELECT 1") }
            while pool.statistics.waiting == 0 { await Task.yield() }
            waiter.cancel()
            let result = await waiter.result
            #expect(throws: PGError.self) { try result.get() }
            #expect(pool.statistics.waiting == 0)
        }
        await pool.close()
    }

    @Test func aConnectionLeftInATransactionIsNotReused() async throws {
        let pool = try await makePool(size: 1)
        let firstPID = try await pool.withConnection { connection in
            try await connection.query("BEGIN")
            try await connection.query("CREATE TABLE leaked_from_open_transaction (n int)")
            return connection.backendPID
        }
        let secondPID = try await pool.withConnection { connection in
            // The abandoned transaction was not committed into, or continued by, the next lease.
            let absent = try await connection.query("SELECT to_regclass('leaked_from_open_transaction') IS NULL")[0]
                .decode(Bool.self, column: 0)
            #expect(absent)
            return connection.backendPID
        }
        #expect(firstPID != secondPID)
        await pool.close()
    }

    @Test func terminatedBackendIsReplaced() async throws {
        let pool = try await makePool(size: 1)
        let statement: PGQuery = "SELECT pg_backend_pid(), \(7)::int8"
        let pid = try await pool.withConnection { connection in
            _ = try await connection.query(statement.prepared())  // prepared on the old server session
            return connection.backendPID
        }
        let killer = try await PGConnection.connect(try await TestDatabase.database(for: Self.suite))
        #expect(try await killer.query("SELECT pg_terminate_backend(\(pid))")[0].decode(Bool.self, column: 0))
        // Wait until the server has really ended that backend.
        while try await killer.query("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)")[0].decode(Int.self, column: 0) > 0 {}
        await killer.close()
        let newPID = try await pool.withConnection { connection in
            try await connection.query("SELECT pg_backend_pid()")[0].decode(Int32.self, column: 0)
        }
        #expect(newPID != pid)
        // The new session prepares the statement again (it used to fail: "prepared statement does not exist").
        let again = try await pool.withConnection { try await $0.query(statement.prepared())[0].decode((Int32, Int64).self) }
        #expect(again.0 == newPID && again.1 == 7)
        await pool.close()
    }

    @Test func queriesInsideWithConnectionRunOnTheConnectionsThread() async throws {
        let pool = try await makePool(size: 2)
        try await pool.withConnection { connection in
            #expect(connection.executor.isCurrentThread)
            try await connection.query("SELECT 1")
            #expect(connection.executor.isCurrentThread)
        }
        await pool.close()
    }

    /// A task that still prefers a closed connection's thread keeps running (on a fallback thread), never hangs.
    @Test func workForAClosedConnectionsThreadStillRuns() async throws {
        let connection = try await PGConnection.connect(try await TestDatabase.database(for: Self.suite))
        let executor = connection.executor
        await connection.close()
        let value = await withTaskExecutorPreference(executor) { () async -> Int in
            await Task.yield()
            return 42
        }
        #expect(value == 42)
    }

    @Test func closedPoolRefusesWork() async throws {
        let pool = try await makePool(size: 2)
        try await pool.query("SELECT 1")
        await pool.close()
        let error = await #expect(throws: PGError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .poolClosed)
    }
}
