/// How long the HTTP server waits for a client, and how many connections it keeps open at once: the walls that keep
/// slow or idle clients from holding connections (and file descriptors) for ever.
///
/// - The head of a request must be complete within `headTimeout`, counted from the connection's opening or from the
///   first byte of the next request on a kept-alive connection (a request pipelined behind one still being answered:
///   from that answer); a client trickling its headers is cut all the same, after a `408 Request Timeout`.
/// - The body must be complete within `bodyTimeout` of the head.
/// - A kept-alive connection with no request for `idleTimeout` is closed (Hummingbird's own idle timeout).
/// - A connection that would be open beside `maxConnections` others is closed as soon as it is accepted.
///
/// A nil timeout is no timeout.
public struct HTTPServerLimits: Sendable, Equatable {
    /// The connection cap when `LLMLOG_MAX_CONNECTIONS` is not set (and the open-file limit allows it): a slow-client
    /// flood then holds at most this many connections' memory.
    public static let defaultMaxConnections = 10_000

    public var headTimeout: Duration?
    public var bodyTimeout: Duration?
    public var idleTimeout: Duration?
    public var maxConnections: Int

    public init(
        headTimeout: Duration? = .seconds(10), bodyTimeout: Duration? = .seconds(30), idleTimeout: Duration? = .seconds(60),
        maxConnections: Int = defaultMaxConnections
    ) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = max(1, maxConnections)
    }
}
