import Hummingbird

/// Reads `Authorization: Bearer CREDENTIAL` and puts the caller in the context: an API key (`llmlog_…`, looked up
/// by hash on every request — concurrent requests share one query, started after each of them arrived — so a
/// revocation counts from the next request on every instance) or a user token (verified in memory). 401 when it is
/// missing, unknown, revoked, expired or forged. Credentials never reach a log.
/// A known caller past its rate limit gets 429 (see `RateLimiter`).
///
/// Failed authentications are limited per client address (`authFailures`, see `ClientAddress`): every 401 takes a
/// token from the address's bucket, and while it is empty the address's requests that would cost a key lookup get
/// 429 before any database work (user tokens, verified in memory, are still checked). Lookups already under way when
/// the bucket empties still finish: an address can pass its budget by as many requests as it had in flight.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let tenants: TenantStore
    let keyUsage: KeyUsageRecorder
    let tokens: TokenKeyRing
    var rateLimiter: RateLimiter?
    var authFailures: RateLimiter?
    var metrics: ServiceMetrics?

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else { throw failed(context) }
        let credential = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        if credential.hasPrefix("llmlog_") { try checkAddress(context) }
        if credential.hasPrefix(APIKeys.operatorPrefix) {
            guard let keyId = try await lookUp({ try await tenants.authenticateOperator(key: credential) }, context) else {
                throw failed(context)
            }
            try checkRate("operator:\(keyId)")
            var context = context
            context.operatorKeyId = keyId
            context.logger[metadataKey: "operator"] = "\(keyId)"
            return try await next(request, context)
        }
        guard let principal = try await principal(for: credential, context: context) else { throw failed(context) }
        if let keyId = principal.keyId { keyUsage.record(keyId) }
        try checkRate(principal.keyId.map { "key:\($0)" } ?? "user:\(principal.tenantId):\(principal.userId ?? "")")
        var context = context
        context.principal = principal
        context.logger[metadataKey: "tenant"] = "\(principal.tenantId)"
        return try await next(request, context)
    }

    /// 429 with Retry-After when `subject` (a key id or a token's tenant and user) is over its rate.
    func checkRate(_ subject: String) throws(APIError) {
        guard let rateLimiter, case .limited(let seconds) = rateLimiter.admit(subject) else { return }
        metrics?.recordRateLimited(.caller)
        throw APIError.rateLimited(retryAfter: seconds)
    }

    /// 429 with Retry-After when the client's address has used up its failed authentications.
    func checkAddress(_ context: AppContext) throws(APIError) {
        guard let authFailures, case .limited(let seconds) = authFailures.check(ClientAddress.subject(context.remoteAddress)) else { return }
        metrics?.recordRateLimited(.clientAddress)
        throw APIError.authFailuresLimited(retryAfter: seconds)
    }

    /// The 401 for a failed authentication, charged to the client's address.
    func failed(_ context: AppContext) -> APIError {
        _ = authFailures?.admit(ClientAddress.subject(context.remoteAddress))
        return .unauthorized
    }

    /// The caller a credential stands for, or nil.
    func principal(for credential: String, context: AppContext) async throws(APIError) -> Principal? {
        guard credential.hasPrefix("llmlog_") else {
            return tokens.verify(credential).map { Principal(tenantId: $0.tenantId, keyId: nil, role: .user, userId: $0.userId) }
        }
        return try await lookUp({ try await tenants.authenticate(key: credential) }, context)
    }

    /// Runs a key lookup; a database failure is a 503, not a 401.
    func lookUp<T>(_ body: () async throws -> T, _ context: AppContext) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            context.logger.error("key lookup failed", metadata: ["error": "\(error)"])
            throw APIError.unavailable("the database is unavailable", retryAfter: 2)
        }
    }
}
