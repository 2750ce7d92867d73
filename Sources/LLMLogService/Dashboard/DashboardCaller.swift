import Analytics
import Foundation
import Hummingbird

/// Who is looking at a dashboard page: the verified session and the caller it stands for, found the same way the
/// API finds its callers (an admin or operator session's key is looked up again, so a revoked key ends the session).
struct DashboardCaller: Sendable {
    let session: DashboardSession
    /// The tenant caller (admin or user sessions); nil for the operator.
    let principal: Principal?
    /// The operator key's id (operator sessions).
    let operatorKeyId: UUID?
    /// The context with the caller in it, as the API's routes see theirs.
    let context: AppContext

    /// What the caller's analytics cover (as `GET /v1/analytics/usage`).
    var scope: AnalyticsScope {
        if operatorKeyId != nil { return .system }
        return principal?.readScope ?? .system
    }

    var isOperator: Bool { operatorKeyId != nil }
    var isAdmin: Bool { principal?.role == .admin }

    /// A short description for the header: "admin · tenant …", "user alice", "operator".
    var label: String {
        if isOperator { return "operator" }
        guard let principal else { return "" }
        if let userId = principal.userId { return "user \(userId)" }
        return "admin · tenant \(principal.tenantId.lowercasedString.prefix(8))"
    }
}

/// A dashboard page asked for without a (valid) session: the client is sent to the login form.
struct DashboardLoginRequired: Error {}

/// An error of a page whose caller is known, so its error page keeps the navigation.
struct DashboardPageError: Error {
    let error: any Error
    let caller: DashboardCaller
}

extension DashboardCaller {
    /// Runs a page's work; its errors carry this caller to the error page.
    func page(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch {
            throw DashboardPageError(error: error, caller: self)
        }
    }
}
