import Foundation
import LLMLogService
import Logging
import PGClient
import Synchronization
import Testing

/// Faults under a 64-client ingest against `llmlog serve` as a child process: PostgreSQL crashed (SIGKILL to the
/// postmaster and its children) five times, the service's backends terminated mid-flush, the service SIGKILLed,
/// then SIGTERMed. Clients retry with the same ids. Afterwards every acknowledged message is stored exactly once,
/// nothing is duplicated, totals and rollups equal the raw rows, and no request got a 5xx other than 503.
/// `LLMLOG_FAULTS=full` runs longer load phases; the default (short) mode keeps CI quick.
@Suite(.serialized) struct FaultInjectionTests {
    static let full = ProcessInfo.processInfo.environment["LLMLOG_FAULTS"] == "full"
    static let clients = 64

    /// What the clients saw.
    final class Ledger: Sendable {
        struct State {
            var attempted: [UUID: String] = [:]
            var acknowledged: [UUID: String] = [:]
            var statuses: [Int: Int] = [:]
            var transportErrors = 0
            var requests = 0
            var slowest503: Duration = .zero
            var unavailableWithoutRetryAfter = 0
        }
        let state = Mutex(State())

        func record(_ answer: HTTPProbe.Answer) {
            state.withLock { state in
                state.requests += 1
                guard let status = answer.status else {
                    state.transportErrors += 1
                    return
                }
                state.statuses[status, default: 0] += 1
                if status == 503 {
                    state.slowest503 = max(state.slowest503, answer.elapsed)
                    if answer.retryAfter == nil { state.unavailableWithoutRetryAfter += 1 }
                }
            }
        }
    }

    /// Tells the clients to finish.
    final class StopFlag: Sendable {
        private let flag = Atomic(false)
        var isSet: Bool { flag.load(ordering: .relaxed) }
        func set() { flag.store(true, ordering: .relaxed) }
    }

