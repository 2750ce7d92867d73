import Foundation
import Hummingbird

/// `POST /v1/tokens {userId, ttlSeconds}` → 201 `{token, expiresAt}`: an admin key mints a short-lived token that lets
/// one user of its tenant read their own conversations.
struct TokenRoutes {
    let tokens: TokenKeyRing
    let maxTTLSeconds: Int
    let limits: IngestLimits
    /// Lifetime when the request names none.
    static let defaultTTLSeconds = 3600

    struct CreateRequest: Decodable {
        let userId: String
        let ttlSeconds: Int64?

        enum CodingKeys: String, CodingKey { case userId, ttlSeconds }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            userId = try container.decode(String.self, forKey: .userId)
            ttlSeconds = try container.decodeInteger(forKey: .ttlSeconds)
        }
    }

    struct CreateResponse: ResponseEncodable {
        let token: String
        let expiresAt: Date
    }

    func register(on group: RouterGroup<AppContext>) {
        group.post("tokens") { request, context in
            let principal = try context.require([.admin])
            let body = try await request.decode(as: CreateRequest.self, context: context)
            try IngestValidation.text(body.userId, field: "userId", max: 256, required: true)
            let ttl = body.ttlSeconds ?? Int64(Self.defaultTTLSeconds)
            guard ttl >= 1, ttl <= Int64(maxTTLSeconds) else {
                throw APIError.invalid("ttlSeconds", "must be from 1 to \(maxTTLSeconds)")
            }
            let minted = try tokens.mint(tenantId: principal.tenantId, userId: body.userId, ttl: Int(ttl))
            return EditedResponse(status: .created, response: CreateResponse(token: minted.token, expiresAt: minted.expiresAt))
        }
    }
}
