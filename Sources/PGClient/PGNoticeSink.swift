import CLibPQ
import Logging
import Synchronization

/// Receives the server's notices and warnings (libpq's notice receiver) and logs them through swift-log
/// instead of libpq's default of printing to stderr.
final class PGNoticeSink: Sendable {
    let logger: Logger
    /// Set when the server sent a FATAL or PANIC while the connection was idle (e.g. pg_terminate_backend, shutdown):
    /// the server is closing this session even if its socket does not show the close yet.
    let fatalReceived = Atomic<Bool>(false)

    init(logger: Logger) { self.logger = logger }

    /// Installs the sink on a connection; the returned pointer is the retained sink, released by `release`.
    static func install(on connection: OpaquePointer, logger: Logger) -> Unmanaged<PGNoticeSink> {
        let sink = Unmanaged.passRetained(PGNoticeSink(logger: logger))
        PQsetNoticeReceiver(
            connection,
            { argument, result in
                guard let argument, let result else { return }
                let sink = Unmanaged<PGNoticeSink>.fromOpaque(argument).takeUnretainedValue()
                func field(_ code: Int32) -> String? {
                    PQresultErrorField(result, code).map { String(cString: $0) }
                }
                let severity = field(CLIBPQ_DIAG_SEVERITY_NONLOCALIZED) ?? "NOTICE"
                if severity == "FATAL" || severity == "PANIC" { sink.fatalReceived.store(true, ordering: .relaxed) }
                let level: Logger.Level =
                    switch severity {
                    case "WARNING": .warning
                    case "DEBUG": .debug
                    case "LOG", "INFO": .info
                    default: .notice
                    }
                sink.logger.log(
                    level: level, "postgres \(severity.lowercased()): \(field(CLIBPQ_DIAG_MESSAGE_PRIMARY) ?? "")",
                    metadata: [
                        "sqlstate": .string(field(CLIBPQ_DIAG_SQLSTATE) ?? "")
                    ])
            }, sink.toOpaque())
        return sink
    }
}
