import Foundation
import Glibc
import Logging

/// The operating-system side of PGLocalCluster: finding binaries, running initdb and pg_ctl, ports, signals.
enum PGLocalProcess {
    struct Binaries {
        let initdb: String
        let pgCtl: String
        /// `pg_basebackup` (for replicas) beside `initdb`, or beside the file `initdb` links to (a PATH directory may
        /// hold links to only some of the server programs).
        var pgBasebackup: String {
            let beside = (initdb as NSString).deletingLastPathComponent + "/pg_basebackup"
            if FileManager.default.isExecutableFile(atPath: beside) { return beside }
            let resolved = URL(fileURLWithPath: initdb).resolvingSymlinksInPath().path
            return (resolved as NSString).deletingLastPathComponent + "/pg_basebackup"
        }
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
        throw PGLocalClusterError(
            message: """
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
        try run(
            binaries.initdb, ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
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
        try run(
            binaries.pgCtl, ["start", "-w", "-t", "120", "-D", dataDirectory, "-l", log, "-o", "-p \(port)"],
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

    /// Immediate shutdown by signal (what `pg_ctl stop -m immediate` sends: SIGQUIT, sessions cut, no checkpoint), then
    /// waits up to 30 s for the exit. The next start runs crash recovery.
    static func stopServerImmediately(dataDirectory: String) {
        guard let (pid, _) = postmaster(dataDirectory: dataDirectory) else { return }
        guard kill(pid, SIGQUIT) == 0 else { return }
        for _ in 0..<3000 where kill(pid, 0) == 0 { usleep(10_000) }
    }

    /// Creates an empty data directory for a server: owned by the postgres user when root, mode 0700.
    static func makeDataDirectory(_ path: String, asPostgres: Bool) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if asPostgres {
            guard let user = getpwnam("postgres") else {
                throw PGLocalClusterError(message: "running as root needs the 'postgres' OS user: apt-get install postgresql")
            }
            guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw PGLocalClusterError(message: "cannot give \(path) to the postgres user")
            }
        }
        chmod(path, 0o700)
    }

    /// SIGKILL to the postmaster and every process it started (a crash, for fault tests), then waits until all
    /// of them are gone. The data directory is left as a crash leaves it: the next start runs crash recovery.
    static func killServer(dataDirectory: String) {
        guard let (pid, _) = postmaster(dataDirectory: dataDirectory) else { return }
        let children = childProcesses(of: pid)
        kill(pid, SIGKILL)
        for child in children { kill(child, SIGKILL) }
        for process in [pid] + children {
            for _ in 0..<3000 where kill(process, 0) == 0 { usleep(2_000) }
        }
    }

    /// The pids whose parent is `parent` (from /proc).
    static func childProcesses(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "(comm)": state, then ppid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
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
    /// Uses posix_spawn and waitpid directly: the caller is a thread of our own, and the server that pg_ctl
    /// leaves running inherits no pipe that anyone waits on (output goes to a file).
    static func run(_ program: String, _ arguments: [String], asPostgres: Bool, what: String) throws {
        // As root, run as postgres from "/" (postgres may not be allowed into the caller's working directory).
        let argv =
            asPostgres
            ? ["/usr/sbin/runuser", "-u", "postgres", "--", "/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", program] + arguments
            : [program] + arguments
        let outputPath = NSTemporaryDirectory() + "/llmlog-cmd-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw PGLocalClusterError(message: "\(what): cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw PGLocalClusterError(message: "\(what) failed (exit \(exitCode)): \(text.suffix(2000))")
        }
    }
}
