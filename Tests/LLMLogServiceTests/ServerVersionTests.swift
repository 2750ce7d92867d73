import PGClient
import PGTestSupport
import Testing

@testable import LLMLogService

@Suite struct ServerVersionTests {
    @Test func serverIsPostgres15OrNewer() async throws {
        try await TestDatabase.withConnection(suite: "server-version") { (connection: PGConnection) async throws in
            let version = try await ServerInfo.version(connection)
            #expect(version >= 150_000)
        }
    }
}
