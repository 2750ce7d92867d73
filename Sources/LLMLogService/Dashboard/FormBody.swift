import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body (the dashboard's forms), at most `maxBytes`.
enum FormBody {
    static let maxBytes = 16 * 1024

    /// The fields of the request's body; a body over `maxBytes` is a 413.
    static func fields(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: maxBytes)
        return parse(String(buffer: buffer))
    }

    /// `a=1&b=x+y%21` → ["a": "1", "b": "x y!"]; the first of repeated names wins.
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }
}
