import ArgumentParser
import Foundation
import Hummingbird
import LLMLogService
import Logging
import NIOCore

/// The HTTP ceiling: `POST /v1/conversations/{id}/messages` decodes the message JSON the way the service does
/// (`APIJSON`, `MessageCreateRequest`) and answers it back (201), touching no database. Run as a child process
/// by the benchmark, so the load tool and the server compete for the CPU as they do against `llmlog serve`.
struct EchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server", abstract: "Internal: the HTTP ceiling route (decode a message, encode it back).", shouldDisplay: false)

    @Option var port: Int

    func run() async throws {
        var logger = Logger(label: "llmlog-bench.echo")
        logger.logLevel = .warning
        let router = Router()
        router.get("readyz") { _, _ in "ok" }
        router.post("v1/conversations/{id}/messages") { request, context -> Response in
            guard context.parameters.get("id").flatMap(UUID.init(uuidString:)) != nil else { throw HTTPError(.badRequest) }
            let body = try await request.body.collect(upTo: 2 << 20)
            let message = try APIJSON.decoder().decode(MessageCreateRequest.self, from: Data(buffer: body))
            let bytes = try APIJSON.encoder().encode(message)
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}
