import Foundation
import Glibc
import Logging

/// The operating-system side of PGLocalCluster: finding binaries, running initdb and pg_ctl, ports, signals.
enum PGLocalProcess {
    struct Binaries {
        let initdb: String
        let pgCtl: String
    }

    /// `initdb` and `pg_ctl` from PATH, else from the newest `/usr/lib/postgresql/N/bin`.
    static func findBinaries() throws -> Binaries {
        let fileManager = FileManager.default
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let debianRoot = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: debianRoot)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "\(debianRoot)/\($0)/bin" }
        for directory in candidates {
            let initdb = directory + "/initdb", pgCtl = directory + "/pg_ctl"
            if fileManager.isExecutableFile(atPath: initdb), fileManager.isExecutableFile(atPath: pgCtl) {
                return Binaries(initdb: initdb, pgCtl: pgCtl)
            }
        }
        throw PGLocalClusterError(message: """
            PostgreSQL server programs (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. \
            Install them: apt-get install postgresql (Debian/Ubuntu), or set DATABASE_URL to an existing server.
            """)
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/llmlog-pg-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw PGLocalClusterError(message: "cannot create a temporary directory") }
        let path = String(cString: made)
        chmod(path, 0o755)
        return path
    }

    /// Runs `initdb` (as the postgres user when root) and writes the server settings.
    static func initialize(dataDirectory: String, binaries: Binaries, asPostgres: Bool, settings: [String: String], logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if asPostgres {
            guard let user = getpwnam("postgres") else {
                throw PGLocalClusterError(message: "running as root needs the 'postgres' OS user: apt-get install postgresql")
            }
            guard chown(dataDirectory, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw PGLocalClusterError(message: "cannot give \(dataDirectory) to the postgres user")
            }
        }
        chmod(dataDirectory, 0o700)
        try run(binaries.initdb, ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
                asPostgres: asPostgres, what: "initdb")
        var configuration = """

            # llmlog local cluster
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            max_connections = 200

            """
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) { configuration += "\(key) = '\(value)'\n" }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(configuration.utf8))
        try handle.close()
        logger.info("initialized a local postgres data directory", metadata: ["data": "\(dataDirectory)"])
    }

    /// `pg_ctl start -w`: returns once the server reports itself ready (pg_ctl's own readiness check).
    static func startServer(dataDirectory: String, port: Int, binaries: Binaries, asPostgres: Bool) throws {
        let log = dataDirectory + "/server.log"
        try run(binaries.pgCtl, ["start", "-w", "-t", "120", "-D", dataDirectory, "-l", log, "-o", "-p \(port)"],
                asPostgres: asPostgres, what: "pg_ctl start (see \(log))")
    }

    /// Connects until the server accepts a session (it already reported ready; this confirms it end to end).
    static func waitUntilAccepting(_ configuration: PGConnectionConfiguration) throws {
        let deadline = Date().addingTimeInterval(30)
        while true {
            do {
                try PGRawConnection.connect(configuration, logger: Logger(label: "pgclient.local")).close()
                return
            } catch {
                if Date() > deadline { throw error }
                usleep(20_000)
            }
        }
    }

    /// The port of a server already running in `dataDirectory`, from its postmaster.pid, if it is alive.
    static func runningPort(dataDirectory: String) -> Int? {
        guard let (pid, port) = postmaster(dataDirectory: dataDirectory), kill(pid, 0) == 0 else { return nil }
        return port
    }

    /// pid and port from postmaster.pid (lines 1 and 4).
    static func postmaster(dataDirectory: String) -> (pid_t, Int)? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3, let pid = pid_t(lines[0]), let port = Int(lines[3]) else { return nil }
        return (pid, port)
    }

    /// Fast shutdown by signal (what `pg_ctl stop -m fast` sends), then waits up to 30 s for the exit.
    static func stopServer(dataDirectory: String) {
        guard let (pid, _) = postmaster(dataDirectory: dataDirectory) else { return }
        guard kill(pid, SIGINT) == 0 else { return }
        for _ in 0..<3000 where kill(pid, 0) == 0 { usleep(10_000) }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freeLoopbackPort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw PGLocalClusterError(message: "socket() failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketDescriptor, socketAddress, length) == 0 && getsockname(socketDescriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw PGLocalClusterError(message: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program to completion (through `runuser -u postgres --` when asked); throws with its output on failure.
    static func run(_ program: String, _ arguments: [String], asPostgres: Bool, what: String) throws {
        let process = Process()
        if asPostgres {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", program] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PGLocalClusterError(message: "\(what) failed (exit \(process.terminationStatus)): \(text.suffix(2000))")
        }
    }
}
