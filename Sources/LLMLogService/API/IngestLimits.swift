/// Size and shape limits on ingest, all configurable (see README "Configuration").
public struct IngestLimits: Sendable {
    /// Largest body of a single-object request, in bytes.
    public var maxBodyBytes = 2 * 1024 * 1024
    /// Largest body of `POST /v1/batch`, in bytes.
    public var maxBatchBodyBytes = 16 * 1024 * 1024
    /// Most events in one batch.
    public var maxBatchEvents = 1000
    /// Longest message content, in UTF-8 bytes.
    public var maxContentBytes = 1024 * 1024
    /// Largest metadata object, in bytes of its JSON.
    public var maxMetadataBytes = 64 * 1024
    /// Deepest metadata nesting.
    public var maxMetadataDepth = 32
    /// How far in the future a client's `createdAt` may be (clock skew), in seconds.
    public var maxFutureSkewSeconds = 300.0
    /// Largest page a list may ask for (`limit` of `GET /v1/conversations`, `byUser` of admin analytics).
    public var maxPageSize = 200
    /// Most bytes of stored text (content, titles, metadata, error messages) one page of conversations or messages
    /// carries; a page that would pass it ends early with a cursor to the rest.
    public var maxAnswerBytes = 4 * 1024 * 1024

    public init() {}
}
