import Analytics
import PGClient
import PGTestSupport
import Testing

@Suite struct ServerVersionTests {
    @Test func serverIsPostgres15OrNewer() async throws {
        try await TestDatabase.withConnection(suite: "analytics") { (connection: PGConnection) async throws in
            let version = try await Analytics.serverVersion(connection)
            #expect(version >= 150_000)
        }
    }
}
