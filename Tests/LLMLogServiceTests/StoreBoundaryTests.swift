import Foundation
import Testing

/// The store is the one home of SQL (issue #14): outside `Sources/LLMLogService/Store/` no service, analytics or CLI
/// source holds SQL text or writes an `llmlog.*` setting, and the `Analytics` module knows no database at all.
/// (`llmlog-bench` is exempt on purpose: it loads its datasets as the superuser and checks the rollups with SQL of
/// its own, an independent oracle that must not share the code it checks.)
@Suite struct StoreBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Swift files under `Sources/<folder>`, with their text minus comment lines.
    static func files(_ folder: String) throws -> [(path: String, code: String)] {
        let root = sources.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return try walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map { url in
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let code = lines.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            return (String(url.path.dropFirst(sources.path.count + 1)), code)
        }
    }

    static func containsSQL(_ code: String) -> Bool {
        code.contains(#/\b(SELECT|INSERT INTO|DELETE FROM|ON CONFLICT|RETURNING|UPDATE [a-z_]+ SET|set_config|current_setting)\b/#)
    }

    @Test func sqlTextLivesOnlyInTheStore() throws {
        var offenders: [String] = []
        for folder in ["LLMLogService", "Analytics", "llmlog"] {
            for file in try Self.files(folder) where !file.path.hasPrefix("LLMLogService/Store/") {
                if Self.containsSQL(file.code) { offenders.append(file.path) }
            }
        }
        #expect(offenders == [], "SQL outside Sources/LLMLogService/Store: \(offenders)")
    }

    @Test func theSettingsAreWrittenInOnePlace() throws {
        let writers = try Self.files("LLMLogService").filter { $0.code.contains("set_config(") }.map(\.path)
        #expect(writers == ["LLMLogService/Store/TenantScope.swift"])
    }

    @Test func analyticsKnowsNoDatabase() throws {
        let files = try Self.files("Analytics")
        #expect(!files.isEmpty)
        for file in files { #expect(!file.code.contains("import PGClient"), "\(file.path)") }
    }

    @Test func theCheckSeesSQLWhereThereIsSome() throws {
        // The pattern itself must find what it looks for, or the tests above prove nothing.
        let store = try Self.files("LLMLogService/Store")
        #expect(store.filter { Self.containsSQL($0.code) }.count >= 8)
    }
}
