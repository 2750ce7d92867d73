import Foundation

/// The conversation list (`/dashboard/conversations`): a filter form (type, status, user for admins, model, days,
/// text search), export links for the same filters, and one keyset page of rows, each `data-conversation-id`.
enum ConversationsPage {
    /// The filter parameters the page keeps in its links (names as in the query).
    static let parameterNames = ["type", "status", "userId", "model", "from", "to", "q"]

    static func html(_ conversations: [ConversationRecord], next: String?, parameters: [String: String], caller: DashboardCaller) -> String {
        func value(_ name: String) -> String { HTML.escape(parameters[name] ?? "") }
        var main = "<h1>Conversations</h1><form class=\"filters\" method=\"get\" action=\"/dashboard/conversations\" role=\"search\">"
        main += "<label class=\"wide\">Search message words<input type=\"search\" name=\"q\" value=\"\(value("q"))\" maxlength=\"200\"></label>"
        main += "<label>Type<input name=\"type\" value=\"\(value("type"))\" placeholder=\"e.g. CHAT\"></label>"
        main += "<label>Status<select name=\"status\"><option value=\"\">any</option>"
        for status in ["ACTIVE", "COMPLETED", "FAILED", "CANCELLED"] {
            main += "<option\(parameters["status"] == status ? " selected" : "")>\(status)</option>"
        }
        main += "</select></label>"
        if caller.isAdmin { main += "<label>User<input name=\"userId\" value=\"\(value("userId"))\"></label>" }
        main += "<label>Model<input name=\"model\" value=\"\(value("model"))\"></label>"
        main += "<label>From (UTC day)<input type=\"date\" name=\"from\" value=\"\(value("from"))\"></label>"
        main += "<label>To (UTC day)<input type=\"date\" name=\"to\" value=\"\(value("to"))\"></label>"
        main += "<button type=\"submit\">Filter</button></form>"
        let filterQuery = HTML.query(parameterNames.map { ($0, parameters[$0]) })
        let exportQuery = filterQuery.isEmpty ? "?" : filterQuery + "&"
        main += "<div class=\"actions\"><span class=\"hint\">Export these conversations:</span>"
        main += "<a href=\"/dashboard/export/conversations\(HTML.escape(filterQuery))\" data-export=\"conversations\">Conversations (NDJSON)</a>"
        main += "<a href=\"/dashboard/export/conversations\(HTML.escape(exportQuery))format=csv\">Conversations (CSV)</a>"
        main += "<a href=\"/dashboard/export/messages\(HTML.escape(filterQuery))\" data-export=\"messages\">Messages (NDJSON)</a>"
        main += "<a href=\"/dashboard/export/messages\(HTML.escape(exportQuery))format=csv\">Messages (CSV)</a></div>"
        if conversations.isEmpty {
            main += "<p class=\"empty\">No conversation matches these filters.</p>"
        } else {
            main +=
                "<div class=\"table-wrap\"><table class=\"conversations\"><thead><tr><th scope=\"col\">Created (UTC)</th><th scope=\"col\">Title</th>"
            main += "<th scope=\"col\" class=\"opt\">Type</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"opt\">User</th>"
            main += "<th scope=\"col\" class=\"opt\">Model</th><th scope=\"col\" class=\"num opt\">Messages</th>"
            main += "<th scope=\"col\" class=\"num opt\">Tokens</th><th scope=\"col\" class=\"num\">Cost</th></tr></thead><tbody>"
            for conversation in conversations {
                let id = conversation.id.lowercasedString
                main += "<tr data-conversation-id=\"\(id)\"><td class=\"when\">\(when(conversation.createdAt))</td>"
                main += "<td><a href=\"/dashboard/conversations/\(id)\">\(HTML.escape(conversation.title ?? "(untitled)"))</a></td>"
                main += "<td class=\"opt\">\(HTML.escape(conversation.type))</td>"
                main += "<td><span class=\"status status-\(conversation.status.rawValue)\">\(conversation.status.rawValue)</span></td>"
                main += "<td class=\"opt\">\(HTML.escape(conversation.userId ?? "—"))</td><td class=\"opt\">\(HTML.escape(conversation.model))</td>"
                main += "<td class=\"num opt\">\(PeopleFormat.count(Int64(conversation.messageCount)))</td>"
                main += "<td class=\"num opt\">\(PeopleFormat.count(conversation.totalTokensUsed))</td>"
                main += "<td class=\"num\">\(PeopleFormat.money(conversation.totalCost))</td></tr>"
            }
            main += "</tbody></table></div>"
        }
        if let next {
            let nextQuery = HTML.query(parameterNames.map { ($0, parameters[$0]) } + [("cursor", next)])
            main += "<p class=\"pager\"><a rel=\"next\" href=\"/dashboard/conversations\(HTML.escape(nextQuery))\">Older conversations →</a></p>"
        }
        return DashboardLayout.page(title: "Conversations", caller: caller, current: "conversations", main: main)
    }

    /// `yyyy-MM-dd HH:mm` in two unbreakable parts (a narrow screen wraps between the day and the time).
    static func when(_ date: Date) -> String {
        let text = PeopleFormat.time(date)
        return "<span>\(text.prefix(10))</span> <span>\(text.dropFirst(11))</span>"
    }
}
