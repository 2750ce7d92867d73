import Foundation

enum Workload: String, CaseIterable {
    case fetch, single, pipelined, bulk

    var title: String {
        switch self {
        case .fetch: "fetch+decode"
        case .single: "single inserts"
        case .pipelined: "pipelined inserts"
        case .bulk: "bulk unnest insert"
        }
    }
}

/// One timed run: wall-clock seconds, and the CPU seconds the benchmark process (the client) used meanwhile.
struct Measurement {
    var seconds: Double
    var cpuSeconds: Double
}

/// The figures of one run of the benchmark, and their printing.
struct Report {
    let options: Options
    let serverVersion: String
    let server: String
    /// Client keys and names, in table order (C first: the baseline).
    let clients: [(key: String, name: String, pipelineMethod: String)]
    var runs: [Workload: [String: [Measurement]]] = [:]
    var checksum: Int64?

    /// PGClient's goals against the C program (time ratios).
    static let goals: [(workload: Workload, maximum: Double)] = [(.fetch, 1.3), (.single, 1.1)]

    init(options: Options, serverVersion: String, server: String, clients: [any BenchClient]) {
        self.options = options
        self.serverVersion = serverVersion
        self.server = server
        self.clients = clients.map { ($0.key, $0.displayName, $0.pipelineMethod) }
    }

    mutating func record(_ workload: Workload, client: String, _ measurement: Measurement) {
        runs[workload, default: [:]][client, default: []].append(measurement)
    }

    func rows(_ workload: Workload) -> Int { workload == .fetch ? options.rows : options.inserts }
    /// The best (lowest) wall-clock time of a client's runs.
    func best(_ workload: Workload, _ client: String) -> Double? { runs[workload]?[client]?.map(\.seconds).min() }
    /// The lowest client CPU time of a client's runs.
    func bestCPU(_ workload: Workload, _ client: String) -> Double? { runs[workload]?[client]?.map(\.cpuSeconds).min() }
    func ratio(_ workload: Workload, _ client: String) -> Double? {
        guard let time = best(workload, client), let baseline = best(workload, "c"), baseline > 0 else { return nil }
        return time / baseline
    }
    /// The median over rounds of (client time / C time in the same round). Rounds run the clients back to back,
    /// so a paired ratio cancels most of the machine's drift between rounds; it is what the goals are judged on.
    func pairedRatio(_ workload: Workload, _ client: String) -> Double? {
        guard let times = runs[workload]?[client], let baseline = runs[workload]?["c"], times.count == baseline.count,
              !times.isEmpty
        else { return nil }
        let ratios = zip(times, baseline).map { $0.seconds / $1.seconds }.sorted()
        let middle = ratios.count / 2
        return ratios.count % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2
    }
    func cpuRatio(_ workload: Workload, _ client: String) -> Double? {
        guard let time = bestCPU(workload, client), let baseline = bestCPU(workload, "c"), baseline > 0 else { return nil }
        return time / baseline
    }

