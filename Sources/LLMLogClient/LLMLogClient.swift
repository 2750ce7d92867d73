import AsyncHTTPClient
import Logging
import ServiceLifecycle
import Synchronization

/// Logs LLM conversations and messages to an llmlog service without slowing down or breaking the app.
///
/// Every logging call only enqueues (it returns at once, unless the buffer is full under
/// ``FullBufferPolicy/wait``) and never throws. Events are sent in enqueue order by one background sender through
/// `POST /v1/batch`, retried with the same ids (so the service stores each exactly once), and flushed on graceful
/// shutdown. Problems go to the logger and to ``statistics``.
///
/// ```swift
/// let llmlog = LLMLogClient(configuration: .init(baseURL: "http://localhost:8080", apiKey: key))
/// // run it with the app's other services: ServiceGroup(services: [llmlog, …], …)
/// let conversation = await llmlog.createConversation(type: .chat, provider: "openai", model: "gpt-4o")
/// await llmlog.logMessage(conversationId: conversation, role: .user, content: prompt)
/// ```
public final class LLMLogClient: Service, Sendable {
    /// The configuration the client was made with.
    public let configuration: Configuration
    let buffer: EventBuffer
    let httpClient: HTTPClient?
    let logger: Logger
    let drainStarted: OneShotSignal
    private let started = Mutex(false)

    /// Makes a client; nothing is sent until ``run()`` runs (events logged before are buffered).
    /// - Parameters:
    ///   - httpClient: the HTTP client to send with. By default ``run()`` makes its own (failing fast on a refused
    ///     connection, so the client's backoff applies) and shuts it down when it returns.
    ///   - logger: where delivery problems are reported (never message content or the key).
    public init(configuration: Configuration, httpClient: HTTPClient? = nil, logger: Logger = Logger(label: "llmlog.client")) {
        self.configuration = configuration
        self.logger = logger
        self.httpClient = httpClient
        self.buffer = EventBuffer(capacity: configuration.capacity, policy: configuration.fullBufferPolicy)
        self.drainStarted = OneShotSignal()
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { buffer.statistics }

    /// Waits until every event logged before this call has been sent, refused or dropped (needs ``run()`` to be
    /// running). Returns false if that took longer than `timeout`.
    public func flush(timeout: Duration = .seconds(30)) async -> Bool {
        await buffer.flush(timeout: timeout)
    }

    /// Sends buffered events until graceful shutdown (or ``shutdown()``), then keeps sending for at most
    /// `configuration.shutdownTimeout`; events still unsent then are dropped and counted. Returns early, dropping
    /// what is left, if its task is cancelled. Never throws.
    public func run() async throws {
        guard
            started.withLock({ started in
                defer { started = true }
                return !started
            })
        else {
            return logger.error("LLMLogClient.run() called more than once")
        }
        let http = httpClient ?? Self.makeHTTPClient(configuration)
        let delivery = Delivery(
            transport: HTTPTransport(baseURL: configuration.baseURL, apiKey: configuration.apiKey, client: http),
            configuration: configuration, buffer: buffer, drainStarted: drainStarted, logger: logger)
        await withGracefulShutdownHandler {
            while let group = await buffer.nextGroup(maxEvents: configuration.maxBatchEvents) {
                await delivery.deliver(group)
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        if httpClient == nil { try? await http.shutdown() }
        let abandoned = buffer.stop()
        if abandoned > 0 { logger.warning("llmlog client stopped with events unsent", metadata: ["dropped": "\(abandoned)"]) }
    }

    static func makeHTTPClient(_ configuration: Configuration) -> HTTPClient {
        var settings = HTTPClient.Configuration()
        settings.connectionPool.retryConnectionEstablishment = false  // a refused connection fails now; we back off
        settings.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
    }

    /// Starts a graceful shutdown without a `ServiceGroup`: ``run()`` sends what is buffered, within
    /// `configuration.shutdownTimeout`, and returns. Events logged afterwards are sent only while it drains.
    public func shutdown() {
        buffer.beginDrain(deadline: .now + configuration.shutdownTimeout)
        drainStarted.fire()
    }
}
