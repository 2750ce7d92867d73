import Foundation

/// Where the embedded cluster's data directory goes. As root the cluster runs as `postgres`, which cannot enter a
/// clone under a 0700 directory (as `/root` is, and as containers run): initdb then fails with "Permission denied".
/// In that case the data directory is placed under `/var/lib/llmlog/`, in a directory named after the clone's
/// path (so each clone keeps its own cluster across restarts), and owned by `postgres`; elsewhere it stays where
/// it was asked for.
enum EmbeddedDataPlacement {
    static let fallbackRoot = "/var/lib/llmlog"

    /// The data directory to use for `requested` (an absolute or relative path), and a sentence explaining a move.
    static func place(_ requested: String) -> (path: String, notice: String?) {
        let absolute = URL(fileURLWithPath: requested).standardizedFileURL.path
        guard geteuid() == 0, let user = getpwnam("postgres") else { return (absolute, nil) }
        let uid = user.pointee.pw_uid, gid = user.pointee.pw_gid
        guard !reachable(absolute, uid: uid, gid: gid) else { return (absolute, nil) }
        let name = absolute.split(separator: "/").joined(separator: "_").filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        let placed = fallbackRoot + "/" + (name.isEmpty ? "default" : String(name.suffix(200)))
        return (
            placed,
            """
            the postgres user cannot enter \(absolute) (a parent directory is closed to others, as /root is), \
            so the embedded database lives in \(placed) instead
            """
        )
    }

    /// Whether user `uid`/`gid` may enter every existing directory on the way to `path`.
    static func reachable(_ path: String, uid: uid_t, gid: gid_t) -> Bool {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            var info = stat()
            guard stat(current, &info) == 0 else { return true }  // the rest does not exist yet: created by us
            guard (info.st_mode & S_IFMT) == S_IFDIR else { return false }
            let mode = info.st_mode
            let enters = info.st_uid == uid ? mode & S_IXUSR != 0 : info.st_gid == gid ? mode & S_IXGRP != 0 : mode & S_IXOTH != 0
            if !enters { return false }
        }
        return true
    }
}
