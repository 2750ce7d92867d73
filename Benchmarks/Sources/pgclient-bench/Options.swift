import Foundation

/// Command-line options. `--smoke` picks tiny sizes; explicit `--rows`/`--inserts`/`--repeat` still win.
struct Options {
    var rows = 1_000_000
    var inserts = 10_000
    var repeats = 3
    var smoke = false
    var databaseURL: String?
    /// Subsets, for profiling one client or workload (all by default).
    var workloads = Set(Workload.allCases.map(\.rawValue))
    var clients = Set(["c", "pgclient", "postgresnio"])

    static let usage = """
        usage: pgclient-bench [--rows N] [--inserts N] [--repeat K] [--smoke] [--database-url URL]
                              [--workloads LIST] [--clients LIST]

          --rows N            rows fetched and decoded by the fetch workload (default 1000000)
          --inserts N         rows inserted by each insert workload (default 10000)
          --repeat K          runs of every measurement; the best is reported (default 3)
          --smoke             tiny sizes for CI: 2000 rows, 200 inserts, 1 run
          --database-url URL  use this server (postgresql://user[:password]@host[:port]/database) instead of
                              starting a temporary cluster; it must allow CREATE/DROP TABLE bench_insert
          --workloads LIST    comma-separated subset of fetch,single,pipelined,bulk (for profiling)
          --clients LIST      comma-separated subset of c,pgclient,postgresnio (for profiling)
        """

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rows: Int?, inserts: Int?, repeats: Int?
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw BenchError("\(flag) needs a value\n\n\(usage)") }
            return value
        }
        func positive(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text.replacingOccurrences(of: "_", with: "")), number > 0 else {
                throw BenchError("\(flag) needs a positive integer, got \(text)")
            }
            return number
        }
        func subset(_ flag: String, of all: Set<String>) throws -> Set<String> {
            let chosen = Set(try value(flag).split(separator: ",").map { String($0) })
            guard !chosen.isEmpty, chosen.isSubset(of: all) else {
                throw BenchError("\(flag) takes a comma-separated subset of \(all.sorted().joined(separator: ","))")
            }
            return chosen
        }
        while let argument = iterator.next() {
            switch argument {
            case "--rows": rows = try positive(argument)
            case "--inserts": inserts = try positive(argument)
            case "--repeat": repeats = try positive(argument)
            case "--smoke": options.smoke = true
            case "--database-url": options.databaseURL = try value(argument)
            case "--workloads": options.workloads = try subset(argument, of: Set(Workload.allCases.map(\.rawValue)))
            case "--clients": options.clients = try subset(argument, of: options.clients)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError("unknown argument \(argument)\n\n\(usage)")
            }
        }
        if options.smoke {
            options.rows = 2_000
            options.inserts = 200
            options.repeats = 1
        }
        if let rows { options.rows = rows }
        if let inserts { options.inserts = inserts }
        if let repeats { options.repeats = repeats }
        return options
    }
}

/// Where the server is, in the forms each client needs.
struct ServerTarget {
    /// libpq connection string (URL) for the C program and PGClient.
    var libpqURL: String
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    /// Printed with the results.
    var description: String

    /// From a user-supplied URL. `sslmode=disable` is added when absent, so that no client uses TLS
    /// (PostgresNIO is configured without TLS; the comparison is of plain TCP clients).
    static func fromURL(_ url: String) throws -> ServerTarget {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgresql" || scheme == "postgres"
        else { throw BenchError("--database-url must be a postgresql:// URL") }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let user = components.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        var libpqURL = url
        if !(components.queryItems ?? []).contains(where: { $0.name == "sslmode" }) {
            libpqURL += (components.query == nil ? "?" : "&") + "sslmode=disable"
        }
        return ServerTarget(
            libpqURL: libpqURL, host: host, port: components.port ?? 5432, user: user,
            password: components.password, database: path.isEmpty ? user : path,
            description: "server at \(host):\(components.port ?? 5432) (--database-url)")
    }
}
