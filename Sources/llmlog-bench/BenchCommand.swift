import ArgumentParser
import Foundation

/// `llmlog-bench`: ingest and analytics figures of `llmlog serve` next to PostgreSQL's own ceilings, in one run.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmlog-bench",
        abstract: "Measures llmlog ingest and analytics against PostgreSQL's and HTTP's ceilings on this machine.",
        subcommands: [Run.self, EchoServer.self],
        defaultSubcommand: Run.self
    )
}

/// The benchmark itself.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Runs every measurement and prints a table and a BENCH JSON line.")

    @OptionGroup var options: BenchOptions

    func run() async throws {
        let report = try await BenchRun(options: options).run()
        print(report.table())
        print("BENCH " + report.jsonLine())
        try report.validate(requireAnalytics: !options.skipAnalytics)
    }
}
