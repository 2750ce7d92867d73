/// The login form: one `key` field (admin key, user token or operator key), the CSRF token, a submit button.
enum LoginPage {
    static func html(csrf: String, message: String? = nil) -> String {
        var main = "<section class=\"login\"><h1>Log in to llmlog</h1>"
        if let message { main += "<p class=\"error\" role=\"alert\">\(HTML.escape(message))</p>" }
        main += """
            <form method="post" action="/dashboard/login">
            <input type="hidden" name="csrf" value="\(HTML.escape(csrf))">
            <label for="key">Admin key, user token or operator key
            <input id="key" name="key" type="password" autocomplete="off" required autofocus></label>
            <button type="submit">Log in</button>
            </form>
            <p class="hint">The key is checked once and never stored in the browser: the session cookie only says who you are, until it expires.</p>
            </section>
            """
        return DashboardLayout.page(title: "Log in", caller: nil, main: main)
    }
}
