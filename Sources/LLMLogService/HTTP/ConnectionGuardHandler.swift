import Logging
import NIOCore

/// The first handler of every HTTP connection, nearest the socket: it takes the connection's place among
/// `HTTPServerLimits.maxConnections` (closing it at once when there is none) and enforces the head and body timeouts.
///
/// It sees the raw bytes, so it knows when a request began however slowly its head is sent; `RequestProgressHandler`,
/// after the HTTP decoder, tells it when a head and an end were read and when an answer was written. A connection
/// has one timer at a time, scheduled for the earliest deadline it knew and re-armed when it fires early, so a
/// quick request schedules nothing. Everything runs on the connection's event loop and never blocks it.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// The connection just opened, or bytes of the next request arrived: its head must be complete in time,
        /// counted from then or from when the last answer owed was written, whichever is later.
        case readingHead
        /// A head was read: the body must be complete in time.
        case readingBody
        /// A request was read: no deadline of ours until the next one begins (Hummingbird's idle timeout closes the
        /// connection once the answer is written and nothing follows).
        case betweenRequests
    }

    /// The answer to a head that took too long (no other answer is owed then: the head timer waits for them).
    static let timeoutAnswer: String = {
        let body = #"{"error": {"code": "request_timeout", "message": "the request was not sent in time", "field": null}}"#
        return "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }()

    private let limits: HTTPServerLimits
    private let connections: OpenConnections
    private let metrics: ServiceMetrics?
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var admitted = false
    private var phase = Phase.readingHead
    /// When the current phase must end; nil: no deadline.
    private var deadline: NIODeadline?
    private var timer: (task: Scheduled<Void>, deadline: NIODeadline)?
    /// Requests whose head was read and whose answer was not written completely yet.
    private var answersOwed = 0

    init(limits: HTTPServerLimits, connections: OpenConnections, metrics: ServiceMetrics?, logger: Logger) {
        self.limits = limits
        self.connections = connections
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        admitted = connections.tryOpen()
        if admitted { metrics?.connectionsOpen.increment() }
        if context.channel.isActive { opened(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
        release()
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        opened(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        deadline = nil
        release()  // at once, not when the pipeline is torn down later
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .betweenRequests = phase {
            phase = .readingHead
            // A request begun while an earlier one is answered is timed from that answer on: the close would cut it.
            if answersOwed == 0 { setDeadline(after: limits.headTimeout) }
        }
        context.fireChannelRead(data)
    }

    // MARK: from RequestProgressHandler

    /// A request's head was decoded.
    func headRead() {
        phase = .readingBody
        answersOwed += 1
        setDeadline(after: limits.bodyTimeout)
    }

    /// A request's end was decoded: the request is the application's now.
    func requestRead() {
        phase = .betweenRequests
        deadline = nil
    }

    /// An answer's end was written.
    func answerWritten() {
        answersOwed = max(0, answersOwed - 1)
        if answersOwed == 0, case .readingHead = phase, deadline == nil { setDeadline(after: limits.headTimeout) }
    }

    /// Gives the connection's place back (once).
    private func release() {
        guard admitted else { return }
        admitted = false
        connections.close()
        metrics?.connectionsOpen.decrement()
    }

    // MARK: deadlines

    private func opened(_ context: ChannelHandlerContext) {
        guard admitted else {
            metrics?.recordConnectionClosed(.maxConnections)
            logger.debug("connection closed: too many open", metadata: ["max_connections": "\(connections.limit)"])
            context.close(promise: nil)
            return
        }
        guard deadline == nil, case .readingHead = phase else { return }
        setDeadline(after: limits.headTimeout)
    }

    private func setDeadline(after timeout: Duration?) {
        deadline = timeout.map { now + TimeAmount($0) }
        guard let deadline else { return }
        if let timer {
            if timer.deadline <= deadline { return }  // it fires first and re-arms for this deadline
            timer.task.cancel()
        }
        schedule(at: deadline)
    }

    private func schedule(at deadline: NIODeadline) {
        guard let context else { return }
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in timerFired() }
        timer = (task, deadline)
    }

    /// The event loop's clock (a test's embedded loop keeps its own).
    private var now: NIODeadline { context?.eventLoop.now ?? .now() }

    private func cancelTimer() {
        timer?.task.cancel()
        timer = nil
    }

    private func timerFired() {
        timer = nil
        guard let deadline, let context else { return }
        guard now >= deadline else { return schedule(at: deadline) }
        self.deadline = nil
        switch phase {
        case .readingHead:
            metrics?.recordConnectionClosed(.headTimeout)
            logger.debug("connection closed: request head not complete in time")
            let answer = context.channel.allocator.buffer(string: Self.timeoutAnswer)
            context.writeAndFlush(wrapOutboundOut(answer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .readingBody:
            metrics?.recordConnectionClosed(.bodyTimeout)
            logger.debug("connection closed: request body not complete in time")
            context.close(promise: nil)
        case .betweenRequests:
            break
        }
    }
}
