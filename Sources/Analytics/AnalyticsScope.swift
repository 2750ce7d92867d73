import Foundation

/// Whose rows an analytics query covers. The store names the scope in every query's WHERE clause and also sets the
/// row-level-security settings of the transaction from it (sql/003 and sql/007), so a wrong filter still cannot
/// widen it.
public enum AnalyticsScope: Sendable, Equatable {
    /// Every tenant (the operator).
    case system
    /// One tenant (its admin).
    case tenant(UUID)
    /// One user of one tenant (a user token).
    case user(tenantId: UUID, userId: String)

    /// The tenant filter, nil for the system scope.
    public var tenantId: UUID? {
        switch self {
        case .system: nil
        case .tenant(let id): id
        case .user(let id, _): id
        }
    }

    /// The user filter, nil unless one user.
    public var userId: String? {
        if case .user(_, let userId) = self { return userId }
        return nil
    }
}
