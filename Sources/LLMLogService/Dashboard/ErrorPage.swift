import Hummingbird

/// An error as a dashboard page: the status, a sentence, and the offending field when there is one.
enum ErrorPage {
    static func html(_ error: APIError, caller: DashboardCaller?) -> String {
        let heading: String
        switch error.status.code {
        case 404: heading = "Not found"
        case 400: heading = "That request was not understood"
        case 401: heading = "Please log in again"
        case 403: heading = "Not allowed"
        case 429: heading = "Too many requests"
        case 503: heading = "Temporarily unavailable"
        default: heading = "Something went wrong"
        }
        let message = error.status.code == 404 ? "There is nothing here that you may see: \(error.message)." : error.message
        var main = "<h1 data-status=\"\(error.status.code)\">\(HTML.escape(heading))</h1><p>\(HTML.escape(message))"
        if let field = error.field { main += " (<code>\(HTML.escape(field))</code>)" }
        main += "</p><p><a href=\"/dashboard\">Back to the overview</a></p>"
        return DashboardLayout.page(title: heading, caller: caller, main: main)
    }
}
