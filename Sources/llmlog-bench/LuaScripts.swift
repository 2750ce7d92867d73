import Foundation

/// wrk scripts, written at run time: every request carries new UUIDs made in Lua from a per-script random
/// prefix, the wrk thread number and a counter; `done` prints one parseable `WRK …` line.
enum LuaScripts {
    static func randomPrefix() -> String { String(format: "%08x", UInt32.random(in: 0...UInt32.max)) }

    static func common(conversations: [UUID], key: String?) -> String {
        let list = conversations.map { "\"\($0.uuidString.lowercased())\"" }.joined(separator: ",")
        let auth = key.map { "[\"Authorization\"] = \"Bearer \($0)\", " } ?? ""
        return """
            local convs = {\(list)}
            local prefix = "\(randomPrefix())"
            local headers = {\(auth)["Content-Type"] = "application/json"}
            local fields = '\(MessageShape.jsonFields)'
            local counter = 0
            local threads = 0
            function setup(thread)
              thread:set("tid", threads)
              threads = threads + 1
            end
            local function nextid()
              counter = counter + 1
              return string.format("%s-%04x-4000-8000-%012x", prefix, tid, counter)
            end
            done = function(summary, latency, requests)
              io.write(string.format("WRK requests=%d duration_us=%d status_errors=%d socket_errors=%d p50_us=%d p99_us=%d\\n",
                summary.requests, summary.duration, summary.errors.status,
                summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
                latency:percentile(50), latency:percentile(99)))
            end

            """
    }

    /// One message per request to `POST /v1/conversations/{id}/messages`.
    static func singleMessage(conversations: [UUID], key: String?) -> String {
        common(conversations: conversations, key: key) + """
            request = function()
              local id = nextid()
              local conv = convs[(counter * 7 + tid) % #convs + 1]
              local body = '{"id":"' .. id .. '",' .. fields .. ',"processingTime":' .. ((counter * 37) % 5000) .. '}'
              return wrk.format("POST", "/v1/conversations/" .. conv .. "/messages", headers, body)
            end

            """
    }

    /// `events` message.create events per `POST /v1/batch`, ten per conversation.
    static func batch(conversations: [UUID], key: String, events: Int) -> String {
        common(conversations: conversations, key: key) + """
            request = function()
              local parts = {}
              for i = 1, \(events) do
                local id = nextid()
                local conv = convs[(math.floor(counter / 10) * 2 + tid) % #convs + 1]
                parts[i] = '{"id":"' .. id .. '","type":"message.create","body":{"conversationId":"' .. conv .. '",'
                  .. fields .. ',"processingTime":' .. ((counter * 37) % 5000) .. '}}'
              end
              return wrk.format("POST", "/v1/batch", headers, '{"events":[' .. table.concat(parts, ",") .. ']}')
            end

            """
    }
}
