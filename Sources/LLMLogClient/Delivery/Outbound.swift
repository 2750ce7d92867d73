/// Something to send, with its place in enqueue order (the sender keeps that order).
struct Outbound: Sendable {
    enum Payload: Sendable {
        /// Sent in `POST /v1/batch` with its neighbours.
        case event(BatchEvent)
        /// Sent alone to `POST /v1/ingest/{provider}`.
        case provider(ProviderIngest)
    }

    let sequence: UInt64
    let payload: Payload
}
