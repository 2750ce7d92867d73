import Foundation
import LLMLogService
import Logging
import Synchronization
import Testing

/// Collects what a JSONLogHandler writes.
final class LineSink: Sendable {
    let lines = Mutex<[String]>([])
    var sink: JSONLogHandler.Sink { { line in self.lines.withLock { $0.append(line) } } }
    /// Every line parsed as a JSON object (a line that does not parse fails the test).
    func objects(sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        lines.withLock { $0 }.map { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)", sourceLocation: sourceLocation)
            return object ?? [:]
        }
    }
}

/// `LLMLOG_LOG_FORMAT=json`: one JSON object per line with timestamp, level, label, message and flat metadata.
@Suite struct JSONLogTests {
    @Test func eachLineIsOneJSONObjectWithTheFieldsAndFlatMetadata() throws {
        let sink = LineSink()
        var logger = Logger(label: "llmlog.test") { label in JSONLogHandler(label: label, level: .debug, sink: sink.sink) }
        logger[metadataKey: "request_id"] = "r-1"
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} é 🦆"
        logger.info(
            "hello \(tricky)",
            metadata: [
                "status": .stringConvertible(201),
                "nested": .dictionary(["a": "1", "b": .dictionary(["c": "2"])]),
                "list": .array(["x", "y"]),
                "message": "collides",
            ])
        logger.trace("below the level")
        let objects = sink.objects()
        #expect(objects.count == 1)
        #expect(sink.lines.withLock { $0.allSatisfy { !$0.contains("\n") } })
        let object = try #require(objects.first)
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "llmlog.test")
        #expect(object["message"] as? String == "hello \(tricky)")
        #expect(object["request_id"] as? String == "r-1")
        #expect(object["status"] as? String == "201")
        #expect(object["nested.a"] as? String == "1")
        #expect(object["nested.b.c"] as? String == "2")
        #expect(object["list"] as? [String] == ["x", "y"])
        #expect(object["metadata.message"] as? String == "collides")
        let timestamp = try #require(object["timestamp"] as? String)
        let parsed = try #require(try? Date(timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
        #expect(timestamp.hasSuffix("Z"))
    }

    @Test func theRequestLineCarriesIdRouteStatusAndDurationAndNoSecrets() async throws {
        let sink = LineSink()
        let logger = Logger(label: "test") { label in JSONLogHandler(label: label, level: .info, sink: sink.sink) }
        try await TestService.run(suite: "jsonlog", logger: logger) { service in
            let secret = "my password is hunter2"
            let created = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#,
                headers: [RequestLogTestsSupport.header: "json-req-1"])
            let id = try #require(created.object["id"] as? String)
            let message = try await service.request(
                .post, "/v1/conversations/\(id)/messages", json: TestService.json(["role": "USER", "content": secret]))
            #expect(message.status == .created)

            let requests = sink.objects().filter { $0["message"] as? String == "request" }
            let first = try #require(requests.first { $0["request_id"] as? String == "json-req-1" })
            #expect(first["route"] as? String == "/v1/conversations")
            #expect(first["status"] as? String == "201")
            #expect(first["method"] as? String == "POST")
            #expect(Double(first["duration_ms"] as? String ?? "") != nil)
            let second = try #require(requests.first { $0["route"] as? String == "/v1/conversations/{id}/messages" })
            #expect(second["request_id"] as? String == message.headers[RequestLogTestsSupport.header])
            let everything = sink.lines.withLock { $0.joined(separator: "\n") }
            #expect(!everything.contains(secret))
            #expect(!everything.contains(service.tenant.ingestKey))
        }
    }
}
