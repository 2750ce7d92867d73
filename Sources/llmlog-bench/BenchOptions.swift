import ArgumentParser
import Foundation

/// The sizes and durations of one benchmark run (`--smoke` shrinks every default to seconds).
struct BenchOptions: ParsableArguments {
    @Flag(help: "Tiny sizes and 2-second load runs: checks that the benchmark works (CI), measures nothing useful.")
    var smoke = false

    @Option(help: "Rows for the COPY ceiling (default 1,000,000; smoke 5,000).")
    var messages: Int?

    @Option(name: .customLong("analytics-messages"), help: "Messages stored for the analytics figures (default 10,000,000; smoke 20,000).")
    var analyticsMessages: Int?

    @Option(help: "Seconds of each load run: pgbench, wrk, the paced run (default 20; smoke 2).")
    var seconds: Int?

    @Option(help: "Requests timed per analytics endpoint (default 200; smoke 10).")
    var samples: Int?

    @Option(help: "Where llmlog is (default: .build/release/llmlog next to this binary).")
    var llmlog: String?

    @Flag(name: .customLong("skip-analytics"), help: "Skip the analytics dataset and its figures.")
    var skipAnalytics = false

    @Option(
        name: .customLong("explain-slower-than"),
        help: "Log the plan (EXPLAIN ANALYZE, via auto_explain) of every statement slower than this many ms; the server log is kept.")
    var explainSlowerThan: Int?

    var copyRows: Int { messages ?? (smoke ? 5_000 : 1_000_000) }
    var datasetMessages: Int { analyticsMessages ?? (smoke ? 20_000 : 10_000_000) }
    var loadSeconds: Int { seconds ?? (smoke ? 2 : 20) }
    var readSamples: Int { samples ?? (smoke ? 10 : 200) }
}
