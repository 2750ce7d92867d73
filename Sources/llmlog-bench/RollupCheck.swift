import Foundation

/// A small, varied dataset sent through the service (`POST /v1/batch`), so the writer builds its rollups: past
/// conversations over several hours and days, anonymous users, an unpriced model, client-reported totals before
/// and without usage, every status, messages without usage, with a cost only, and processing times of 0, 1, 2,
/// 3, bucket edges and beyond the last bucket. `RollupSQL.compare` then checks the SQL rebuild against it.
enum RollupCheck {
    static func batches(now: Date) -> [Data] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func time(_ date: Date) -> String { formatter.string(from: date) }
        let models = [("anthropic", "claude-sonnet-4-5-20250929"), ("openai", "gpt-4o"), ("acme", "unknown-model-1")]
        let types = ["RESUME_ANALYSIS", "CHAT", "JOB_MATCH"]
        let times: [Int?] = [nil, 0, 1, 2, 3, 4, 7, 8, 181, 1000, 2300, 65_536, 20_000_000, 100_000_000]
        var first: [[String: Any]] = [], second: [[String: Any]] = []
        for c in 0..<24 {
            let id = UUID().uuidString.lowercased()
            let created = now.addingTimeInterval(-Double(c) * 5 * 3600 - 600 - Double(c * 97 % 3000))
            let (provider, model) = models[c % models.count]
            var body: [String: Any] = ["id": id, "type": types[c % types.count], "provider": provider, "model": model, "createdAt": time(created)]
            if c % 4 != 3 { body["userId"] = "check-user-\(c % 5)" }
            first.append(["id": UUID().uuidString.lowercased(), "type": "conversation.create", "body": body])
            if c % 3 == 0 {
                first.append([
                    "id": UUID().uuidString.lowercased(), "type": "conversation.update",
                    "body": ["conversationId": id, "totalTokensUsed": 1000 + c, "totalCost": 0.05 + Double(c) / 100] as [String: Any],
                ])
            }
            let messageCount = c % 6 == 0 ? 0 : c % 5 + 1
            for m in 0..<messageCount {
                var message: [String: Any] = [
                    "conversationId": id, "role": m % 2 == 0 ? "USER" : "ASSISTANT", "content": "check \(c).\(m)",
                    "createdAt": time(created.addingTimeInterval(Double(m) * 2400)),
                ]
                if m % 2 == 1 || c % 7 == 1 {
                    message["inputTokens"] = 100 * (c + 1)
                    message["outputTokens"] = 10 * (m + 1)
                    if c % 2 == 0 {
                        message["cachedInputTokens"] = 50
                        message["reasoningTokens"] = 7
                    }
                }
                if c % 8 == 5 && m == 0 { message["cost"] = 0.0123 }
                if let processing = times[(c + m * 5) % times.count] { message["processingTime"] = processing }
                second.append(["id": UUID().uuidString.lowercased(), "type": "message.create", "body": message])
            }
            let statuses = ["COMPLETED", "FAILED", "CANCELLED", nil]
            if let status = statuses[c % statuses.count] {
                second.append([
                    "id": UUID().uuidString.lowercased(), "type": "conversation.update", "body": ["conversationId": id, "status": status],
                ])
            }
        }
        return [first, second].map { events in (try? JSONSerialization.data(withJSONObject: ["events": events])) ?? Data() }
    }
}
