import Foundation
import Hummingbird
import Logging
import PGClient

/// The request context: Hummingbird's core storage plus the caller, once the auth middleware found it.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil before authentication and on public routes.
    public var principal: Principal?
    /// When the request arrived (the default `createdAt` of what it writes).
    public let receivedAt = Date().roundedToMicroseconds

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The caller, or 401.
    public func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// The caller if its role is one of `roles`; 401 without a caller, 403 with another role.
    public func require(_ roles: Set<PrincipalRole>) throws(APIError) -> Principal {
        let principal = try requirePrincipal()
        guard roles.contains(principal.role) else { throw APIError.forbidden }
        return principal
    }
}
