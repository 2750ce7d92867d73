import Foundation

/// One CSV record (RFC 4180): fields separated by commas, quoted when they hold a comma, quote, CR or LF (quotes
/// doubled), CRLF at the end. A nil field is empty.
enum CSVRow {
    static func line(_ fields: [String?]) -> String {
        fields.map { field -> String in
            guard let field else { return "" }
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }
}
