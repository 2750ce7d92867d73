import Foundation
import LLMLogService
import Logging
import PGClient
import Synchronization
import Testing

/// The hostile-tenant attacks against `llmlog serve` as a child process, measured as an operator would: the
/// process's peak memory (VmHWM) under the retry-amplification attack, and another tenant's latency while one
/// tenant floods ingest.
@Suite(.serialized) struct HostileTenantProcessTests {
    struct Running: Sendable {
        let cluster: PGLocalCluster
        let service: ServiceProcess
        let http: LoadClient
        let owner: PGPool
    }

    static func start(_ environment: [String: String], connections: Int = 16) async throws -> Running {
        let cluster = try await PGLocalCluster.startTemporary()
        try await Migrator(logger: Logger(label: "hostile")).migrate(cluster.configuration())
        let owner = PGPool(configuration: cluster.configuration(), options: .init(maxConnections: 2))
        let port = try PGLocalCluster.freeLoopbackPort()
        let logPath = NSTemporaryDirectory() + "llmlog-hostile-\(UUID().uuidString.prefix(8)).log"
        let service = try ServiceProcess(databaseURL: cluster.url(), port: port, environment: environment, logPath: logPath)
        try await service.waitUntilReady(HTTPProbe(port: port))
        let http = LoadClient(port: port, connections: connections)
        return Running(cluster: cluster, service: service, http: http, owner: owner)
    }

    static func stop(_ running: Running) async {
        running.service.signal(SIGTERM)
        _ = await running.service.waitForExit(timeout: .seconds(20))
        await running.owner.close()
        await running.http.shutdown()
        running.cluster.stop()
    }

    /// The process's peak resident memory so far, in MB (Linux: VmHWM of /proc/PID/status).
    static func peakMegabytes(_ service: ServiceProcess) throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(service.process.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let kilobytes = try #require(Double(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? ""))
        return kilobytes / 1024
    }

    static func post(_ running: Running, _ path: String, _ json: String, key: String) async -> HTTPProbe.Answer {
        await running.http.send("POST", path, body: json, key: key)
    }

