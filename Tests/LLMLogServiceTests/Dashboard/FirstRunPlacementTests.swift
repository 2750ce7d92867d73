import Foundation
import Testing

@testable import LLMLogService

/// First run as root under a 0700 directory: the embedded cluster's directory is moved where `postgres` can reach it.
@Suite struct FirstRunPlacementTests {
    @Test func closedParentsAreNotReachable() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("placement-\(UUID().uuidString)")
        let inner = base.appendingPathComponent("clone/.llmlog/pg")
        try FileManager.default.createDirectory(at: base.appendingPathComponent("clone"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let nobody: uid_t = 65_534, nogroup: gid_t = 65_534
        chmod(base.path, 0o755)
        #expect(EmbeddedDataPlacement.reachable(inner.path, uid: nobody, gid: nogroup))
        chmod(base.path, 0o700)
        #expect(!EmbeddedDataPlacement.reachable(inner.path, uid: nobody, gid: nogroup))
        if geteuid() == 0, getpwnam("postgres") != nil {
            let placed = EmbeddedDataPlacement.place(inner.path)
            #expect(placed.path.hasPrefix(EmbeddedDataPlacement.fallbackRoot + "/") && placed.notice != nil)
            chmod(base.path, 0o755)
            #expect(EmbeddedDataPlacement.place(inner.path).path == inner.path)
        }
    }
}
