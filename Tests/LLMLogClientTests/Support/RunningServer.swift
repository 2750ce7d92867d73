import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird application running on a real loopback port in its own `ServiceGroup`.
struct RunningServer: Sendable {
    let port: Int
    let group: ServiceGroup
    let task: Task<Void, Error>

    /// Starts `router` (and `services`) on 127.0.0.1:`port` (0: any free port) and returns once it listens.
    static func start<Router: HTTPResponderBuilder>(
        _ router: Router, port: Int, services: [any Service] = [], logger: Logger
    ) async throws -> RunningServer where Router.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            services: services,
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        guard let bound = await ports.first(where: { _ in true }), bound > 0 else {
            try await task.value
            throw CancellationError()
        }
        return RunningServer(port: bound, group: group, task: task)
    }

    /// Graceful shutdown: requests in flight are answered first.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
