import ArgumentParser
import Foundation
import LLMLogService
import Logging

/// The `llmlog` command line.
@main
struct LLMLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmlog",
        abstract: "Records LLM conversations and messages in PostgreSQL and answers usage and cost analytics.",
        subcommands: [Serve.self, Migrate.self, TenantCommand.self, KeyCommand.self, TokenKeyCommand.self, OperatorKeyCommand.self, AnalystCommand.self]
    )
}

/// Options every command shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL, else the embedded cluster under ./.llmlog).")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Where the embedded cluster lives (default: $LLMLOG_DATA_DIR or .llmlog).")
    var dataDirectory: String?

    func configuration() throws -> ServiceConfiguration {
        var configuration = try ServiceConfiguration.fromEnvironment()
        if let databaseURL { configuration.databaseURL = databaseURL }
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        return configuration
    }

    /// The process's logger (logging is set up on first use; `LOG_LEVEL` sets the level, default `info`).
    func logger() -> Logger {
        LoggingBootstrap.once()
        return Logger(label: "llmlog")
    }
}

/// Logging is bootstrapped once per process.
enum LoggingBootstrap {
    static func once() { _ = bootstrapped }
    private static let bootstrapped: Void = {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (embedded PostgreSQL unless DATABASE_URL is set).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on (default: $HOST or 127.0.0.1).") var hostname: String?
    @Option(help: "Port to listen on (default: $PORT or 8080).") var port: Int?

    func run() async throws {
        var configuration = try database.configuration()
        if let hostname { configuration.host = hostname }
        if let port { configuration.port = port }
        try await LLMLogServer.run(configuration, logger: database.logger())
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await AdminSession.with(database) { session in
            let applied = try await Migrator(logger: session.logger).migrate(session.location.configuration)
            print(applied.isEmpty ? "migrations are current" : "applied: \(applied.joined(separator: ", "))")
        }
    }
}

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tenant", abstract: "Manage tenants.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant with an admin and an ingest key (shown once).")
        @Argument(help: "The tenant's unique name.") var name: String
        @Flag(help: "Print {\"tenantId\", \"adminKey\", \"ingestKey\"} as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                if try await session.tenants.tenantId(named: name) != nil {
                    throw ValidationError("a tenant named \"\(name)\" already exists")
                }
                let created = try await session.tenants.createTenant(name: name)
                if json {
                    print(String(decoding: try JSONEncoder().encode(created), as: UTF8.self))
                } else {
                    print("tenant:     \(created.tenantId)\nadmin key:  \(created.adminKey)\ningest key: \(created.ingestKey)")
                }
            }
        }
    }
}

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key", abstract: "Manage API keys.", subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key for a tenant (shown once).")
        @Option(help: "The tenant's id.") var tenant: String
        @Option(help: "ingest or admin.") var role: String
        @Option(help: "A label for the key.") var name: String?
        @Flag(help: "Print the key as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let tenantId = UUID(uuidString: tenant) else { throw ValidationError("--tenant must be a tenant id (UUID)") }
            guard let keyRole = KeyRole(rawValue: role) else { throw ValidationError("--role must be ingest or admin") }
            try await AdminSession.with(database) { session in
                guard let created = try await session.tenants.createKey(tenantId: tenantId, role: keyRole, name: name) else {
                    throw ValidationError("no tenant \(tenantId)")
                }
                if json {
                    print(String(decoding: try JSONEncoder().encode(created), as: UTF8.self))
                } else {
                    print("key id: \(created.keyId)\nrole:   \(created.role.rawValue)\nkey:    \(created.key)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key by its id.")
        @Argument(help: "The key's id.") var keyID: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let id = UUID(uuidString: keyID) else { throw ValidationError("KEY_ID must be a key id (UUID)") }
            try await AdminSession.with(database) { session in
                guard try await session.tenants.revokeKey(id: id) else { throw ValidationError("no active key \(id)") }
                print("revoked \(id)")
            }
        }
    }
}

extension AdminSession {
    static func with<R>(_ options: DatabaseOptions, _ body: (AdminSession) async throws -> R) async throws -> R {
        try await with(try options.configuration(), logger: options.logger(), body)
    }
}

struct TokenKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-key", abstract: "Manage the keys that sign user tokens.", subcommands: [Rotate.self, Retire.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new signing key; it signs new tokens once instances reload (within a minute). Old tokens stay valid until their key is retired.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                print("new signing key: \(try await TokenKeyRing.addKey(session.pool))")
            }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a signing key: tokens it signed stop working once instances reload.")
        @Argument(help: "The signing key's id.") var keyID: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                guard try await TokenKeyRing.retireKey(session.pool, id: keyID) else { throw ValidationError("no active signing key \(keyID)") }
                print("retired \(keyID)")
            }
        }
    }
}

struct OperatorKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator-key", abstract: "Manage operator keys (system-wide analytics, tenant creation).", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an operator key (shown once).")
        @Option(help: "A label for the key.") var name: String?
        @Flag(help: "Print {\"keyId\", \"key\"} as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                let created = try await session.tenants.createOperatorKey(name: name)
                if json {
                    print(String(decoding: try JSONEncoder().encode(created), as: UTF8.self))
                } else {
                    print("operator key id: \(created.keyId)\noperator key:    \(created.key)")
                }
            }
        }
    }
}
