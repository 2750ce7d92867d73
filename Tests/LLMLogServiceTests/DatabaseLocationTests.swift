import LLMLogService
import Logging
import PGClient
import PGTestSupport
import Testing

@Suite struct DatabaseLocationTests {
    @Test func databaseURLIsUsedAsGiven() async throws {
        let cluster = try await TestDatabase.cluster()
        let location = try await DatabaseLocation.resolve(databaseURL: cluster.url(), logger: Logger(label: "test"))
        #expect(location.embedded == nil)
        let connection = try await PGConnection.connect(location.configuration)
        #expect(try await connection.query("SELECT current_user")[0].decode(String.self, column: 0) == "postgres")
        await connection.close()
    }
}
