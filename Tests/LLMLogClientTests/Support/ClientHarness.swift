import Foundation
import LLMLogClient
import Logging
import ServiceLifecycle

/// A client running as a service in its own `ServiceGroup`, as an app would run it.
struct RunningClient: Sendable {
    let client: LLMLogClient
    let group: ServiceGroup
    let task: Task<Void, Error>

    static let logger: Logger = {
        var logger = Logger(label: "llmlog-client-test")
        logger.logLevel = .critical  // the tests provoke outages on purpose
        return logger
    }()

    static func configuration(_ service: LiveService, _ change: (inout LLMLogClient.Configuration) -> Void = { _ in }) -> LLMLogClient.Configuration {
        var configuration = LLMLogClient.Configuration(
            baseURL: service.baseURL, apiKey: service.tenant.ingestKey,
            retry: RetryPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(300)))
        change(&configuration)
        return configuration
    }

    /// Makes the client without running it.
    static func make(_ configuration: LLMLogClient.Configuration) -> LLMLogClient {
        LLMLogClient(configuration: configuration, logger: logger)
    }

    /// Runs `client` until `shutdown()`.
    static func run(_ client: LLMLogClient) -> RunningClient {
        let group = ServiceGroup(configuration: .init(services: [client], gracefulShutdownSignals: [], logger: logger))
        return RunningClient(client: client, group: group, task: Task { try await group.run() })
    }

    /// Graceful shutdown; returns when the client has drained and stopped.
    func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

extension LLMLogClient.Statistics {
    /// Every call accounted for exactly once.
    var balanced: Bool { enqueued == sent + failed + dropped + pending }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
