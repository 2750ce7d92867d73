import Foundation

/// One event of `POST /v1/batch`. Its `id` is made once, at enqueue time, and sent unchanged on every retry;
/// creates carry their entity id in the body too, so a resent batch is answered as an idempotent replay.
struct BatchEvent: Encodable, Sendable {
    enum Body: Sendable {
        case conversationCreate(ConversationCreateBody)
        case conversationUpdate(ConversationUpdateBody)
        case messageCreate(MessageCreateBody)
    }

    let id: String
    let body: Body

    var type: String {
        switch body {
        case .conversationCreate: "conversation.create"
        case .conversationUpdate: "conversation.update"
        case .messageCreate: "message.create"
        }
    }

    enum CodingKeys: String, CodingKey { case id, type, body }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        switch body {
        case .conversationCreate(let body): try container.encode(body, forKey: .body)
        case .conversationUpdate(let body): try container.encode(body, forKey: .body)
        case .messageCreate(let body): try container.encode(body, forKey: .body)
        }
    }

    /// The bytes of a batch body holding these already encoded events: `{"events":[…]}`.
    static func batchBody(_ events: some Collection<Data>) -> Data {
        var body = Data(#"{"events":["#.utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(event)
        }
        body.append(contentsOf: Array("]}".utf8))
        return body
    }
}
