/// The frame of every dashboard page: head (one stylesheet, no script), the navigation with the caller and the
/// logout form (CSRF token), and the main content. `title` and `caller.label` are escaped here; `main` is HTML the
/// page built (escaping its own strings).
enum DashboardLayout {
    /// The stylesheet's URL; its version changes with its content, so it can be cached for a long time.
    static let stylesheetURL = "/dashboard/assets/dashboard.css?v=\(DashboardStylesheet.version)"

    static func page(title: String, caller: DashboardCaller?, current: String = "", main: String) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(HTML.escape(title)) · llmlog</title><link rel="stylesheet" href="\(stylesheetURL)"></head>
            <body><header class="top"><a class="brand" href="/dashboard">llmlog</a>
            """
        if let caller {
            func link(_ href: String, _ name: String, _ key: String) -> String {
                "<a href=\"\(href)\"\(current == key ? " aria-current=\"page\"" : "")>\(name)</a>"
            }
            html += "<nav aria-label=\"Main\">" + link("/dashboard", "Overview", "overview")
            if !caller.isOperator { html += link("/dashboard/conversations", "Conversations", "conversations") }
            html += "</nav><div class=\"who\"><span data-caller=\"\(caller.isOperator ? "operator" : caller.isAdmin ? "admin" : "user")\">"
            html += HTML.escape(caller.label) + "</span>"
            html +=
                "<form method=\"post\" action=\"/dashboard/logout\"><input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(caller.session.csrf))\">"
            html += "<button type=\"submit\" class=\"link\">Log out</button></form></div>"
        }
        html += "</header><main>\(main)</main></body></html>\n"
        return html
    }
}
