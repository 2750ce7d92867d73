import Hummingbird

/// `GET /v1/export/conversations` and `GET /v1/export/messages`: the list's filters (`type`, `status`, `userId`
/// (admins), `model`, `from`, `to`, `q`) and `format` (`ndjson`, default, or `csv`); the callers and visibility of
/// `GET /v1/conversations` (admin keys: their tenant; user tokens: their own; others 403).
struct ExportRoutes {
    let export: ConversationExport

    func register(on group: RouterGroup<AppContext>) {
        group.get("export/conversations") { request, context in
            let (principal, filters, format) = try Self.parse(request, context)
            return try await export.conversations(principal: principal, filters: filters, format: format)
        }
        group.get("export/messages") { request, context in
            let (principal, filters, format) = try Self.parse(request, context)
            return try await export.messages(principal: principal, filters: filters, format: format)
        }
    }

    static func parse(_ request: Request, _ context: AppContext) throws(APIError) -> (Principal, ConversationFilters, ExportFormat) {
        let principal = try context.require(ReadRoutes.readers)
        let query = request.uri.queryParameters
        return (principal, try ConversationFilters(query, principal: principal), try ExportFormat(parameter: query.get("format")))
    }
}
