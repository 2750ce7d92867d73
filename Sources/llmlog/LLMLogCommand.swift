import ArgumentParser
import Foundation
import LLMLogService
import Logging
import PGClient
import ServiceLifecycle

/// The `llmlog` command line.
@main
struct LLMLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmlog",
        abstract: "Records LLM conversations and messages in PostgreSQL and answers usage and cost analytics.",
        subcommands: [Serve.self]
    )
}

/// `llmlog serve`: for now, starts (or connects to) the database and keeps it up until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (embedded PostgreSQL unless DATABASE_URL is set).")

    @Option(help: "PostgreSQL URL (default: $DATABASE_URL, else an embedded cluster under ./.llmlog).")
    var databaseURL: String?

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "llmlog")
        let location = try await DatabaseLocation.resolve(
            databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], logger: logger)
        let pool = PGPool(configuration: location.configuration, logger: logger)
        let version = try await pool.query("SHOW server_version").first!.decode(String.self, column: 0)
        print("database: \(location.displayURL) (PostgreSQL \(version))")
        let group = ServiceGroup(
            services: [pool, EmbeddedClusterService(cluster: location.embedded)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Stops the embedded cluster at graceful shutdown.
struct EmbeddedClusterService: Service {
    let cluster: PGLocalCluster?
    func run() async throws {
        try? await gracefulShutdown()
        cluster?.stop()
    }
}
