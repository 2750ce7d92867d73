import Foundation
import Logging
import PGClient
import PGTestSupport
import Synchronization
import Testing

/// A log handler that keeps what it is given, to check what reaches the logs.
final class CapturingLogHandler: LogHandler, Sendable {
    let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
}

@Suite struct NoticeTests {
    @Test func serverNoticesGoToTheLogger() async throws {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        let connection = try await PGConnection.connect(try await TestDatabase.database(for: "notices"), logger: logger)
        try await connection.executeScript(
            """
            DO $$ BEGIN RAISE NOTICE 'hello from plpgsql'; RAISE WARNING 'careful now'; END $$;
            """)
        await connection.close()
        let lines = handler.lines.withLock { $0 }
        #expect(lines.contains { $0.hasPrefix("notice") && $0.contains("hello from plpgsql") })
        #expect(lines.contains { $0.hasPrefix("warning") && $0.contains("careful now") })
    }
}
