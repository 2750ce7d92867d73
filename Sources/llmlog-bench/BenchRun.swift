import Foundation
import LLMLogService
import Logging
import PGClient

/// One benchmark run: a temporary cluster, PostgreSQL's ceilings, the HTTP ceiling, `llmlog serve` under load,
/// the rollup check and the analytics figures.
struct BenchRun {
    let options: BenchOptions

    /// Server settings for the benchmark cluster. Durability stays as in production (fsync, synchronous_commit and
    /// full_page_writes on) for the ceilings and the service alike; memory and checkpoints are sized for bulk writes.
    /// The service's writer lanes (its default); the rollups built by SQL spread over them as the writer's do.
    static let writerLanes = 4

    static let clusterSettings = [
        "max_connections": "200", "shared_buffers": "2GB", "work_mem": "32MB", "maintenance_work_mem": "512MB",
        "max_wal_size": "8GB", "checkpoint_timeout": "30min", "wal_compression": "on",
    ]

    func run() async throws -> Report {
        var report = Report()
        var logger = Logger(label: "llmlog-bench")
        logger.logLevel = .warning
        let binaries = try Self.binaries(options)
        let directory = NSTemporaryDirectory() + "llmlog-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        report.notes["cluster_settings"] =
            Self.clusterSettings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            + " (fsync, synchronous_commit, full_page_writes: on)"
        report.notes["mode"] = options.smoke ? "smoke" : "full"
        var settings = Self.clusterSettings
        if let milliseconds = options.explainSlowerThan {
            settings.merge([
                "shared_preload_libraries": "auto_explain", "auto_explain.log_min_duration": String(milliseconds),
                "auto_explain.log_analyze": "on", "auto_explain.log_buffers": "on",
            ]) { $1 }
        }
        let cluster = try await PGLocalCluster.startTemporary(settings: settings, logger: logger)
        defer {
            if options.explainSlowerThan != nil {
                let kept = NSTemporaryDirectory() + "llmlog-bench-postgres-\(UUID().uuidString.prefix(8)).log"
                try? FileManager.default.copyItem(atPath: cluster.dataDirectory + "/server.log", toPath: kept)
                step("PostgreSQL's log with the slow plans: \(kept)")
            }
            cluster.stop()
        }
        let bootstrap = PGPool(configuration: cluster.configuration(), options: .init(maxConnections: 1), logger: logger)
        try await bootstrap.query("CREATE DATABASE llmlog")
        await bootstrap.close()
        let database = cluster.configuration(database: "llmlog")
        _ = try await Migrator(logger: logger).migrate(database)
        let owner = PGPool(configuration: database, options: .init(maxConnections: 2), logger: logger)
        defer { Task { await owner.close() } }
        let store = TenantStore(pool: owner)
        let ingestTenant = try await store.createTenant(name: "bench-ingest")
        let seconds = options.loadSeconds

        step("ceilings: COPY \(options.copyRows) rows, pgbench 1000-row INSERTs (4 clients), one INSERT per row (64 clients)")
        let ceilings = Ceilings(cluster: cluster, database: "llmlog", pool: owner, tenant: ingestTenant.tenantId, directory: directory)
        try await ceilings.prepare()
        report["copy_rows_per_s"] = try await ceilings.copy(rows: options.copyRows)
        report["pgbench_insert1000_rows_per_s"] = try await ceilings.pgbench(rowsPerStatement: 1000, clients: 4, seconds: seconds)
        report["pgbench_insert1_rows_per_s"] = try await ceilings.pgbench(rowsPerStatement: 1, clients: 64, seconds: seconds)
        try await owner.query("DROP TABLE bench_messages")
        try await owner.query("CHECKPOINT")

        let http = BenchHTTP.make()
        defer { Task { await http.shutdown() } }
        let conversations = (0..<(options.smoke ? 100 : 1000)).map { _ in UUID() }

        step("HTTP ceiling: echo route, wrk -t2 -c64")
        let echoPort = try PGLocalCluster.freeLoopbackPort()
        let echo = try ChildProcess(
            name: "echo server", executable: binaries.bench, arguments: ["echo-server", "--port", String(echoPort)],
            environment: [:], logPath: directory + "/echo.log")
        try await echo.waitUntilReady(http, port: echoPort)
        let echoScript = try Tools.write(LuaScripts.singleMessage(conversations: conversations, key: nil), named: "echo.lua", in: directory)
        let echoRun = try await WrkResult.run(script: echoScript, url: "http://127.0.0.1:\(echoPort)", threads: 2, connections: 64, seconds: seconds)
        try Self.check(echoRun, "echo")
        report["http_ceiling_requests_per_s"] = echoRun.requestsPerSecond
        await echo.stop()

        step("llmlog serve")
        let port = try PGLocalCluster.freeLoopbackPort()
        let service = try ChildProcess(
            name: "llmlog serve", executable: binaries.llmlog,
            arguments: ["serve", "--database-url", cluster.url(database: "llmlog"), "--port", String(port)],
            environment: ["LLMLOG_RATE_LIMIT_PER_SECOND": "0", "LLMLOG_LOG_LEVEL": "warning", "LLMLOG_WRITER_LANES": String(Self.writerLanes)],
            logPath: directory + "/service.log")
        do {
            try await service.waitUntilReady(http, port: port)
            try await measureService(
                &report, service: service, port: port, http: http, owner: owner, store: store,
                ingestTenant: ingestTenant, conversations: conversations, directory: directory, logger: logger)
            let peak = try service.peakRSS()
            report["service_peak_rss_mb"] = Double(peak) / 1_048_576
            guard service.process.isRunning else { throw BenchError("llmlog serve died; see \(directory)/service.log") }
        } catch {
            await service.stop()
            throw error
        }
        await service.stop()
        if service.process.terminationStatus != 0 && service.process.terminationReason == .exit {
            report.notes["service_exit"] = "\(service.process.terminationStatus)"
        }
        try? FileManager.default.removeItem(atPath: directory)
        return report
    }