    func printTable() {
        func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return right ? padding + text : text + padding
        }
        let header = pad("workload", 20) + pad("client", 13) + pad("rows", 9, right: true) + pad("best s", 11, right: true)
            + pad("rows/s", 13, right: true) + pad("x C", 7, right: true) + pad("cpu s", 10, right: true)
            + pad("cpu x C", 9, right: true) + "   runs (s)"
        print("")
        print(header)
        print(String(repeating: "-", count: header.count + 10))
        for workload in Workload.allCases {
            for (index, client) in clients.enumerated() {
                guard let best = best(workload, client.key) else { continue }
                let allRuns = runs[workload]?[client.key] ?? []
                print(
                    pad(index == 0 ? workload.title : "", 20) + pad(client.name, 13)
                        + pad("\(rows(workload))", 9, right: true)
                        + pad(String(format: "%.4f", best), 11, right: true)
                        + pad(String(format: "%.0f", Double(rows(workload)) / best), 13, right: true)
                        + pad(String(format: "%.2f", ratio(workload, client.key) ?? .nan), 7, right: true)
                        + pad(String(format: "%.4f", bestCPU(workload, client.key) ?? .nan), 10, right: true)
                        + pad(String(format: "%.2f", cpuRatio(workload, client.key) ?? .nan), 9, right: true)
                        + "   " + allRuns.map { String(format: "%.4f", $0.seconds) }.joined(separator: " "))
            }
        }
        print("")
        print("pipelined inserts, per client:")
        for client in clients { print("  \(client.name): \(client.pipelineMethod)") }
        print("x C: wall-clock time / the C program's; cpu s: CPU time of the benchmark process (the client, all its")
        print("threads; the server not included) during the best-CPU run; cpu x C: that over the C program's.")
        print("bulk unnest insert: one INSERT ... SELECT * FROM unnest($1::int8[], $2::text[], $3::float8[]) of all rows")
        print("goals (PGClient time / C time, median of the per-round paired ratios; best-vs-best in brackets):")
        for goal in Self.goals {
            let value = pairedRatio(goal.workload, "pgclient") ?? .nan
            let best = ratio(goal.workload, "pgclient") ?? .nan
            let cpu = cpuRatio(goal.workload, "pgclient") ?? .nan
            print("  \(goal.workload.title) <= \(goal.maximum)x: \(String(format: "%.2f", value))x wall-clock "
                + "[\(String(format: "%.2f", best))x], \(value <= goal.maximum ? "met" : "NOT met") (client CPU \(String(format: "%.2f", cpu))x)")
        }
        print("")
    }

    /// One line of JSON with every figure and ratio.
    func json() -> String {
        func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
        var workloads: [String: Any] = [:]
        for workload in Workload.allCases {
            var entry: [String: Any] = ["rows": rows(workload)]
            for client in clients {
                guard let best = best(workload, client.key) else { continue }
                var figures: [String: Any] = [
                    "best_seconds": rounded(best, 1e6),
                    "rows_per_second": rounded(Double(rows(workload)) / best, 1),
                    "runs_seconds": (runs[workload]?[client.key] ?? []).map { rounded($0.seconds, 1e6) },
                    "best_cpu_seconds": rounded(bestCPU(workload, client.key) ?? 0, 1e6),
                    "runs_cpu_seconds": (runs[workload]?[client.key] ?? []).map { rounded($0.cpuSeconds, 1e6) },
                ]
                if workload == .pipelined { figures["method"] = client.pipelineMethod }
                entry[client.key] = figures
                if client.key != "c", let ratio = ratio(workload, client.key) {
                    entry["ratio_\(client.key)_c"] = rounded(ratio, 1e3)
                }
                if client.key != "c", let paired = pairedRatio(workload, client.key) {
                    entry["paired_median_ratio_\(client.key)_c"] = rounded(paired, 1e3)
                }
                if client.key != "c", let ratio = cpuRatio(workload, client.key), ratio.isFinite {
                    entry["cpu_ratio_\(client.key)_c"] = rounded(ratio, 1e3)
                }
            }
            workloads[workload.rawValue] = entry
        }
        var goals: [String: Any] = [:]
        for goal in Self.goals {
            let value = pairedRatio(goal.workload, "pgclient") ?? .nan
            goals["\(goal.workload.rawValue)_pgclient_c_max"] = goal.maximum
            goals["\(goal.workload.rawValue)_pgclient_c"] = value.isFinite ? rounded(value, 1e3) : NSNull()
            goals["\(goal.workload.rawValue)_met"] = value <= goal.maximum
            let cpu = cpuRatio(goal.workload, "pgclient") ?? .nan
            goals["\(goal.workload.rawValue)_pgclient_c_cpu"] = cpu.isFinite ? rounded(cpu, 1e3) : NSNull()
        }
        let document: [String: Any] = [
            "benchmark": "pgclient-bench",
            "server_version": serverVersion,
            "server": server,
            "config": ["rows": options.rows, "inserts": options.inserts, "repeat": options.repeats, "smoke": options.smoke],
            "fetch_stable_checksum": checksum.map { $0 as Any } ?? NSNull(),
            "workloads": workloads,
            "goals": goals,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
