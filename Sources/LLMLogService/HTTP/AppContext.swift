import Foundation
import Hummingbird
import Logging
import NIOCore
import PGClient

/// The request context: Hummingbird's core storage, the client's address, and the caller once the auth middleware
/// found it.
public struct AppContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address of the connection's other end; nil in Hummingbird's router test client.
    public let remoteAddress: SocketAddress?
    /// The authenticated tenant caller (API key or user token); nil before authentication and for the operator.
    public var principal: Principal?
    /// The operator key's id when the operator is calling.
    public var operatorKeyId: UUID?
    /// When the request arrived (the default `createdAt` of what it writes).
    public let receivedAt = Date().roundedToMicroseconds
    /// Most bytes of a request body `request.decode(as:context:)` reads: `IngestLimits.maxBodyBytes`, raised by the
    /// routes that take larger bodies (batch, provider payloads).
    public var maxUploadSize = IngestLimits().maxBodyBytes
    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }
    public var responseEncoder: APIResponseEncoder { APIResponseEncoder() }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The tenant caller: 403 for the operator, 401 for nobody.
    public func requirePrincipal() throws(APIError) -> Principal {
        if operatorKeyId != nil { throw APIError.forbidden }
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// The operator key's id: 403 for tenant callers, 401 for nobody.
    public func requireOperator() throws(APIError) -> UUID {
        if let operatorKeyId { return operatorKeyId }
        if principal != nil { throw APIError.forbidden }
        throw APIError.unauthorized
    }

    /// The path parameter `id` as a UUID; 400 `invalid_id` naming `field` otherwise.
    public func pathID(_ field: String = "id") throws(APIError) -> UUID {
        guard let text = parameters.get("id"), let id = UUID(text: text) else {
            throw APIError.invalid(field, "is not a valid UUID", code: "invalid_id")
        }
        return id
    }

    /// The caller if its role is one of `roles`; 401 without a caller, 403 with another role.
    public func require(_ roles: Set<PrincipalRole>) throws(APIError) -> Principal {
        let principal = try requirePrincipal()
        guard roles.contains(principal.role) else { throw APIError.forbidden }
        return principal
    }
}
