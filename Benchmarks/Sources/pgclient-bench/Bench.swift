import Foundation
import Logging
import PGClient
import PostgresNIO

/// Benchmarks PGClient, PostgresNIO and a C program over libpq doing the same work against one
/// PostgreSQL server, and prints a table and one line of JSON. See Benchmarks/README.md.
@main
struct PGClientBench {
    static func main() async {
        let options: Options
        do {
            options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("pgclient-bench: \(error)\n".utf8))
            exit(2)
        }
        var logger = Logger(label: "pgclient-bench")
        logger.logLevel = .error

        var cluster: PGLocalCluster?
        do {
            let target: ServerTarget
            if let url = options.databaseURL {
                target = try ServerTarget.fromURL(url)
            } else {
                let started = try await PGLocalCluster.startTemporary(settings: Self.clusterSettings, logger: logger)
                cluster = started
                target = ServerTarget(
                    libpqURL: started.url(), host: "127.0.0.1", port: started.port, user: started.superuser,
                    password: nil, database: "postgres",
                    description: "temporary cluster at 127.0.0.1:\(started.port) ("
                        + Self.clusterSettings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        .joined(separator: ", ") + ")")
            }
            try await run(options: options, target: target, logger: logger)
            cluster?.stop()
        } catch {
            cluster?.stop()
            FileHandle.standardError.write(Data("pgclient-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    /// The temporary cluster trades durability for a server that is not the bottleneck: commits do not wait
    /// for the disk, so the insert workloads measure client and protocol overhead, not fsync latency.
    static let clusterSettings = [
        "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "shared_buffers": "256MB",
    ]

    static func run(options: Options, target: ServerTarget, logger: Logger) async throws {
        let admin = try await PGClientClient(configuration: PGConnectionConfiguration(url: target.libpqURL), logger: logger)
        let serverVersion = try await admin.serverVersion()
        try await admin.execute(SQL.createTable)

        var clients: [any BenchClient] = []
        if options.clients.contains("c") { clients.append(try CClient(conninfo: target.libpqURL)) }
        if options.clients.contains("pgclient") {
            clients.append(try await PGClientClient(configuration: PGConnectionConfiguration(url: target.libpqURL), logger: logger))
        }
        if options.clients.contains("postgresnio") {
            clients.append(try await PostgresNIOClient(
                configuration: PostgresConnection.Configuration(
                    host: target.host, port: target.port, username: target.user, password: target.password,
                    database: target.database, tls: .disable),
                logger: logger))
        }

        print("pgclient-bench: PostgreSQL \(serverVersion), \(target.description)")
        print("fetch rows \(options.rows), inserts \(options.inserts), best of \(options.repeats)\(options.smoke ? " (smoke)" : "")")
        fflush(nil)  // the header shows while the runs go on

        // Warm-up: connections, caches, the server's plans and the allocators, untimed.
        let warmUpInserts = min(options.inserts, 100)
        for client in clients {
            if options.workloads.contains(Workload.fetch.rawValue) { _ = try await client.fetch(rows: min(options.rows, 1_000)) }
            if options.workloads.contains(Workload.single.rawValue) {
                try await admin.execute(SQL.truncate)
                try await client.singleInserts(count: warmUpInserts)
            }
            if options.workloads.contains(Workload.pipelined.rawValue) {
                try await admin.execute(SQL.truncate)
                try await client.pipelinedInserts(count: warmUpInserts)
            }
            if options.workloads.contains(Workload.bulk.rawValue) {
                try await admin.execute(SQL.truncate)
                try await client.bulkInsert(count: warmUpInserts)
            }
        }

        var report = Report(options: options, serverVersion: serverVersion, server: target.description, clients: clients)

        // fetch
        var summaries: [String: FetchSummary] = [:]
        for _ in 0..<(options.workloads.contains(Workload.fetch.rawValue) ? options.repeats : 0) {
            for client in clients {
                var summary = FetchSummary()
                let measurement = try await measure { summary = try await client.fetch(rows: options.rows) }
                guard summary.rows == options.rows else {
                    throw BenchError("\(client.displayName) fetched \(summary.rows) rows, expected \(options.rows)")
                }
                if let earlier = summaries.values.first, earlier.stable != summary.stable {
                    throw BenchError("\(client.displayName) fetch checksum \(summary.stable) differs from \(earlier.stable)")
                }
                summaries[client.key] = summary
                report.record(.fetch, client: client.key, measurement)
            }
        }

        // inserts: the table is emptied before every run and checked after it
        let insertWorkloads: [(Workload, (any BenchClient, Int) async throws -> Void)] = [
            (.single, { try await $0.singleInserts(count: $1) }),
            (.pipelined, { try await $0.pipelinedInserts(count: $1) }),
            (.bulk, { try await $0.bulkInsert(count: $1) }),
        ]
        for (workload, body) in insertWorkloads where options.workloads.contains(workload.rawValue) {
            for _ in 0..<options.repeats {
                for client in clients {
                    try await admin.execute(SQL.truncate)
                    let measurement = try await measure { try await body(client, options.inserts) }
                    let inserted = try await admin.countInserted()
                    guard inserted == options.inserts else {
                        throw BenchError("\(client.displayName) \(workload.rawValue): \(inserted) rows in the table, expected \(options.inserts)")
                    }
                    report.record(workload, client: client.key, measurement)
                }
            }
        }

        try await admin.execute(SQL.dropTable)
        for client in clients { await client.close() }
        await admin.close()

        report.checksum = summaries["c"]?.stable
        report.printTable()
        print(report.json())
    }

    /// Wall-clock seconds of `body`, and the CPU seconds (user + system, all threads) this process spent
    /// meanwhile: the client's own cost, without the server's.
    static func measure(_ body: () async throws -> Void) async throws -> Measurement {
        let clock = ContinuousClock()
        let cpuStart = processCPUSeconds()
        let start = clock.now
        try await body()
        let elapsed = clock.now - start
        let cpu = processCPUSeconds() - cpuStart
        return Measurement(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, cpuSeconds: cpu)
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