    private func measureService(
        _ report: inout Report, service: ChildProcess, port: Int, http: BenchHTTP, owner: PGPool, store: TenantStore,
        ingestTenant: TenantStore.CreatedTenant, conversations: [UUID], directory: String, logger: Logger
    ) async throws {
        let base = "http://127.0.0.1:\(port)"
        let seconds = options.loadSeconds
        let key = ingestTenant.ingestKey
        let creates = conversations.map { id -> [String: Any] in
            [
                "id": UUID().uuidString.lowercased(), "type": "conversation.create",
                "body": [
                    "id": id.uuidString.lowercased(), "type": "CHAT", "provider": MessageShape.provider, "model": MessageShape.model,
                    "userId": MessageShape.userId,
                ],
            ]
        }
        _ = try await http.must(
            "POST", base + "/v1/batch", key: key,
            body: try JSONSerialization.data(withJSONObject: ["events": creates]), expect: 207)
        func stored() async throws -> Int {
            try await owner.query("SELECT count(*) FROM llm_messages WHERE tenant_id = \(ingestTenant.tenantId)").first!.decode(Int.self)
        }
        /// Waits until every write queued before it is committed (the writer is first in, first out): one more
        /// message, answered after the backlog a load run left. Rates come from the requests wrk completed in
        /// its run; this keeps a run's backlog out of the next run.
        func drain() async throws {
            let body = #"{"role": "USER", "content": "drain"}"#
            _ = try await http.must(
                "POST", base + "/v1/conversations/\(conversations[0].uuidString.lowercased())/messages", key: key,
                body: Data(body.utf8), expect: 201)
        }

        step("batched ingest: POST /v1/batch, 500 messages a request, wrk -t2 -c4")
        var before = try await stored()
        let batchScript = try Tools.write(LuaScripts.batch(conversations: conversations, key: key, events: 500), named: "batch.lua", in: directory)
        let batchRun = try await WrkResult.run(script: batchScript, url: base, threads: 2, connections: 4, seconds: seconds)
        try Self.check(batchRun, "batch")
        try await drain()
        var after = try await stored()
        let batchAcknowledged = (batchRun.requests - max(0, batchRun.statusErrors)) * 500
        guard after - before >= batchAcknowledged else { throw BenchError("batch: \(batchAcknowledged) acknowledged, \(after - before) stored") }
        report["batch_messages_per_s"] = Double(batchAcknowledged) / batchRun.seconds
        report["batch_request_p50_ms"] = batchRun.p50ms
        // The search indexer stood back while the writer had a backlog: what it left, and how long catching up took.
        let backlog = try await searchBacklog(owner)
        report["search_backlog_after_batch"] = Double(backlog)
        report["search_catch_up_s"] = try await waitForSearchIndex(owner)

        step("single-message ingest: POST /v1/conversations/{id}/messages, wrk -t2 -c64")
        before = after
        let singleScript = try Tools.write(LuaScripts.singleMessage(conversations: conversations, key: key), named: "single.lua", in: directory)
        let singleRun = try await WrkResult.run(script: singleScript, url: base, threads: 2, connections: 64, seconds: seconds)
        try Self.check(singleRun, "single")
        try await drain()
        after = try await stored()
        let singleAcknowledged = singleRun.requests - max(0, singleRun.statusErrors)
        guard after - before >= singleAcknowledged else { throw BenchError("single: \(singleAcknowledged) acknowledged, \(after - before) stored") }
        let singleRate = Double(singleAcknowledged) / singleRun.seconds
        report["single_messages_per_s"] = singleRate
        report["single_p50_ms"] = singleRun.p50ms
        report["single_p99_ms"] = singleRun.p99ms
        let rss = try service.currentRSS()
        report["service_rss_after_ingest_mb"] = Double(rss) / 1_048_576

        step("half rate: \(Int(singleRate / 2)) messages/s, paced, 64 connections")
        let paced = try await PacedLoad(http: http, port: port, key: key, conversations: conversations).run(
            rate: max(1, singleRate / 2), seconds: seconds)
        guard paced.failed * 20 <= paced.sent else { throw BenchError("paced run: \(paced.failed) of \(paced.sent) requests failed") }
        report["half_rate_target_per_s"] = singleRate / 2
        report["half_rate_achieved_per_s"] = paced.achievedRate
        report["half_rate_p50_ms"] = paced.p50ms
        report["half_rate_p99_ms"] = paced.p99ms

        step("rollup check: writer's rollups vs the SQL rebuild")
        let checkTenant = try await store.createTenant(name: "bench-rollup-check")
        for body in RollupCheck.batches(now: Date()) {
            let answer = try await http.must("POST", base + "/v1/batch", key: checkTenant.ingestKey, body: body, expect: 207)
            guard !String(decoding: answer, as: UTF8.self).contains("\"error\"") else {
                throw BenchError("rollup check batch failed: \(String(decoding: answer.prefix(1000), as: UTF8.self))")
            }
        }
        let comparison = try await owner.withTransaction { tx in
            (
                try await RollupSQL.compare(tx, tenants: [ingestTenant.tenantId, checkTenant.tenantId], lanes: Self.writerLanes),
                try await RollupSQL.compareTenantLevel(tx, tenants: [ingestTenant.tenantId, checkTenant.tenantId])
            )
        }
        report["rollup_check_rows"] = Double(comparison.0.rows)
        report["rollup_check_mismatches"] = Double(comparison.0.writerOnly + comparison.0.sqlOnly + comparison.1)

        guard !options.skipAnalytics else { return }
        try await measureAnalytics(&report, base: base, http: http, owner: owner, store: store, service: service, logger: logger)
    }

