import Foundation
import HTTPTypes
import LLMLogService
import NIOCore
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Duration.seconds(1000))
    var now: @Sendable () -> Duration { { self.current.withLock { $0 } } }
    func advance(by duration: Duration) { current.withLock { $0 += duration } }
}

/// Per-key rate limit: token buckets in memory, 429 with Retry-After, other keys unaffected, bounded memory.
@Suite struct RateLimitTests {
    @Test func aBucketAdmitsItsBurstThenRefillsAtTheRate() {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 2, burst: 3, now: clock.now)
        for _ in 0..<3 { #expect(limiter.admit("a") == .admitted) }
        #expect(limiter.admit("a") == .limited(retryAfterSeconds: 1))
        #expect(limiter.admit("b") == .admitted)
        clock.advance(by: .milliseconds(499))
        #expect(limiter.admit("a") == .limited(retryAfterSeconds: 1))
        clock.advance(by: .milliseconds(1))
        #expect(limiter.admit("a") == .admitted)
        #expect(limiter.admit("a") == .limited(retryAfterSeconds: 1))
        // A slow rate asks for a longer wait, rounded up to whole seconds.
        let slow = RateLimiter(ratePerSecond: 1, burst: 1, now: clock.now)
        #expect(slow.admit("a") == .admitted)
        clock.advance(by: .milliseconds(100))
        #expect(slow.admit("a") == .limited(retryAfterSeconds: 1))
    }

    @Test func checkingTakesNothingAndRemembersNoOne() {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 1, burst: 2, now: clock.now)
        #expect(limiter.check("a") == .admitted)
        #expect(limiter.subjectCount == 0)
        #expect(limiter.admit("a") == .admitted && limiter.admit("a") == .admitted)
        #expect(limiter.check("a") == .limited(retryAfterSeconds: 1))
        clock.advance(by: .seconds(1))
        #expect(limiter.check("a") == .admitted)
        #expect(limiter.check("a") == .admitted)  // the check took no token
        #expect(limiter.admit("a") == .admitted)
        #expect(limiter.check("a") == .limited(retryAfterSeconds: 1))
    }

    @Test func theBucketsStayBounded() {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 10, burst: 10, maxSubjects: 50, now: clock.now)
        for index in 0..<1000 { #expect(limiter.admit("key-\(index)") == .admitted) }
        #expect(limiter.subjectCount <= 50)
        // Buckets that refilled completely are forgotten.
        clock.advance(by: .seconds(2))
        #expect(limiter.admit("fresh") == .admitted)
        #expect(limiter.subjectCount == 1)
    }

    @Test func overTheLimitIs429WithRetryAfterAndOtherKeysAreUnaffected() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 1, burst: 3, now: clock.now)
        try await TestService.run(suite: "ratelimit", rateLimiter: limiter) { service in
            let body = #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#
            for _ in 0..<3 { #expect(try await service.request(.post, "/v1/conversations", json: body).status == .created) }
            let limited = try await service.request(.post, "/v1/conversations", json: body)
            #expect(limited.status == .tooManyRequests)
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1)
            #expect(limited.errorCode == "rate_limited")
            let error = try #require(limited.object["error"] as? [String: Any])
            #expect(error["field"] is NSNull)
            #expect((error["message"] as? String)?.isEmpty == false)

            // Another key of the same tenant has a bucket of its own; a bad key is still 401, not 429.
            #expect(try await service.request(.get, "/v1/conversations", key: service.tenant.adminKey).status == .ok)
            #expect(try await service.request(.post, "/v1/conversations", json: body, key: "llmlog_ik_nope").status == .unauthorized)
            // Unauthenticated routes are not limited.
            #expect(try await service.request(.get, "/healthz").status == .ok)

            clock.advance(by: .seconds(retryAfter))
            #expect(try await service.request(.post, "/v1/conversations", json: body).status == .created)
            #expect(try await service.request(.post, "/v1/conversations", json: body).status == .tooManyRequests)

            let metrics = try await service.request(.get, "/metrics", key: "")
            let text = PrometheusText(text: String(buffer: metrics.body))
            #expect(text.value("\(ServiceMetrics.Name.rateLimited){limit=\"caller\"}") == 2)
            #expect(text.value("\(ServiceMetrics.Name.rateLimited){limit=\"client_address\"}") == 0)
        }
    }

    @Test func settingsBuildTheLimiterAndZeroDisablesIt() throws {
        let defaults = try ServiceConfiguration.fromEnvironment([:])
        #expect(defaults.rateLimitPerSecond == 2000 && defaults.rateLimitBurst == 4000)
        let limiter = try #require(defaults.makeRateLimiter())
        #expect(limiter.ratePerSecond == 2000 && limiter.burst == 4000)
        let off = try ServiceConfiguration.fromEnvironment(["LLMLOG_RATE_LIMIT_PER_SECOND": "0"])
        #expect(off.makeRateLimiter() == nil)
    }
}
