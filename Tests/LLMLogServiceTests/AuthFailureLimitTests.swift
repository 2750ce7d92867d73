import Foundation
import Glibc
import HTTPTypes
import Logging
import NIOCore
import PGClient
import PGTestSupport
import Testing

@testable import LLMLogService

/// Made-up API keys from one address, against `llmlog serve` as a child process: after the burst of failed
/// authentications the address gets 429 with Retry-After and no database lookup; another address, and the same one
/// after the refill, are served. PostgreSQL itself counts the key lookups (`track_functions`).
@Suite(.serialized) struct AuthFailureLimitTests {
    static let burst = 20
    static let perSecond = 1

    @Test func failuresEmptyTheAddressBucketThenKeyLookupsAre429() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 1, burst: 3, now: clock.now)
        try await TestService.run(suite: "authfailures", authFailureLimiter: limiter) { service in
            // The router test client has no address: every request shares the fallback subject. Three kinds of 401.
            #expect(try await service.request(.get, "/v1/conversations", key: "").status == .unauthorized)
            #expect(try await service.request(.get, "/v1/conversations", key: "llmlog_ik_nope").status == .unauthorized)
            #expect(try await service.request(.get, "/v1/conversations", key: "not.a.token").status == .unauthorized)
            // Now anything that needs a key lookup is 429, a valid key too.
            let limited = try await service.request(.get, "/v1/conversations", key: service.tenant.adminKey)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
            #expect(limited.errorCode == "rate_limited")
            #expect(try await service.request(.post, "/v1/tenants", json: #"{"name": "x"}"#, key: "llmlog_ok_nope").status == .tooManyRequests)
            // A user token needs no lookup: it is still verified, and a forged one is still 401.
            let token = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "u", ttl: 600).token
            #expect(try await service.request(.get, "/v1/conversations", key: token).status == .ok)
            #expect(try await service.request(.get, "/v1/conversations", key: token + "x").status == .unauthorized)
            // After the refill, lookups are made again; those that succeed cost nothing.
            clock.advance(by: .seconds(1))
            #expect(try await service.request(.get, "/v1/conversations", key: service.tenant.adminKey).status == .ok)
            #expect(try await service.request(.get, "/v1/conversations", key: service.tenant.adminKey).status == .ok)
            let metrics = PrometheusText(text: String(buffer: try await service.request(.get, "/metrics", key: "").body))
            #expect(metrics.value("\(ServiceMetrics.Name.rateLimited){limit=\"client_address\"}") == 2)
            #expect(metrics.value("\(ServiceMetrics.Name.rateLimited){limit=\"caller\"}") == 0)
        }
    }

    @Test func aLimitIsKeptPerIPv4AddressAndPerIPv6Network() throws {
        #expect(ClientAddress.subject(try SocketAddress(ipAddress: "203.0.113.7", port: 1)) == "203.0.113.7")
        #expect(ClientAddress.subject(try SocketAddress(ipAddress: "2001:db8:1:2:3:4:5:6", port: 1)) == "2001:db8:1:2::/64")
        #expect(ClientAddress.subject(try SocketAddress(ipAddress: "2001:db8:1:2:ffff::1", port: 2)) == "2001:db8:1:2::/64")
        #expect(ClientAddress.subject(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)) == "2001:db8:1:3::/64")
        #expect(ClientAddress.subject(try SocketAddress(ipAddress: "::ffff:198.51.100.9", port: 1)) == "198.51.100.9")
        #expect(ClientAddress.subject(nil) == ClientAddress.unknown)
    }

    @Test func madeUpKeysFromOneAddressStopReachingTheDatabase() async throws {
        let configuration = try await TestDatabase.createDatabase(prefix: "authfailures")
        let name = try #require(configuration.parameters.first { $0.keyword == "dbname" }?.value)
        try await Migrator(logger: Logger(label: "authfailures")).migrate(configuration)
        let owner = PGPool(configuration: configuration, options: .init(maxConnections: 1))
        let tenant = try await TenantStore(pool: owner).createTenant(name: "authfailures")
        // The service's sessions count their calls of llmlog_authenticate_many (a SQL function: needs `all`).
        try await owner.query("ALTER DATABASE \(unsafeSQL: name) SET track_functions = 'all'")
        await owner.close()
        let url = try await TestDatabase.cluster().url(database: name)
        let port = try PGLocalCluster.freeLoopbackPort()
        let service = try ServiceProcess(
            databaseURL: url, port: port,
            environment: [
                "LLMLOG_AUTH_FAILURE_LIMIT_PER_SECOND": "\(Self.perSecond)", "LLMLOG_AUTH_FAILURE_BURST": "\(Self.burst)",
                "LLMLOG_RATE_LIMIT_PER_SECOND": "0",
            ], logPath: NSTemporaryDirectory() + "llmlog-authfailures-\(UUID().uuidString.prefix(8)).log")
        defer { if service.process.isRunning { service.signal(SIGKILL) } }
        let http = HTTPProbe(port: port, connections: 1)
        try await service.waitUntilReady(http)

        // 1. 150 made-up ingest keys, one after another, from 127.0.0.1.
        let body = Data(#"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#.utf8)
        let start = ContinuousClock.now
        var answers: [HTTPProbe.Answer] = []
        for _ in 0..<150 {
            let key = "llmlog_ik_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            answers.append(await http.send(.init(method: "POST", path: "/v1/conversations", body: body, key: key)))
        }
        let elapsed = ContinuousClock.now - start
        let statuses = answers.map { $0.status ?? 0 }
        #expect(statuses.prefix(Self.burst).allSatisfy { $0 == 401 }, "\(statuses.prefix(Self.burst))")
        #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "\(statuses)")
        let failed = statuses.filter { $0 == 401 }.count, limited = statuses.filter { $0 == 429 }.count
        // Past the burst only the refill (one a second) lets a made-up key reach the database.
        let refills = Int(elapsed.components.seconds) * Self.perSecond + Self.perSecond
        #expect(failed <= Self.burst + refills, "\(failed) answered 401 in \(elapsed)")
        #expect(limited >= 150 - Self.burst - refills)
        for answer in answers where answer.status == 429 {
            #expect((Int(answer.retryAfter ?? "") ?? 0) >= 1, "429 without Retry-After")
            let error = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
            #expect((error?["error"] as? [String: Any])?["code"] as? String == "rate_limited")
        }

        // 2. While the address is limited, a valid key from it is refused too (it would need a lookup), and so is a
        //    made-up operator key; another loopback address has a budget of its own.
        let made = "llmlog_ik_" + String(repeating: "0", count: 32)
        var lastRefusal: HTTPProbe.Answer?
        var probeFailures = 0  // a refill may let one through first
        for _ in 0..<10 {
            let answer = await http.send(.init(method: "POST", path: "/v1/conversations", body: body, key: made))
            if answer.status == 429 {
                lastRefusal = answer
                break
            }
            if answer.status == 401 { probeFailures += 1 }
        }
        let refusal = try #require(lastRefusal)
        let sameAddress = await http.send(.init(method: "POST", path: "/v1/conversations", body: body, key: tenant.ingestKey))
        let operatorKey = await http.send(
            .init(
                method: "POST", path: "/v1/tenants", body: Data(#"{"name": "x"}"#.utf8),
                key: "llmlog_ok_" + String(repeating: "1", count: 32)))
        // The bucket refills one a second, and the refusal says nothing of how close the next token was: either
        // answer may come after a refill (a valid key does not spend the failure budget, so both may); a refused one
        // is a 429, and the metrics below must count exactly the refused ones.
        #expect(sameAddress.status == 429 || sameAddress.status == 201, "\(String(describing: sameAddress.status))")
        #expect(operatorKey.status == 429 || operatorKey.status == 401, "\(String(describing: operatorKey.status))")
        let passedAfterRefusal = (sameAddress.status == 201 ? 1 : 0), operatorPassed = (operatorKey.status == 401 ? 1 : 0)
        let other = try await RawConnection.onThread {
            (
                try RawConnection.request(
                    port: port, source: "127.0.0.2", method: "POST", path: "/v1/conversations",
                    key: tenant.ingestKey, body: String(decoding: body, as: UTF8.self)),
                try RawConnection.request(
                    port: port, source: "127.0.0.2", method: "POST", path: "/v1/conversations",
                    key: made, body: String(decoding: body, as: UTF8.self))
            )
        }
        #expect(other.0.status == 201, "a valid key from another address")
        #expect(other.1.status == 401, "a made-up key from another address is that address's first failure")

        // 3. After Retry-After seconds the address is served again.
        try await Task.sleep(for: .seconds(Int(refusal.retryAfter ?? "1") ?? 1))
        let afterRefill = await http.send(.init(method: "POST", path: "/v1/conversations", body: body, key: tenant.ingestKey))
        #expect(afterRefill.status == 201)

        // 4. The service counted its 429s; then it stops, and PostgreSQL says how many lookups it was asked for.
        let metrics = PrometheusText(text: String(decoding: await http.send(.init(method: "GET", path: "/metrics")).body, as: UTF8.self))
        // The flood's, the probe's, and the valid and operator keys' unless a refill let them through.
        let counted = limited + 1 + (1 - passedAfterRefusal) + (1 - operatorPassed)
        #expect(metrics.value("\(ServiceMetrics.Name.rateLimited){limit=\"client_address\"}") == Double(counted))
        #expect(metrics.value("\(ServiceMetrics.Name.rateLimited){limit=\"caller\"}") == 0)
        service.signal(SIGTERM)
        #expect(await service.waitForExit(timeout: .seconds(30)) != nil)

        let observer = try await PGConnection.connect(configuration)
        // Backends write their counts when they exit: wait for the service's to be gone.
        let deadline = ContinuousClock.now + .seconds(20)
        while try await observer.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")[0]
            .decode(Int.self, column: 0) > 0, ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        func calls(_ function: String) async throws -> Int {
            let rows = try await observer.query("SELECT calls FROM pg_stat_user_functions WHERE funcname = \(function)")
            return try rows.first?.decode(Int.self, column: 0) ?? 0
        }
        let keyLookups = try await calls("llmlog_authenticate_many")
        let operatorLookups = try await calls("llmlog_authenticate_operator")
        await observer.close()
        // One lookup per request that got past the limit (they came one after another, so none shared a query): the
        // flood's 401s, the probe's, the valid and the made-up key from 127.0.0.2, the valid key after the refill.
        // Without the limit there would have been at least 150.
        let reached = failed + probeFailures + 3 + passedAfterRefusal
        #expect(keyLookups == reached, "\(keyLookups) key lookups; \(reached) requests got past the limit")
        #expect(keyLookups <= Self.burst + refills + probeFailures + 4)
        #expect(operatorLookups == operatorPassed)
        print(
            "auth failures: 150 made-up keys in \(elapsed): \(failed) answered 401 (burst \(Self.burst)), \(limited) answered 429; "
                + "PostgreSQL ran llmlog_authenticate_many \(keyLookups) times in all (without the limit: ≥ 150)")
    }
}
