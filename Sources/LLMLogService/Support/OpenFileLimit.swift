#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`): every HTTP connection and database connection holds one.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard limit where the system allows (on Darwin at most `OPEN_MAX`), and returns
    /// the soft limit before and after (equal when it could not be raised); nil when the limit cannot be read.
    public static func raiseToHardLimit() -> (before: Int, after: Int)? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let before = limit.rlim_cur
        var target = limit.rlim_max
        #if canImport(Darwin)
        target = min(target, rlim_t(OPEN_MAX))  // setrlimit refuses more (and RLIM_INFINITY) for open files
        #endif
        guard target > before else { return (Int(clamping: before), Int(clamping: before)) }
        limit.rlim_cur = target
        guard setrlimit(resource, &limit) == 0 else { return (Int(clamping: before), Int(clamping: before)) }
        return (Int(clamping: before), Int(clamping: target))
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
