import Analytics
import Foundation
import Hummingbird

/// The seed's analytics endpoint, for apps migrating from it, answering with the /v1 routes' JSON and access rules:
/// `GET /api/llm-analytics?action=conversations&type=&limit=` (= `GET /v1/conversations`),
/// `?action=analytics&days=` (= `GET /v1/analytics/usage`), `?action=conversation&id=` (= `GET /v1/conversations/{id}`),
/// and `POST /api/llm-analytics` with an optional body `{"days": N}` (= `GET /v1/admin/analytics`).
struct SeedCompatibilityRoutes {
    let list: ConversationListRoute
    let detail: ReadRoutes
    let analytics: AnalyticsRoutes
    let limits: IngestLimits

    struct AdminBody: Decodable { var days: Int? }

    func register(on group: RouterGroup<AppContext>) {
        group.get("llm-analytics") { request, context in try await get(request, context) }
        group.post("llm-analytics") { request, context in try await post(request, context) }
    }

    func get(_ request: Request, _ context: AppContext) async throws -> Response {
        switch request.uri.queryParameters.get("action") {
        case "conversations":
            return try await list.list(request, context).response(from: request, context: context)
        case "analytics":
            return try await analytics.usage(request, context).response(from: request, context: context)
        case "conversation":
            guard let text = request.uri.queryParameters.get("id"), let id = UUID(uuidString: text) else {
                throw APIError.invalid("id", "is not a valid UUID", code: "invalid_id")
            }
            return try await detail.conversation(id: id, request, context).response(from: request, context: context)
        case nil:
            throw APIError.invalid("action", "is required: conversations, analytics or conversation", code: "missing_field")
        default:
            throw APIError.invalid("action", "must be conversations, analytics or conversation")
        }
    }

    func post(_ request: Request, _ context: AppContext) async throws -> UsageReport {
        var days: Int?
        if let length = request.headers[.contentLength].flatMap(Int.init), length > 0 {
            days = try await request.decode(as: AdminBody.self, context: context).days
        }
        if let given = days, !AnalyticsWindow.dayRange.contains(given) {
            throw APIError.invalid("days", "must be an integer from 1 to 365")
        }
        return try await analytics.adminAnalytics(request, context, days: days)
    }
}
