import Foundation
import Metrics
import PGClient

import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The service's metrics, recorded through swift-metrics into a Prometheus registry of their own and served as
/// text at `GET /metrics`. Each instance has its own registry (tests run many services in one process); the server
/// also bootstraps the global `MetricsSystem` with `factory` once, so library metrics land in the same registry.
///
/// No label carries an unbounded value: routes are patterns, methods a fixed set, status codes, token buckets and
/// error kinds are closed sets. Tenant, user, key and conversation ids never appear.
public final class ServiceMetrics: Sendable {
    /// Metric names (a public contract: dashboards and alerts use them).
    public enum Name {
        public static let httpRequests = "llmlog_http_requests_total"
        public static let httpRequestDuration = "llmlog_http_request_duration_seconds"
        public static let writeQueueDepth = "llmlog_write_queue_depth"
        public static let flushOperations = "llmlog_flush_operations"
        public static let flushDuration = "llmlog_flush_duration_seconds"
        public static let poolConnectionsInUse = "llmlog_db_pool_connections_in_use"
        public static let poolConnectionsOpen = "llmlog_db_pool_connections_open"
        public static let poolWaiters = "llmlog_db_pool_waiters"
        public static let databaseErrors = "llmlog_db_errors_total"
        public static let messagesIngested = "llmlog_messages_ingested_total"
        public static let tokensIngested = "llmlog_tokens_ingested_total"
        public static let rateLimited = "llmlog_rate_limited_total"
        public static let connectionsOpen = "llmlog_http_connections_open"
        public static let connectionsClosed = "llmlog_http_connections_closed_total"
    }

    /// The registry `GET /metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into `registry`.
    public let factory: PrometheusMetricsFactory
    /// When set, `GET /metrics` requires `Authorization: Bearer <scrapeToken>` (`LLMLOG_METRICS_TOKEN`).
    public let scrapeToken: String?

    let writeQueueDepth: Gauge
    let flushOperations: Recorder
    let flushDuration: Metrics.Timer
    let poolInUse: Gauge
    let poolOpen: Gauge
    let poolWaiters: Gauge
    let messagesIngested: Counter
    let connectionsOpen: Meter

    /// A service's metrics in a new registry.
    public init(scrapeToken: String? = nil) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencyBuckets: [Duration] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        factory.durationHistogramBuckets = [Name.httpRequestDuration: latencyBuckets, Name.flushDuration: latencyBuckets]
        factory.valueHistogramBuckets = [Name.flushOperations: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]]
        self.registry = registry
        self.factory = factory
        self.scrapeToken = scrapeToken.flatMap { $0.isEmpty ? nil : $0 }
        writeQueueDepth = Gauge(label: Name.writeQueueDepth, factory: factory)
        flushOperations = Recorder(label: Name.flushOperations, aggregate: true, factory: factory)
        flushDuration = Metrics.Timer(label: Name.flushDuration, factory: factory)
        poolInUse = Gauge(label: Name.poolConnectionsInUse, factory: factory)
        poolOpen = Gauge(label: Name.poolConnectionsOpen, factory: factory)
        poolWaiters = Gauge(label: Name.poolWaiters, factory: factory)
        messagesIngested = Counter(label: Name.messagesIngested, factory: factory)
        connectionsOpen = Meter(label: Name.connectionsOpen, factory: factory)
        for bucket in TokenBucketLabel.allCases { tokenCounter(bucket).increment(by: 0) }
        for limit in RateLimitLabel.allCases { rateLimitedCounter(limit).increment(by: 0) }
        for reason in ConnectionCloseReason.allCases { connectionsClosedCounter(reason).increment(by: 0) }
    }

    /// The Prometheus text exposition of everything recorded.
    public func render() -> String { registry.emitToString() }

    /// Sets the gauges that are read rather than counted (queue depth, pool counts), just before a scrape.
    func sample(pool: PGPool, writer: IngestWriter) {
        writeQueueDepth.record(writer.queueDepth)
        let statistics = pool.statistics
        poolInUse.record(statistics.inUse)
        poolOpen.record(statistics.open)
        poolWaiters.record(statistics.waiting)
    }
}