    /// One stored 1 MB message per writer lane, then 1,000-event batches that all name it, on every lane at once,
    /// three times over. Before, each event fetched the stored row, content included (~950 MB for one batch).
    @Test func retryAmplificationKeepsPeakMemoryLow() async throws {
        let running = try await Self.start(["LLMLOG_RATE_LIMIT_PER_SECOND": "0"])
        let tenant = try await TenantStore(pool: running.owner).createTenant(name: "attacker")
        var conversations: [Int: UUID] = [:]
        while conversations.count < 4 {
            let id = UUID()
            let lane = IngestWriter.lane(ofConversation: id, lanes: 4)
            guard conversations[lane] == nil else { continue }
            let created = await Self.post(
                running, "/v1/conversations", #"{"id": "\#(id)", "type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#, key: tenant.ingestKey)
            #expect(created.status == 201)
            conversations[lane] = id
        }
        var stored: [UUID: UUID] = [:]
        let content = String(repeating: "x", count: 1_000_000)
        for conversation in conversations.values {
            let message = UUID()
            let answer = await Self.post(
                running, "/v1/conversations/\(conversation)/messages",
                #"{"id": "\#(message)", "role": "USER", "content": "\#(content)"}"#, key: tenant.ingestKey)
            #expect(answer.status == 201)
            stored[conversation] = message
        }
        let before = try Self.peakMegabytes(running.service)
        for _ in 0..<3 {
            await withTaskGroup(of: Void.self) { group in
                for (conversation, message) in stored {
                    let events = (0..<1000).map { index in
                        #"{"id": "e\#(index)", "type": "message.create", "body": {"id": "\#(message)", "conversationId": "\#(conversation)", "role": "USER", "content": "x"}}"#
                    }
                    let body = #"{"events": [\#(events.joined(separator: ","))]}"#
                    group.addTask {
                        let answer = await Self.post(running, "/v1/batch", body, key: tenant.ingestKey)
                        #expect(answer.status == 207)
                        let results = (try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["results"] as? [[String: Any]]
                        #expect(results?.count == 1000 && results?.allSatisfy { $0["status"] as? Int == 409 } == true)
                    }
                }
            }
        }
        let after = try Self.peakMegabytes(running.service)
        print("AMPLIFICATION peak_rss_mb_before=\(Int(before)) peak_rss_mb_after=\(Int(after)) batches=12 events_per_batch=1000")
        #expect(after < 200, "peak memory \(after) MB under the amplification attack")
        #expect(await running.http.send("GET", "/healthz").status == 200)
        await Self.stop(running)
    }

    /// What the clients of the flood test saw.
    final class Tally: Sendable {
        struct Counts {
            var floodStatuses: [Int: Int] = [:]
            var quietLatencies: [Double] = []
            var quietStatuses: [Int: Int] = [:]
        }
        let state = Mutex(Counts())
    }

    /// Tenant A floods batched ingest with more writes than its share of the queue; tenant B's single-message
    /// writes meanwhile all succeed, with p95 under 2 s.
    @Test func aFloodingTenantLeavesOthersTheirLatency() async throws {
        let running = try await Self.start(["LLMLOG_RATE_LIMIT_PER_SECOND": "0", "LLMLOG_QUEUE_CAPACITY": "4000"], connections: 16)
        let tenants = TenantStore(pool: running.owner)
        let flooder = try await tenants.createTenant(name: "flooder"), quiet = try await tenants.createTenant(name: "quiet")
        func conversation(_ key: String) async throws -> String {
            let answer = await Self.post(running, "/v1/conversations", #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#, key: key)
            return try #require((try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["id"] as? String)
        }
        let floodConversations = try await (0..<8).asyncMap { _ in try await conversation(flooder.ingestKey) }
        let quietConversations = try await (0..<4).asyncMap { _ in try await conversation(quiet.ingestKey) }
        let tally = Tally()
        let deadline = ContinuousClock.now + .seconds(8)
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<8 {
                let events = (0..<500).map { index in
                    #"{"id": "f\#(index)", "type": "message.create", "body": {"conversationId": "\#(floodConversations[(client + index) % 8])", "role": "USER", "content": "flood", "inputTokens": 10}}"#
                }
                let body = #"{"events": [\#(events.joined(separator: ","))]}"#
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let status = await Self.post(running, "/v1/batch", body, key: flooder.ingestKey).status ?? 0
                        tally.state.withLock { $0.floodStatuses[status, default: 0] += 1 }
                        if status != 207 { try? await Task.sleep(for: .milliseconds(20)) }
                    }
                }
            }
            for client in 0..<4 {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let answer = await Self.post(
                            running, "/v1/conversations/\(quietConversations[client])/messages",
                            #"{"role": "USER", "content": "quiet", "inputTokens": 3}"#, key: quiet.ingestKey)
                        let milliseconds = Double(answer.elapsed.components.attoseconds) / 1e15 + Double(answer.elapsed.components.seconds) * 1000
                        tally.state.withLock {
                            $0.quietStatuses[answer.status ?? 0, default: 0] += 1
                            $0.quietLatencies.append(milliseconds)
                        }
                    }
                }
            }
        }
        let result = tally.state.withLock { $0 }
        let latencies = result.quietLatencies.sorted()
        let p50 = latencies[latencies.count / 2], p95 = latencies[min(latencies.count - 1, latencies.count * 95 / 100)]
        print(
            "FLOOD flood_statuses=\(result.floodStatuses) quiet_statuses=\(result.quietStatuses) quiet_p50_ms=\(Int(p50)) quiet_p95_ms=\(Int(p95)) quiet_requests=\(latencies.count)"
        )
        #expect(result.quietStatuses.keys.sorted() == [201], "the quiet tenant's writes: \(result.quietStatuses)")
        #expect(latencies.count >= 20)
        #expect(p95 < 2000, "quiet tenant p95 \(p95) ms")
        #expect((result.floodStatuses[207] ?? 0) > 0)
        await Self.stop(running)
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
