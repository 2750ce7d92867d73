import Foundation
import Logging
import PGClient

/// Where the service's database is: `DATABASE_URL` when set, else the embedded cluster under `./.llmlog/pg`.
public struct DatabaseLocation: Sendable {
    /// How to connect.
    public let configuration: PGConnectionConfiguration
    /// A URL to show the user (password masked).
    public let displayURL: String
    /// The embedded cluster, when llmlog started one.
    public let embedded: PGLocalCluster?

    /// The role the service queries as: it owns nothing and has no BYPASSRLS (see 003_row_level_security.sql).
    public static let serviceRole = "llmlog_service"

    /// The service's connection options: `serviceRole` from the connection's start, so every query is subject to
    /// row-level security; and no JIT compilation — the service's statements are short, and on the 10M-message
    /// benchmark PostgreSQL spent ~40 ms JIT-compiling each search plan, more than the query itself took.
    public static let serviceOptions = "-c role=\(serviceRole) -c jit=off"

    /// How the service connects: the same credentials with `serviceOptions`. (This replaces any `options` given in
    /// the URL.)
    public var serviceConfiguration: PGConnectionConfiguration { Self.service(configuration) }

    /// `configuration` as the service connects with it (`serviceOptions`).
    public static func service(_ configuration: PGConnectionConfiguration) -> PGConnectionConfiguration {
        configuration.with("options", serviceOptions)
    }

    /// Resolves the database: `databaseURL` if given, else starts (or reuses) the embedded cluster in `directory`.
    public static func resolve(databaseURL: String?, directory: String = ".llmlog", logger: Logger) async throws -> DatabaseLocation {
        if let databaseURL, !databaseURL.isEmpty {
            let configuration = PGConnectionConfiguration(url: databaseURL)
            return DatabaseLocation(configuration: configuration, displayURL: configuration.description, embedded: nil)
        }
        let placement = EmbeddedDataPlacement.place(URL(fileURLWithPath: directory).appendingPathComponent("pg").path)
        if let notice = placement.notice {
            logger.notice("embedded database moved", metadata: ["reason": "\(notice)"])
            // On stderr: stdout carries the keys and the CLI's --json answers.
            FileHandle.standardError.write(Data(("note: " + notice + "\n").utf8))
            try FileManager.default.createDirectory(
                atPath: EmbeddedDataPlacement.fallbackRoot, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
        }
        let dataDirectory = placement.path
        let cluster = try await PGLocalCluster.start(dataDirectory: dataDirectory, logger: logger)
        return DatabaseLocation(configuration: cluster.configuration(), displayURL: cluster.url(), embedded: cluster)
    }
}
