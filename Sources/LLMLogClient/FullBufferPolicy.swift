/// What a logging call does when the client's buffer already holds `capacity` events waiting to be sent.
/// Every event lost this way is counted in ``LLMLogClient/Statistics/dropped``.
public enum FullBufferPolicy: Sendable, Hashable {
    /// Drop the new event; the call returns at once (the default: logging never slows the caller).
    case dropNewest
    /// Drop the oldest waiting event to make room; the call returns at once.
    case dropOldest
    /// Suspend the caller until there is room (backpressure). A cancelled caller's event is dropped.
    case wait
}
