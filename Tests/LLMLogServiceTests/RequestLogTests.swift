import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LLMLogService
import Logging
import PGClient
import Synchronization
import Testing

/// Keeps every log line with its metadata, to check what reaches the logs.
final class RecordingLogHandler: LogHandler, Sendable {
    let lines = Mutex<[String]>([])
    private let storedMetadata = Mutex<Logger.Metadata>([:])
    var metadata: Logger.Metadata {
        get { storedMetadata.withLock { $0 } }
        set { storedMetadata.withLock { $0 = newValue } }
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLock { $0.append("\(event.level) \(event.message) \(rendered)") }
    }
}

@Suite struct RequestLogTests {
    @Test func everyResponseCarriesARequestIdThatIsAlsoInItsLogLine() async throws {
        let handler = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        try await TestService.run(suite: "requestlog", logger: logger) { service in
            let secretContent = "my card number is 4111 1111 1111 1111"
            let created = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#,
                headers: [RequestLogTestsSupport.header: "client-chosen-42"])
            #expect(created.headers[RequestLogTestsSupport.header] == "client-chosen-42")
            let conversation = try created.decode(ConversationRecord.self)
            let message = try await service.request(
                .post, "/v1/conversations/\(conversation.id)/messages",
                json: TestService.json(["role": "USER", "content": secretContent]))
            let generated = try #require(message.headers[RequestLogTestsSupport.header])
            #expect(UUID(uuidString: generated) != nil)
            let rejected = try await service.request(
                .post, "/v1/conversations", json: "{}", key: "llmlog_ik_wrong-secret-key",
                headers: [RequestLogTestsSupport.header: "bad id with spaces"])
            #expect(rejected.status == .unauthorized)
            #expect(rejected.headers[RequestLogTestsSupport.header] != "bad id with spaces")

            let lines = handler.lines.withLock { $0 }
            let requestLines = lines.filter { $0.contains(" request ") }
            #expect(
                requestLines.contains {
                    $0.contains("request_id=client-chosen-42") && $0.contains("status=201") && $0.contains("route=/v1/conversations")
                })
            #expect(requestLines.contains { $0.contains("request_id=\(generated)") && $0.contains("route=/v1/conversations/{id}/messages") })
            #expect(requestLines.contains { $0.contains("status=401") })
            // Keys and message content never reach the logs.
            let everything = lines.joined(separator: "\n")
            #expect(!everything.contains(service.tenant.ingestKey))
            #expect(!everything.contains("wrong-secret-key"))
            #expect(!everything.contains(secretContent))
            #expect(!everything.contains(conversation.id.uuidString.lowercased() + "/messages"))
        }
    }
}

enum RequestLogTestsSupport {
    static let header = HTTPField.Name("X-Request-Id")!
}
