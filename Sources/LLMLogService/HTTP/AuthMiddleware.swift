import Hummingbird

/// Reads `Authorization: Bearer KEY` and puts the key's principal in the context; 401 when the key is missing,
/// unknown or revoked. The key itself never reaches a log.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let tenants: TenantStore
    let keyUsage: KeyUsageRecorder

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer "
        else { throw APIError.unauthorized }
        let key = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let principal: Principal?
        do {
            principal = try await tenants.authenticate(key: key)
        } catch {
            context.logger.error("key lookup failed", metadata: ["error": "\(error)"])
            throw APIError.unavailable("the database is unavailable", retryAfter: 2)
        }
        guard let principal else { throw APIError.unauthorized }
        keyUsage.record(principal.keyId)
        var context = context
        context.principal = principal
        context.logger[metadataKey: "tenant"] = "\(principal.tenantId)"
        return try await next(request, context)
    }
}
