import Foundation
import Hummingbird

/// Logging in and out of the dashboard, and finding the caller of each page. A login accepts what the API accepts
/// for reading (an admin key, a user token, an operator key) through the API's own `AuthMiddleware` (same lookup,
/// same limit on failed attempts per address); ingest keys cannot read, so they cannot log in.
struct DashboardAuth: Sendable {
    let auth: AuthMiddleware
    let tenants: TenantStore
    let signer: DashboardSessionSigner
    /// How long a session lasts (`LLMLOG_SESSION_TTL_SECONDS`, default 12 h).
    let sessionTTLSeconds: Int

    /// The caller of a page: nil without a valid session (no cookie, bad signature, expired, revoked key).
    func caller(_ request: Request, _ context: AppContext) async throws -> DashboardCaller? {
        guard let value = DashboardCookies.value(DashboardSession.cookieName, in: request.headers),
            let session = signer.verify(value)
        else { return nil }
        var context = context
        switch session.kind {
        case .user:
            guard let tenantId = session.tenantId, let userId = session.userId else { return nil }
            let principal = Principal(tenantId: tenantId, keyId: nil, role: .user, userId: userId)
            try auth.checkRate("user:\(tenantId):\(userId)")
            context.principal = principal
            return DashboardCaller(session: session, principal: principal, operatorKeyId: nil, context: context)
        case .admin:
            guard let hash = session.keyHash.flatMap({ Base64URL.decode(Substring($0)) }),
                let principal = try await auth.lookUp({ try await tenants.authenticate(keyHash: hash) }, context),
                principal.role == .admin, principal.tenantId == session.tenantId
            else { return nil }
            if let keyId = principal.keyId {
                auth.keyUsage.record(keyId)
                try auth.checkRate("key:\(keyId)")
            }
            context.principal = principal
            return DashboardCaller(session: session, principal: principal, operatorKeyId: nil, context: context)
        case .operator:
            guard let hash = session.keyHash.flatMap({ Base64URL.decode(Substring($0)) }),
                let keyId = try await auth.lookUp({ try await tenants.authenticateOperator(keyHash: hash) }, context)
            else { return nil }
            try auth.checkRate("operator:\(keyId)")
            context.operatorKeyId = keyId
            return DashboardCaller(session: session, principal: nil, operatorKeyId: keyId, context: context)
        }
    }

    /// The caller, or `DashboardLoginRequired`.
    func requireCaller(_ request: Request, _ context: AppContext) async throws -> DashboardCaller {
        guard let caller = try await caller(request, context) else { throw DashboardLoginRequired() }
        return caller
    }

    /// The session a credential opens, or nil when it is not accepted (unknown, revoked, expired, an ingest key).
    func session(for credential: String, _ context: AppContext, now: Date = Date()) async throws -> DashboardSession? {
        let expires = Int64(now.timeIntervalSince1970) + Int64(sessionTTLSeconds)
        let csrf = DashboardCSRF.newToken()
        if credential.hasPrefix("llmlog_") { try auth.checkAddress(context) }
        if credential.hasPrefix(APIKeys.operatorPrefix) {
            guard try await auth.lookUp({ try await tenants.authenticateOperator(key: credential) }, context) != nil else {
                _ = auth.failed(context)
                return nil
            }
            return DashboardSession(
                kind: .operator, tenantId: nil, userId: nil, keyHash: Base64URL.encode(APIKeys.hash(credential)),
                expires: expires, csrf: csrf)
        }
        guard !credential.hasPrefix("llmlog_") else {
            guard let principal = try await auth.principal(for: credential, context: context) else {
                _ = auth.failed(context)
                return nil
            }
            guard principal.role == .admin else { return nil }
            return DashboardSession(
                kind: .admin, tenantId: principal.tenantId, userId: nil,
                keyHash: Base64URL.encode(APIKeys.hash(credential)), expires: expires, csrf: csrf)
        }
        guard let claims = auth.tokens.verify(credential, now: now) else {
            _ = auth.failed(context)
            return nil
        }
        // A user session ends when its token would have.
        let tokenEnd = Int64(claims.expiresAt.timeIntervalSince1970)
        return DashboardSession(
            kind: .user, tenantId: claims.tenantId, userId: claims.userId, keyHash: nil,
            expires: min(expires, tokenEnd), csrf: csrf)
    }
}
