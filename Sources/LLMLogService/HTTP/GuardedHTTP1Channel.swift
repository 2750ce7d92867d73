import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with a `ConnectionGuardHandler` in front of its HTTP decoder (connection cap,
/// head and body timeouts); the channel's own idle timeout closes kept-alive connections that send nothing.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limits: HTTPServerLimits
    let connections: OpenConnections
    let metrics: ServiceMetrics?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let guardHandler = ConnectionGuardHandler(limits: limits, connections: connections, metrics: metrics, logger: logger)
            try channel.pipeline.syncOperations.addHandler(guardHandler, position: .first)
        }.flatMap {
            http1.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 behind the walls of `limits`: `RequestProgressHandler` after the decoder reports to the guard in front.
    static func guardedHTTP1(limits: HTTPServerLimits, metrics: ServiceMetrics?) -> HTTPServerBuilder {
        let connections = OpenConnections(limit: limits.maxConnections)
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestProgressHandler()], idleTimeout: limits.idleTimeout.map { TimeAmount($0) })
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                http1: HTTP1Channel(responder: responder, configuration: configuration), limits: limits,
                connections: connections, metrics: metrics)
        }
    }
}
