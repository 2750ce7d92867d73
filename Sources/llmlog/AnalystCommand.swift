import ArgumentParser
import Foundation
import LLMLogService

/// `llmlog analyst create --tenant ID NAME | --all NAME` and `llmlog analyst drop NAME`.
struct AnalystCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyst", abstract: "Manage SQL analyst roles (read-only access to the analyst views).",
        subcommands: [Create.self, Drop.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a PostgreSQL login role that can query the analyst views of one tenant (or all); the password is shown once.")
        @Option(help: "The tenant whose rows the analyst sees.") var tenant: String?
        @Flag(help: "An operator analyst: sees every tenant.") var all = false
        @Flag(help: "Print {\"name\", \"password\", \"tenantId\"} as JSON.") var json = false
        @Argument(help: "The role name (a-z, 0-9, _).") var name: String
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard (tenant != nil) != all else { throw ValidationError("give exactly one of --tenant ID and --all") }
            if let tenant, UUID(uuidString: tenant) == nil { throw ValidationError("--tenant must be a tenant id (UUID)") }
            guard AnalystRoles.isValidName(name) else {
                throw ValidationError("NAME must be 1–63 of a-z, 0-9 and _, start with a letter, and not start with pg_ or llmlog_")
            }
        }

        func run() async throws {
            try await AdminSession.with(database) { session in
                let created = try await AnalystRoles(pool: session.pool).create(name: name, tenantId: tenant.flatMap(UUID.init(uuidString:)))
                if json {
                    print(String(decoding: try JSONEncoder().encode(created), as: UTF8.self))
                } else {
                    print(
                        "analyst role: \(created.name)\npassword:     \(created.password)\nsees:         \(created.tenantId.map { "tenant \($0.uuidString.lowercased())" } ?? "every tenant")"
                    )
                }
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop an analyst role.")
        @Argument(help: "The role name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                guard try await AnalystRoles(pool: session.pool).drop(name: name) else { throw ValidationError("no analyst named \(name)") }
                print("dropped analyst \(name)")
            }
        }
    }
}
