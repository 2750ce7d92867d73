import Foundation
import Glibc
import LLMLogService
import Logging
import PGClient
import PGTestSupport
import Testing

/// Slow clients against `llmlog serve` as a child process, over raw sockets, with the walls set low through the
/// environment so the test takes seconds: a slowloris flood (request line, then headers stalled or trickled one byte
/// at a time) is cut at the head timeout while a legitimate request is answered, a connection past the cap is closed
/// at once, a trickled body is cut at the body timeout, and an idle kept-alive connection at the idle timeout.
@Suite(.serialized) struct SlowClientTests {
    static let headTimeout = Duration.seconds(3)
    static let bodyTimeout = Duration.seconds(3)
    /// Longer than the head timeout and its margin: Hummingbird's idle timeout also closes a connection that sent no
    /// complete head, so only then does a test of the head timeout tell the two apart.
    static let idleTimeout = Duration.seconds(6)
    static let maxConnections = 200
    /// How late a close may come on a loaded machine (every test process shares two cores).
    static let margin = Duration.milliseconds(2500)

    /// A service on a fresh database with a tenant, its walls set by the environment.
    static func start(_ name: String) async throws -> (ServiceProcess, TenantStore.CreatedTenant) {
        _ = OpenFileLimit.raiseToHardLimit()  // this process opens a few hundred sockets
        let configuration = try await TestDatabase.createDatabase(prefix: name)
        try await Migrator(logger: Logger(label: name)).migrate(configuration)
        let owner = PGPool(configuration: configuration, options: .init(maxConnections: 1))
        let tenant = try await TenantStore(pool: owner).createTenant(name: name)
        await owner.close()
        let url = try await TestDatabase.cluster().url(database: configuration.parameters.first { $0.keyword == "dbname" }!.value)
        let port = try PGLocalCluster.freeLoopbackPort()
        let service = try ServiceProcess(
            databaseURL: url, port: port,
            environment: [
                "LLMLOG_RATE_LIMIT_PER_SECOND": "0",
                "LLMLOG_REQUEST_HEAD_TIMEOUT_MS": "\(milliseconds(headTimeout))", "LLMLOG_REQUEST_BODY_TIMEOUT_MS": "\(milliseconds(bodyTimeout))",
                "LLMLOG_IDLE_TIMEOUT_MS": "\(milliseconds(idleTimeout))", "LLMLOG_MAX_CONNECTIONS": "\(maxConnections)",
            ], logPath: NSTemporaryDirectory() + "llmlog-\(name)-\(UUID().uuidString.prefix(8)).log")
        // Ready when /readyz answers, asked on connections that close (a kept-alive one would hold a place under the cap).
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? await RawConnection.onThread({ try RawConnection.request(port: port, method: "GET", path: "/readyz") }))?.status != 200 {
            guard service.process.isRunning, ContinuousClock.now < deadline else {
                throw ServiceProcessError(message: "llmlog serve not ready; see \(service.logPath)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await settledOpenConnections(port: port) == 1)  // the one asking
        return (service, tenant)
    }

    /// `openConnections` once it is down to the asking connection (or after 5 s): a connection a client closed just
    /// before is counted until the service has read its end.
    static func settledOpenConnections(port: Int) async throws -> Double? {
        let deadline = ContinuousClock.now + .seconds(15)
        var open = try await openConnections(port: port)
        while open != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            open = try await openConnections(port: port)
        }
        return open
    }

    /// The service's `llmlog_http_connections_open`, asked on a connection of its own (counted too).
    static func openConnections(port: Int) async throws -> Double? {
        let metrics = try await RawConnection.onThread { try RawConnection.request(port: port, method: "GET", path: "/metrics") }
        return PrometheusText(text: String(decoding: metrics.body, as: UTF8.self)).value(ServiceMetrics.Name.connectionsOpen)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    struct FloodResult: Sendable {
        var opened = 0
        var stalledLifetimes: [Duration] = []
        var trickledLifetimes: [Duration] = []
        var stalledAnswered408 = 0
        var openWhenLegitimateAnswered = 0
        var legitimate: RawConnection.Answer?
        var extraClosedAtOnce: [Duration] = []
        var extraAdmittedLifetimes: [Duration] = []
        var allClosed = false
        var after: RawConnection.Answer?
    }

    @Test func aSlowlorisFloodIsCutAtTheHeadTimeoutAndTheCapHolds() async throws {
        let (service, tenant) = try await Self.start("slowloris")
        defer { if service.process.isRunning { service.signal(SIGKILL) } }
        let port = service.port
        let flood = Self.maxConnections - 5, extra = 10
        let rssBefore = LargeBodyTests.memory(service.process.processIdentifier)?.resident ?? 0

        let result = try await RawConnection.onThread { () throws -> FloodResult in
            var result = FloodResult()
            // 1. The flood: a request line and one header each; then half stall, half trickle a header a byte at a time.
            var stalled: [RawConnection] = [], trickled: [RawConnection] = []
            for index in 0..<flood {
                let connection = try RawConnection(port: port)
                connection.send("POST /v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                if index.isMultiple(of: 2) { stalled.append(connection) } else { trickled.append(connection) }
            }
            result.opened = flood
            var lastTrickle = ContinuousClock.now
            func trickle() {
                guard ContinuousClock.now - lastTrickle >= .milliseconds(250) else { return }
                lastTrickle = .now
                for connection in trickled { connection.send("x") }
            }
            // 2. During the flood a legitimate request (a read through the database) is answered.
            result.legitimate = try RawConnection.request(port: port, method: "GET", path: "/v1/conversations", key: tenant.adminKey)
            _ = RawConnection.waitUntilClosed(stalled + trickled, deadline: .now + .milliseconds(1))
            result.openWhenLegitimateAnswered = (stalled + trickled).filter { $0.closed == nil }.count
            // 3. Past the cap: of `extra` more connections, those beyond `maxConnections` are closed at once.
            let extras = try (0..<extra).map { _ in
                let connection = try RawConnection(port: port)
                connection.send("GET /healthz HTTP/1.1\r\n")
                return connection
            }
            _ = RawConnection.waitUntilClosed(extras, deadline: .now + .seconds(2), tick: trickle)
            let atOnce = extras.filter { $0.closed != nil }
            result.extraClosedAtOnce = atOnce.compactMap(\.lifetime)
            // 4. Everything else is cut at the head timeout, the trickling ones too.
            let all = stalled + trickled + extras
            result.allClosed = RawConnection.waitUntilClosed(all, deadline: .now + Self.headTimeout + Self.margin, tick: trickle)
            result.stalledLifetimes = stalled.compactMap(\.lifetime)
            result.trickledLifetimes = trickled.compactMap(\.lifetime)
            result.stalledAnswered408 = stalled.filter { $0.answered(408) }.count
            result.extraAdmittedLifetimes = extras.filter { connection in !atOnce.contains { $0 === connection } }.compactMap(\.lifetime)
            // 5. And the service answers as before.
            result.after = try RawConnection.request(port: port, method: "GET", path: "/v1/conversations", key: tenant.adminKey)
            return result
        }
        let rssFlood = LargeBodyTests.memory(service.process.processIdentifier)?.peak ?? 0

        #expect(
            result.legitimate?.status == 200, "the legitimate request during the flood: \(result.legitimate.map { "\($0.status ?? 0)" } ?? "none")")
        #expect((result.legitimate?.elapsed ?? .seconds(99)) < Self.headTimeout)
        #expect(result.openWhenLegitimateAnswered == flood, "the flood was still open when the legitimate request was answered")
        // The cap: `flood` slow connections were open and the legitimate one had closed, so 5 of the extra ones fit.
        #expect((5...6).contains(result.extraClosedAtOnce.count), "\(result.extraClosedAtOnce.count) of \(extra) closed at once")
        #expect(result.extraClosedAtOnce.allSatisfy { $0 < .seconds(2) })
        #expect(result.allClosed, "connections still open after the head timeout and \(Self.margin)")
        let cut = result.stalledLifetimes + result.trickledLifetimes + result.extraAdmittedLifetimes
        #expect(cut.count == flood + extra - result.extraClosedAtOnce.count)
        let low = Self.headTimeout - .milliseconds(200), high = Self.headTimeout + Self.margin
        #expect(cut.allSatisfy { $0 >= low && $0 <= high }, "lifetimes \(cut.min().map { "\($0)" } ?? "-") … \(cut.max().map { "\($0)" } ?? "-")")
        #expect(result.trickledLifetimes.count == flood / 2 && result.stalledLifetimes.count == flood - flood / 2)
        // A stalled client, owed no other answer, is told why before the close.
        #expect(
            result.stalledAnswered408 == result.stalledLifetimes.count, "\(result.stalledAnswered408) of \(result.stalledLifetimes.count) got 408")
        #expect(result.after?.status == 200)

        // The service counted what it did.
        #expect(try await Self.settledOpenConnections(port: port) == 1)  // the scrape's own connection
        let metrics = try await RawConnection.onThread { try RawConnection.request(port: port, method: "GET", path: "/metrics") }
        let text = PrometheusText(text: String(decoding: metrics.body, as: UTF8.self))
        let closed = ServiceMetrics.Name.connectionsClosed
        #expect(text.value("\(closed){reason=\"max_connections\"}") == Double(result.extraClosedAtOnce.count))
        #expect(text.value("\(closed){reason=\"head_timeout\"}") == Double(cut.count))
        #expect(text.value("\(closed){reason=\"body_timeout\"}") == 0)

        func seconds(_ duration: Duration?) -> String { duration.map { String(format: "%.2f s", Double(Self.milliseconds($0)) / 1000) } ?? "-" }
        print(
            "slow clients: \(flood) slowloris connections lived \(seconds(cut.min()))–\(seconds(cut.max())) (head timeout \(Self.headTimeout)); "
                + "\(result.extraClosedAtOnce.count) past the cap of \(Self.maxConnections) closed within \(seconds(result.extraClosedAtOnce.max())); "
                + "legitimate request during the flood answered in \(seconds(result.legitimate?.elapsed)); "
                + "service RSS \(rssBefore / 1024) kB before, peak \(rssFlood / 1024) kB")
        service.signal(SIGTERM)
        #expect(await service.waitForExit(timeout: .seconds(30)) != nil)
    }

    struct SlowRequestResult: Sendable {
        var body: Duration?
        var idleAfterAnswer: Duration?
        var idleAnswered200 = false
        var nextHeadAfterFirstByte: Duration?
        var nextHeadAnswers: [Int] = []
    }

    @Test func aSlowBodyAnIdleConnectionAndASlowSecondRequestAreCut() async throws {
        let (service, tenant) = try await Self.start("slowbody")
        defer { if service.process.isRunning { service.signal(SIGKILL) } }
        let port = service.port
        let result = try await RawConnection.onThread { () throws -> SlowRequestResult in
            var result = SlowRequestResult()
            // A complete head announcing 1000 body bytes, then one byte every 250 ms.
            let body = try RawConnection(port: port)
            body.send(
                "POST /v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(tenant.ingestKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            // A request answered on a kept-alive connection, which then sends nothing.
            let idle = try RawConnection(port: port)
            idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            // The same, but a second request begins a second later and stalls halfway through its head.
            let next = try RawConnection(port: port)
            next.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            var idleAnswered: ContinuousClock.Instant?, nextStarted: ContinuousClock.Instant?
            var lastTrickle = ContinuousClock.now
            let all = [body, idle, next]
            _ = RawConnection.waitUntilClosed(all, deadline: .now + Self.idleTimeout + Self.margin + .seconds(1)) {
                if ContinuousClock.now - lastTrickle >= .milliseconds(250) {
                    lastTrickle = .now
                    body.send(" ")
                }
                if idleAnswered == nil, idle.answered(200) { idleAnswered = .now }
                if nextStarted == nil, next.answered(200), ContinuousClock.now - next.opened >= .seconds(1) {
                    next.send("GET /healthz HTTP/1.1\r\nHost: 1")
                    nextStarted = .now
                }
            }
            result.body = body.lifetime
            result.idleAnswered200 = idleAnswered != nil
            if let idleAnswered, let closed = idle.closed { result.idleAfterAnswer = closed - idleAnswered }
            if let nextStarted, let closed = next.closed { result.nextHeadAfterFirstByte = closed - nextStarted }
            let text = String(decoding: next.received, as: UTF8.self)
            result.nextHeadAnswers = text.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
            return result
        }
        func within(_ duration: Duration?, _ timeout: Duration) -> Bool {
            guard let duration else { return false }
            return duration >= timeout - .milliseconds(300) && duration <= timeout + Self.margin
        }
        #expect(within(result.body, Self.bodyTimeout), "slow body lived \(result.body.map { "\($0)" } ?? "for ever")")
        #expect(result.idleAnswered200)
        // Idle is not a slow head: the kept-alive connection lives for the idle timeout, longer than the head timeout.
        #expect(
            within(result.idleAfterAnswer, Self.idleTimeout),
            "idle connection lived \(result.idleAfterAnswer.map { "\($0)" } ?? "for ever") after its answer")
        // A second request's head is timed from its first byte, and answered 408 before the close.
        #expect(
            within(result.nextHeadAfterFirstByte, Self.headTimeout),
            "stalled second head cut \(result.nextHeadAfterFirstByte.map { "\($0)" } ?? "never") after its first byte")
        #expect(result.nextHeadAnswers == [200, 408])

        let metrics = try await RawConnection.onThread { try RawConnection.request(port: port, method: "GET", path: "/metrics") }
        let text = PrometheusText(text: String(decoding: metrics.body, as: UTF8.self))
        #expect(text.value("\(ServiceMetrics.Name.connectionsClosed){reason=\"body_timeout\"}") == 1)
        #expect(text.value("\(ServiceMetrics.Name.connectionsClosed){reason=\"head_timeout\"}") == 1)
        print(
            "slow requests: body cut after \(result.body.map { "\($0)" } ?? "-"), idle connection after \(result.idleAfterAnswer.map { "\($0)" } ?? "-"), "
                + "stalled second head after \(result.nextHeadAfterFirstByte.map { "\($0)" } ?? "-")")
        service.signal(SIGTERM)
        #expect(await service.waitForExit(timeout: .seconds(30)) != nil)
    }
}
