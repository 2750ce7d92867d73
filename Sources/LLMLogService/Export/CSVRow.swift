import Foundation

/// One CSV record (RFC 4180): fields separated by commas, quoted when they hold a comma, quote, CR or LF (quotes
/// doubled), CRLF at the end. A nil field is empty. A field a spreadsheet would run as a formula — one that starts
/// with `=`, `+`, `@`, a tab or CR, or with `-` without being a number — gets a leading apostrophe (OWASP's advice
/// against CSV injection), so stored text shows as text.
enum CSVRow {
    static func line(_ fields: [String?]) -> String {
        fields.map { field -> String in
            guard let field else { return "" }
            let text = isFormula(field) ? "'" + field : field
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }

    /// Whether a spreadsheet would take `field` for a formula.
    static func isFormula(_ field: String) -> Bool {
        guard let first = field.utf8.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        case UInt8(ascii: "-"): return Double(field) == nil
        default: return false
        }
    }
}
