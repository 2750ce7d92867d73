import Foundation
import LLMLogService
import Logging
import Testing

/// Settings come from the environment; `llmlog serve` flags override them; every setting has a flag and a README row.
@Suite struct ConfigurationTests {
    @Test func aFlagOverridesItsEnvironmentVariable() throws {
        let environment = [
            "PORT": "9000", "HOST": "0.0.0.0", "LLMLOG_LOG_FORMAT": "text", "LLMLOG_POOL_SIZE": "3",
            "LLMLOG_RATE_LIMIT_PER_SECOND": "5", "LLMLOG_METRICS_TOKEN": "from-env",
        ]
        let fromEnvironment = try ServiceConfiguration.resolve(environment: environment, overrides: [:])
        #expect(fromEnvironment.port == 9000 && fromEnvironment.host == "0.0.0.0" && fromEnvironment.poolSize == 3)
        #expect(fromEnvironment.logFormat == .text && fromEnvironment.metricsToken == "from-env")

        let flagged = try ServiceConfiguration.resolve(
            environment: environment,
            overrides: [
                "PORT": "9100", "LLMLOG_LOG_FORMAT": "json", "LLMLOG_LOG_LEVEL": "debug", "LLMLOG_RATE_LIMIT_BURST": "7",
                "LLMLOG_METRICS_TOKEN": "from-flag",
            ])
        #expect(flagged.port == 9100)
        #expect(flagged.logFormat == .json)
        #expect(flagged.logLevel == .debug)
        #expect(flagged.rateLimitBurst == 7)
        #expect(flagged.metricsToken == "from-flag")
        // What no flag overrides keeps the environment's value.
        #expect(flagged.host == "0.0.0.0" && flagged.poolSize == 3 && flagged.rateLimitPerSecond == 5)
    }

    @Test func defaultsAndBadValues() throws {
        let defaults = try ServiceConfiguration.fromEnvironment([:])
        #expect(defaults.logFormat == .text && defaults.logLevel == .info && defaults.metricsToken == nil)
        #expect(try ServiceConfiguration.fromEnvironment(["LOG_LEVEL": "warning"]).logLevel == .warning)
        #expect(try ServiceConfiguration.fromEnvironment(["LOG_LEVEL": "warning", "LLMLOG_LOG_LEVEL": "error"]).logLevel == .error)
        for (name, value) in [("LLMLOG_LOG_FORMAT", "xml"), ("LLMLOG_LOG_LEVEL", "loud"), ("LLMLOG_RATE_LIMIT_BURST", "-1")] {
            let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.resolve(environment: [:], overrides: [name: value]) }
            #expect(error?.message.contains(name) == true)
        }
    }

    @Test func aReadReplicaIsOptional() throws {
        let defaults = try ServiceConfiguration.fromEnvironment([:])
        #expect(defaults.readDatabaseURL == nil && defaults.readReplicaRetry == .seconds(5))
        let url = "postgresql://llmlog@replica:5432/llmlog"
        let set = try ServiceConfiguration.resolve(
            environment: ["LLMLOG_READ_DATABASE_URL": "postgresql://elsewhere/llmlog", "LLMLOG_READ_REPLICA_RETRY_MS": "250"],
            overrides: ["LLMLOG_READ_DATABASE_URL": url])
        #expect(set.readDatabaseURL == url && set.readReplicaRetry == .milliseconds(250))
        #expect(try ServiceConfiguration.fromEnvironment(["LLMLOG_READ_DATABASE_URL": ""]).readDatabaseURL == nil)
        // The replica's pool needs descriptors too.
        #expect(set.reservedFileDescriptors == defaults.reservedFileDescriptors + set.poolSize)
    }

    @Test func connectionWallsAndTheirDefaults() throws {
        let defaults = try ServiceConfiguration.fromEnvironment([:])
        #expect(defaults.requestHeadTimeout == .seconds(10) && defaults.requestBodyTimeout == .seconds(30) && defaults.idleTimeout == .seconds(60))
        #expect(defaults.maxConnections == nil)
        #expect(defaults.authFailureLimitPerSecond == 10 && defaults.authFailureBurst == 100)
        let limiter = try #require(defaults.makeAuthFailureLimiter())
        #expect(limiter.ratePerSecond == 10 && limiter.burst == 100)
        // The cap: the open-file limit less what the database connections and the rest need, at most 10 000.
        #expect(defaults.reservedFileDescriptors == 16 + 4 + 64)
        #expect(defaults.httpServerLimits(openFileLimit: 1024).maxConnections == 1024 - 84)
        #expect(defaults.httpServerLimits(openFileLimit: 1_048_576).maxConnections == HTTPServerLimits.defaultMaxConnections)
        #expect(defaults.httpServerLimits(openFileLimit: 50).maxConnections == 1)

        let set = try ServiceConfiguration.fromEnvironment([
            "LLMLOG_REQUEST_HEAD_TIMEOUT_MS": "1500", "LLMLOG_REQUEST_BODY_TIMEOUT_MS": "0", "LLMLOG_IDLE_TIMEOUT_MS": "2500",
            "LLMLOG_MAX_CONNECTIONS": "300", "LLMLOG_AUTH_FAILURE_LIMIT_PER_SECOND": "0", "LLMLOG_AUTH_FAILURE_BURST": "7",
        ])
        let limits = set.httpServerLimits(openFileLimit: 1024)
        #expect(limits == HTTPServerLimits(headTimeout: .milliseconds(1500), bodyTimeout: nil, idleTimeout: .milliseconds(2500), maxConnections: 300))
        #expect(set.makeAuthFailureLimiter() == nil && set.authFailureBurst == 7)
        // A cap above what the open-file limit allows is lowered to it; 0 means the default.
        #expect(set.httpServerLimits(openFileLimit: 200).maxConnections == 200 - 84)
        #expect(try ServiceConfiguration.fromEnvironment(["LLMLOG_MAX_CONNECTIONS": "0"]).maxConnections == nil)
        let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.fromEnvironment(["LLMLOG_IDLE_TIMEOUT_MS": "soon"]) }
        #expect(error?.message.contains("LLMLOG_IDLE_TIMEOUT_MS") == true)
    }

    @Test func everySettingHasAServeFlagAndAREADMERow() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: CLITests.binary.path), "build the llmlog product first (swift build)")
        let help = try await CLITests().run(["serve", "--help"]).output
        let readme = try String(
            contentsOf: CLITests.binary.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        #expect(ServiceConfiguration.settings.count >= 24)
        for setting in ServiceConfiguration.settings {
            #expect(help.contains(setting.flag + " ") || help.contains(setting.flag + ","), "llmlog serve has no \(setting.flag)")
            #expect(readme.contains("`\(setting.variable)`"), "README does not list \(setting.variable)")
            #expect(readme.contains("`\(setting.flag)`"), "README does not name \(setting.flag)")
        }
    }
}
