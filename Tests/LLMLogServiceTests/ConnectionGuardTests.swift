import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import LLMLogService

/// `ConnectionGuardHandler` on an embedded channel whose clock the test moves: which timeout applies in which phase
/// of a connection (the reports of `RequestProgressHandler` are made by hand), and the connection cap.
@Suite struct ConnectionGuardTests {
    static let limits = HTTPServerLimits(headTimeout: .seconds(10), bodyTimeout: .seconds(30), idleTimeout: nil, maxConnections: 100)

    /// An open connection with a guard in front.
    static func open(_ connections: OpenConnections = OpenConnections(limit: 100)) throws -> (EmbeddedChannel, ConnectionGuardHandler) {
        let handler = ConnectionGuardHandler(limits: limits, connections: connections, metrics: nil, logger: Logger(label: "test"))
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler)
    }

    static func send(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
        _ = try channel.readInbound(as: ByteBuffer.self)
    }

    /// What the guard wrote, as text (the 408), or nil.
    static func written(_ channel: EmbeddedChannel) throws -> String? {
        try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
    }

    @Test func aHeadTrickledByteByByteIsCutAtTheHeadTimeoutWith408() throws {
        let (channel, _) = try Self.open()
        for byte in "GET /v1/conversations HTTP/1.1\r\nHo" {
            try Self.send(channel, String(byte))
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(250))
        }
        channel.embeddedEventLoop.advanceTime(to: .uptimeNanoseconds(0) + .milliseconds(9_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        let answer = try #require(try Self.written(channel))
        #expect(
            answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n")
                && answer.hasSuffix(#""code": "request_timeout", "message": "the request was not sent in time", "field": null}}"#))
        let length = answer.components(separatedBy: "\r\n").first { $0.hasPrefix("Content-Length: ") }.flatMap { Int($0.dropFirst(16)) }
        #expect(length == answer.components(separatedBy: "\r\n\r\n").last?.utf8.count)
    }

    @Test func aBodyHasItsOwnTimeoutFromTheHeadAndNothingIsWritten() throws {
        let (channel, guardHandler) = try Self.open()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        guardHandler.headRead()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive, "the head timeout no longer applies")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(try Self.written(channel) == nil, "a request is under way: no 408 is slipped in")
    }

    @Test func betweenRequestsNoTimeoutOfOursRunsUntilTheNextRequestBegins() throws {
        let (channel, guardHandler) = try Self.open()
        guardHandler.headRead()
        guardHandler.requestRead()
        channel.embeddedEventLoop.advanceTime(by: .seconds(100))  // the application takes its time
        guardHandler.answerWritten()
        channel.embeddedEventLoop.advanceTime(by: .seconds(100))  // idle: Hummingbird's idle timeout is the one for this
        #expect(channel.isActive)
        try Self.send(channel, "G")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(9_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(try Self.written(channel)?.hasPrefix("HTTP/1.1 408 ") == true)
    }

    @Test func aRequestPipelinedBehindOneBeingAnsweredIsTimedFromThatAnswer() throws {
        let (channel, guardHandler) = try Self.open()
        guardHandler.headRead()
        guardHandler.requestRead()
        try Self.send(channel, "GET /healthz HTTP/1.1\r\n")  // the next request begins while the first is answered
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        #expect(channel.isActive, "closing now would cut the first answer")
        guardHandler.answerWritten()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(9_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func aConnectionPastTheCapIsClosedAtOnceAndAPlaceFreesWhenOneCloses() throws {
        let connections = OpenConnections(limit: 2)
        let (first, _) = try Self.open(connections)
        let (second, _) = try Self.open(connections)
        let (third, _) = try Self.open(connections)
        #expect(first.isActive && second.isActive)
        #expect(!third.isActive)
        #expect(connections.current == 2)
        try first.close().wait()
        #expect(connections.current == 1)
        let (fourth, _) = try Self.open(connections)
        #expect(fourth.isActive)
        #expect(connections.current == 2)
        _ = try second.finish()
        _ = try fourth.finish()
        #expect(connections.current == 0)
    }
}
