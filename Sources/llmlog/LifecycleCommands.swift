import ArgumentParser
import Foundation
import LLMLogService

/// `llmlog tenant settings ID [--content-retention-days N|none] [--retention-days N|none] [--store-content true|false]`:
/// shows, or changes and shows, a tenant's data-lifecycle settings (as `GET/PATCH /v1/tenant/settings`), as JSON.
struct TenantSettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Show or change a tenant's retention and content settings (printed as JSON).")
    @Argument(help: "The tenant's id.") var tenantId: String
    @Option(help: "Clear message content, conversation titles and metadata after N days (`none`: keep).") var contentRetentionDays: String?
    @Option(help: "Remove messages and conversations after N days (`none`: keep); rollups stay.") var retentionDays: String?
    @Option(help: "false: never store message content (stored as an empty string).") var storeContent: Bool?
    @OptionGroup var database: DatabaseOptions

    /// `none` → remove the setting; a number → that many days; absent → unchanged.
    static func days(_ text: String?, _ name: String) throws -> Int?? {
        guard let text else { return nil }
        if text == "none" { return .some(nil) }
        guard let days = Int(text) else { throw ValidationError("--\(name) takes a number of days or none") }
        return .some(days)
    }

    func run() async throws {
        guard let id = UUID(uuidString: tenantId) else { throw ValidationError("\(tenantId) is not a tenant id") }
        let patch = TenantSettingsPatch(
            contentRetentionDays: try Self.days(contentRetentionDays, "content-retention-days"),
            retentionDays: try Self.days(retentionDays, "retention-days"), storeContent: storeContent)
        try await AdminSession.with(database) { session in
            let settings: TenantSettings?
            do {
                settings = try await session.tenants.updateSettings(tenantId: id, patch)
            } catch let error as APIError {
                throw ValidationError("\(error.field ?? "settings"): \(error.message)")
            }
            guard let settings else { throw ValidationError("no tenant \(id)") }
            print(String(decoding: try JSONEncoder().encode(settings), as: UTF8.self))
        }
    }
}

/// `llmlog retention run [--json]`: one retention pass now (unless an instance is running one).
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retention", abstract: "Data retention.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one retention pass now and print what it cleared and removed.")
        @Flag(help: "Print the report as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await AdminSession.with(database) { session in
                let report = try await Retention(pool: session.pool, logger: session.logger).runOnce()
                if json {
                    print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
                    return
                }
                guard report.ran else {
                    print("another instance is running a retention pass; nothing done")
                    return
                }
                for tenant in report.tenants {
                    print(
                        "tenant \(tenant.tenantId): \(tenant.messagesCleared) messages and \(tenant.conversationsCleared) conversations cleared, "
                            + "\(tenant.messagesRemoved) messages and \(tenant.conversationsRemoved) conversations removed")
                }
                print("\(report.tenants.count) tenants with retention settings; \(report.erasuresFinished) unfinished erasures finished")
            }
        }
    }
}

/// `llmlog user erase TENANT_ID USER_ID`: as `DELETE /v1/users/{userId}`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "End users' data.", subcommands: [Erase.self])

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase every conversation and message of one user of a tenant; the user's figures move to the anonymous bucket.")
        @Argument(help: "The tenant's id.") var tenantId: String
        @Argument(help: "The user's id, as the apps logged it.") var userId: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let id = UUID(uuidString: tenantId) else { throw ValidationError("\(tenantId) is not a tenant id") }
            try await AdminSession.with(database) { session in
                let result = try await UserErasure(pool: session.pool).erase(tenantId: id, userId: userId)
                print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            }
        }
    }
}