    private func measureAnalytics(
        _ report: inout Report, base: String, http: BenchHTTP, owner: PGPool, store: TenantStore, service: ChildProcess, logger: Logger
    ) async throws {
        let count = options.datasetMessages
        step("analytics dataset: \(count) messages")
        var tenants: [TenantStore.CreatedTenant] = []
        for index in 0..<5 { tenants.append(try await store.createTenant(name: "bench-analytics-\(index)")) }
        let operatorKey = try await store.createOperatorKey(name: "bench").key
        let dataset = AnalyticsDataset(tenants: tenants.map(\.tenantId), messages: count, base: Date())
        let start = ContinuousClock.now
        let connection = try await PGConnection.connect(owner.configuration, logger: logger)
        do {
            try await dataset.load(connection) { done in
                if !options.smoke { step("  \(done) messages stored (\(Int((ContinuousClock.now - start).seconds)) s)") }
            }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        report["analytics_messages"] = Double(count)
        report["analytics_load_seconds"] = (ContinuousClock.now - start).seconds
        try await indexDataset(&report, owner: owner, tenants: tenants.map(\.tenantId))

        step("analytics reads: \(options.readSamples) of each")
        let admin = tenants[0].adminKey
        let detail = AnalyticsDataset.conversationId(dataset.detailConversation)
        // The first tenant's messages: a number that one message holds, a word every message holds, two words.
        let rareNumber = dataset.detailConversation * AnalyticsDataset.perConversation + 7
        let reads: [(String, String, String)] = [
            ("usage", "/v1/analytics/usage?days=30", admin),
            ("operator", "/v1/admin/analytics?days=30", operatorKey),
            ("list", "/v1/conversations", admin),
            ("list_user", "/v1/conversations?userId=user-500", admin),
            ("detail", "/v1/conversations/\(detail)", admin),
            ("search_rare", "/v1/conversations?q=\(rareNumber)", admin),
            ("search_common", "/v1/conversations?q=candidate", admin),
            ("search_two_words", "/v1/conversations?q=compare%20gap", admin),
        ]
        let session = try await http.dashboardSession(base: base, key: admin)
        let pages: [(String, String, String)] = [
            ("dashboard_overview", "/dashboard?days=30", session), ("dashboard_conversations", "/dashboard/conversations", session),
        ]
        for (name, path, credential) in reads + pages {
            var samples: [Double] = []
            for index in 0..<(options.readSamples + 3) {
                let answer =
                    path.hasPrefix("/dashboard")
                    ? try await http.send("GET", base + path, headers: [("Cookie", credential)])
                    : try await http.send("GET", base + path, key: credential)
                guard answer.status == 200, !path.hasPrefix("/dashboard") || !String(decoding: answer.body, as: UTF8.self).contains("name=\"key\"")
                else {
                    throw BenchError("GET \(path) answered \(answer.status): \(String(decoding: answer.body.prefix(500), as: UTF8.self))")
                }
                if index >= 3 { samples.append(answer.elapsed.seconds * 1000) }  // three warm-up requests
            }
            samples.sort()
            report["\(name)_p50_ms"] = Percentile.of(samples, 0.5)
            report["\(name)_p95_ms"] = Percentile.of(samples, 0.95)
        }
        // About a million messages of the first tenant (2M of 10M over 90 days: the last 45 days).
        let exportDays = 90.0 * min(1, 1_000_000 / max(1, Double(count) / Double(tenants.count)))
        try await measureExport(
            &report, http: http, base: base, key: admin, from: dataset.base.addingTimeInterval(-exportDays * 86_400), service: service)
    }

    /// Fails on a wrk run that sent nothing or had more than 5 % errors.
    static func check(_ run: WrkResult, _ name: String) throws {
        guard run.requests > 0 else { throw BenchError("\(name): wrk completed no request") }
        let errors = run.statusErrors + run.socketErrors
        guard errors * 20 <= run.requests else { throw BenchError("\(name): \(errors) of \(run.requests) requests failed") }
    }

    /// This benchmark's binary and the release `llmlog` beside it.
    static func binaries(_ options: BenchOptions) throws -> (bench: String, llmlog: String) {
        let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let llmlog = options.llmlog ?? URL(fileURLWithPath: bench).deletingLastPathComponent().appendingPathComponent("llmlog").path
        guard FileManager.default.isExecutableFile(atPath: llmlog) else {
            throw BenchError("\(llmlog) not found: build it first (swift build -c release --product llmlog) or pass --llmlog PATH")
        }
        return (bench, llmlog)
    }
}

/// Progress on standard error (the table and the JSON line go to standard output).
func step(_ text: String) {
    FileHandle.standardError.write(Data("[llmlog-bench] \(text)\n".utf8))
}
