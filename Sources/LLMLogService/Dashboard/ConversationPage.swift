import Foundation

/// One conversation (`/dashboard/conversations/{id}`): its facts, then its messages in order, each an `<article>`
/// with `data-message-id`: role, content (escaped, in a `<pre>`), token buckets, cost, processing time, finish reason.
enum ConversationPage {
    static func html(_ detail: ReadRoutes.ConversationDetail, caller: DashboardCaller) -> String {
        let conversation = detail.conversation
        let id = conversation.id.lowercasedString
        var main = "<p><a href=\"/dashboard/conversations\">← Conversations</a></p>"
        main += "<h1 data-conversation-id=\"\(id)\">\(HTML.escape(conversation.title ?? "(untitled conversation)"))</h1><dl class=\"facts\">"
        func fact(_ name: String, _ value: String) { main += "<dt>\(name)</dt><dd>\(HTML.escape(value))</dd>" }
        fact("Id", id)
        fact("Type", conversation.type)
        fact("Status", conversation.status.rawValue)
        fact("User", conversation.userId ?? "—")
        fact("Model", conversation.provider + " / " + conversation.model)
        fact("Created", PeopleFormat.time(conversation.createdAt) + " UTC")
        fact("Messages", PeopleFormat.count(Int64(conversation.messageCount)))
        fact("Tokens", PeopleFormat.count(conversation.totalTokensUsed))
        fact("Cost", PeopleFormat.money(conversation.totalCost))
        if let error = conversation.errorMessage { fact("Error", error) }
        main += "</dl><h2>Messages</h2>"
        if detail.messages.isEmpty { main += "<p class=\"empty\">No message was logged in this conversation.</p>" }
        for message in detail.messages {
            main += "<article class=\"message\" data-message-id=\"\(message.id.lowercasedString)\" data-role=\"\(message.role.rawValue)\"><header>"
            main += "<span class=\"role\">\(message.role.rawValue)</span><span>#\(message.messageIndex)</span>"
            main += "<time datetime=\"\(ISO8601.format(message.createdAt))\">\(PeopleFormat.time(message.createdAt)) UTC</time>"
            main += "<span>\(HTML.escape(message.model))</span></header>"
            main += "<pre class=\"content\">\(HTML.escape(message.content))</pre><footer>"
            func bucket(_ name: String, _ value: Int64?) {
                if let value { main += "<span data-bucket=\"\(name)\">\(name): \(PeopleFormat.count(value))</span>" }
            }
            bucket("input", message.inputTokens)
            bucket("cache read", message.cachedInputTokens)
            bucket("cache write", message.cacheCreationInputTokens)
            bucket("output", message.outputTokens)
            bucket("reasoning", message.reasoningTokens)
            bucket("total", message.totalTokens)
            main += "<span>cost: \(message.cost.map(PeopleFormat.money) ?? "unpriced")</span>"
            if let time = message.processingTime { main += "<span>time: \(PeopleFormat.duration(milliseconds: Double(time)))</span>" }
            if let finish = message.finishReason { main += "<span>finish: \(HTML.escape(finish))</span>" }
            if let error = message.errorMessage { main += "<span class=\"error\">error: \(HTML.escape(error))</span>" }
            main += "</footer></article>"
        }
        if let next = detail.nextCursor {
            main += "<p class=\"pager\"><a rel=\"next\" href=\"/dashboard/conversations/\(id)?after=\(next)\">Later messages →</a></p>"
        }
        return DashboardLayout.page(title: conversation.title ?? "Conversation", caller: caller, current: "conversations", main: main)
    }
}
