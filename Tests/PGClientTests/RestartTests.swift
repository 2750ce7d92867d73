import Foundation
import PGClient
import PGTestSupport
import Testing

@Suite struct RestartTests {
    @Test func poolSurvivesAServerRestart() async throws {
        // Its own cluster: restarting the shared one would disturb the other suites.
        let cluster = try await PGLocalCluster.startTemporary(settings: ["fsync": "off"])
        defer { cluster.stop() }
        let pool = PGPool(configuration: cluster.configuration(), options: .init(maxConnections: 3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { try await pool.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        let before = pool.statistics.open
        #expect(before >= 1)
        try await cluster.restart()
        // Every idle connection is dead now; the next queries must still succeed.
        for attempt in 0..<10 {
            #expect(try await pool.query("SELECT \(attempt)")[0].decode(Int.self, column: 0) == attempt)
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<6 { group.addTask { try await pool.query("SELECT \(n)")[0].decode(Int.self, column: 0) } }
            var sum = 0
            for try await n in group { sum += n }
            #expect(sum == 15)
        }
        await pool.close()
    }
}