    /// Sends `request` until it gets a 2xx, or `stop` and the deadline pass; true when acknowledged.
    static func untilAcknowledged(_ client: HTTPProbe, _ request: HTTPProbe.Request, ledger: Ledger, stop: StopFlag) async -> Bool {
        let giveUp = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < giveUp {
            let answer = await client.send(request)
            ledger.record(answer)
            if let status = answer.status, (200..<300).contains(status) { return true }
            if let status = answer.status, (400..<500).contains(status) { return false }  // never retried: a bug, counted
            if stop.isSet && answer.status == nil && ContinuousClock.now > giveUp - .seconds(50) { return false }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 50...250)))
        }
        return false
    }

    /// One client: a conversation, then messages with client-made ids, each retried until acknowledged.
    static func client(_ index: Int, _ client: HTTPProbe, key: String, ledger: Ledger, stop: StopFlag) async {
        let conversation = UUID()
        let create = #"{"id": "\#(conversation)", "type": "CHAT", "provider": "openai", "model": "gpt-4o-mini", "userId": "u\#(index % 7)"}"#
        guard
            await untilAcknowledged(
                client, .init(method: "POST", path: "/v1/conversations", body: Data(create.utf8), key: key),
                ledger: ledger, stop: stop)
        else { return }
        var sequence = 0
        while !stop.isSet {
            let id = UUID()
            let content = "client \(index) message \(sequence)"
            let body =
                #"{"id": "\#(id)", "role": "ASSISTANT", "content": "\#(content)", "inputTokens": \#(sequence + 1), "outputTokens": 7, "processingTime": \#(sequence % 500)}"#
            ledger.state.withLock { $0.attempted[id] = content }
            if await untilAcknowledged(
                client, .init(method: "POST", path: "/v1/conversations/\(conversation)/messages", body: Data(body.utf8), key: key),
                ledger: ledger, stop: stop)
            {
                ledger.state.withLock { $0.acknowledged[id] = content }
            }
            sequence += 1
        }
    }

    @Test func acknowledgedWritesSurviveCrashesKillsAndTerminations() async throws {
        let cluster = try await PGLocalCluster.startTemporary()
        defer { cluster.stop() }
        let databaseURL = cluster.url()
        let logger = Logger(label: "faults")
        try await Migrator(logger: logger).migrate(cluster.configuration())
        let owner = PGPool(configuration: cluster.configuration(), options: .init(maxConnections: 2))
        let tenant = try await TenantStore(pool: owner).createTenant(name: "faults")
        let port = try PGLocalCluster.freeLoopbackPort()
        let logPath = NSTemporaryDirectory() + "llmlog-faults-\(UUID().uuidString.prefix(8)).log"
        let environment = [
            "LLMLOG_RATE_LIMIT_PER_SECOND": "0", "LLMLOG_RETRY_WINDOW_MS": "2000", "LLMLOG_POOL_TIMEOUT_MS": "1000", "LLMLOG_POOL_SIZE": "8",
        ]
        var service = try ServiceProcess(databaseURL: databaseURL, port: port, environment: environment, logPath: logPath)
        let http = HTTPProbe(port: port, connections: Self.clients + 4)
        try await service.waitUntilReady(http)

        let ledger = Ledger()
        let stop = StopFlag()
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<Self.clients {
                    group.addTask { await Self.client(index, http, key: tenant.ingestKey, ledger: ledger, stop: stop) }
                }
            }
        }
        let phase: Duration = Self.full ? .seconds(6) : .milliseconds(1500)
        var faults: [String] = []
        var recoveries: [Duration] = []
        let probeConversation = UUID()
        #expect(
            await Self.untilAcknowledged(
                http,
                .init(
                    method: "POST", path: "/v1/conversations",
                    body: Data(
                        #"{"id": "\#(probeConversation)", "type": "PROBE", "provider": "openai", "model": "gpt-4o-mini"}"#.utf8),
                    key: tenant.ingestKey),
                ledger: ledger, stop: stop))
        try await Task.sleep(for: phase)

        // 1. PostgreSQL crashes five times; the service recovers by itself within 5 s of the database being back.
        for crash in 1...5 {
            try await cluster.crash()
            faults.append("postgres SIGKILL #\(crash)")
            try await Task.sleep(for: .milliseconds(Self.full ? 3000 : 1000))
            try await cluster.startAgain()
            let back = ContinuousClock.now
            while ContinuousClock.now - back < .seconds(30) {
                let answer = await http.send(
                    .init(
                        method: "POST", path: "/v1/conversations/\(probeConversation)/messages",
                        body: Data(#"{"role": "USER", "content": "probe"}"#.utf8), key: tenant.ingestKey))
                if answer.status == 201 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            recoveries.append(ContinuousClock.now - back)
            try await Task.sleep(for: phase)
        }

        // 2. The service's backends terminated again and again while it flushes.
        let killer = try await PGConnection.connect(cluster.configuration())
        let terminateUntil = ContinuousClock.now + phase * 2
        var terminated = 0
        while ContinuousClock.now < terminateUntil {
            terminated += try await killer.query(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND datname = current_database()
                """)[0].decode(Int.self, column: 0)
            try await Task.sleep(for: .milliseconds(100))
        }
        await killer.close()
        faults.append("pg_terminate_backend of \(terminated) service backends")
        try await Task.sleep(for: phase)

        // 3. The service SIGKILLed under load, then started again.
        service.signal(SIGKILL)
        #expect(await service.waitForExit(timeout: .seconds(5)) != nil)
        faults.append("service SIGKILL")
        service = try ServiceProcess(databaseURL: databaseURL, port: port, environment: environment, logPath: logPath)
        try await service.waitUntilReady(http)
        try await Task.sleep(for: phase)

        // 4. SIGTERM under load: stops accepting, finishes what it accepted, exits 0 within 10 s.
        let term = ContinuousClock.now
        service.signal(SIGTERM)
        let status = await service.waitForExit(timeout: .seconds(10))
        let termDuration = ContinuousClock.now - term
        #expect(status == 0, "SIGTERM exit status \(String(describing: status)) after \(termDuration)")
        faults.append("service SIGTERM")
        service = try ServiceProcess(databaseURL: databaseURL, port: port, environment: environment, logPath: logPath)
        try await service.waitUntilReady(http)
        try await Task.sleep(for: phase)

        stop.set()
        await load.value
        service.signal(SIGTERM)
        _ = await service.waitForExit(timeout: .seconds(10))

        // The ledger against the database.
        let seen = ledger.state.withLock { $0 }
        let stored = try await owner.query(
            """
            SELECT id, content FROM llm_messages WHERE tenant_id = \(tenant.tenantId) AND content <> 'probe'
            """
        ).map { try $0.decode((UUID, String).self) }
        let storedIds = Dictionary(stored.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        let lost = seen.acknowledged.keys.filter { storedIds[$0] == nil }.count
        let unknown = storedIds.keys.filter { seen.attempted[$0] == nil }.count
        let contents = Dictionary(grouping: stored, by: \.1)
        let duplicated = contents.values.filter { $0.count > 1 }.count
        let serverErrors = seen.statuses.filter { $0.key >= 500 && $0.key != 503 }.values.reduce(0, +)
        let clientErrors = seen.statuses.filter { (400..<500).contains($0.key) }.values.reduce(0, +)
        let rollups = try await StoreConsistency.rollupMismatches(owner)
        let totals = try await StoreConsistency.totalMismatches(owner)
        let tenantLevel = try await StoreConsistency.tenantRollupMismatches(owner)
        await owner.close()

        let figures: [String: Any] = [
            "faults": faults, "requests": seen.requests, "messagesAttempted": seen.attempted.count,
            "acknowledged": seen.acknowledged.count, "stored": stored.count, "lost": lost, "duplicated": duplicated,
            "storedNeverSent": unknown, "status5xxOther": serverErrors, "status503": seen.statuses[503] ?? 0,
            "status4xx": clientErrors, "transportErrors": seen.transportErrors,
            "slowest503Ms": Int(seen.slowest503.components.seconds * 1000 + seen.slowest503.components.attoseconds / 1_000_000_000_000_000),
            "recoveryMs": recoveries.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) },
            "sigtermExitMs": Int(termDuration.components.seconds * 1000 + termDuration.components.attoseconds / 1_000_000_000_000_000),
        ]
        print("FAULTS " + String(decoding: try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]), as: UTF8.self))
        #expect(seen.acknowledged.count > Self.clients * 5)
        #expect(lost == 0)
        #expect(duplicated == 0 && stored.count == storedIds.count)
        #expect(unknown == 0)
        #expect(serverErrors == 0)
        #expect(clientErrors == 0)
        #expect(seen.unavailableWithoutRetryAfter == 0)
        #expect(seen.slowest503 < .seconds(10))
        #expect(recoveries.allSatisfy { $0 < .seconds(5) }, "\(recoveries)")
        #expect(rollups.rawNotRolled == 0 && rollups.rolledNotRaw == 0)
        #expect(totals.conversations == 0 && totals.rollupConversations == 0)
        #expect(tenantLevel.missing == 0 && tenantLevel.extra == 0)
    }
}
