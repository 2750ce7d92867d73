import Foundation
import LLMLogService
import Logging
import Testing

/// Settings come from the environment; `llmlog serve` flags override them; every setting has a flag and a README row.
@Suite struct ConfigurationTests {
    @Test func aFlagOverridesItsEnvironmentVariable() throws {
        let environment = ["PORT": "9000", "HOST": "0.0.0.0", "LLMLOG_LOG_FORMAT": "text", "LLMLOG_POOL_SIZE": "3",
                           "LLMLOG_RATE_LIMIT_PER_SECOND": "5", "LLMLOG_METRICS_TOKEN": "from-env"]
        let fromEnvironment = try ServiceConfiguration.resolve(environment: environment, overrides: [:])
        #expect(fromEnvironment.port == 9000 && fromEnvironment.host == "0.0.0.0" && fromEnvironment.poolSize == 3)
        #expect(fromEnvironment.logFormat == .text && fromEnvironment.metricsToken == "from-env")

        let flagged = try ServiceConfiguration.resolve(environment: environment, overrides: [
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

    @Test func everySettingHasAServeFlagAndAREADMERow() throws {
        #expect(FileManager.default.isExecutableFile(atPath: CLITests.binary.path), "build the llmlog product first (swift build)")
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["serve", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let help = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let readme = try String(contentsOf: CLITests.binary.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        #expect(ServiceConfiguration.settings.count >= 24)
        for setting in ServiceConfiguration.settings {
            #expect(help.contains(setting.flag + " ") || help.contains(setting.flag + ","), "llmlog serve has no \(setting.flag)")
            #expect(readme.contains("`\(setting.variable)`"), "README does not list \(setting.variable)")
            #expect(readme.contains("`\(setting.flag)`"), "README does not name \(setting.flag)")
        }
    }
}
