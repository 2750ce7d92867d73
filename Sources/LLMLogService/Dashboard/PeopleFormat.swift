import Foundation

/// Numbers as people read them (`$12.34`, `1,234,567`, `1.2M`, `87.5 %`, `2.3 s`). Deterministic (no locale):
/// the machine values stay in `data-value` attributes.
enum PeopleFormat {
    /// A whole number with thousands separators.
    static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A count in short form for axes and tight cells: 950, 12.3k, 1.2M, 3.4B.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        func trimmed(_ number: Double, _ suffix: String) -> String {
            let text = number >= 100 ? String(format: "%.0f", number) : String(format: "%.1f", number)
            return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + suffix
        }
        switch magnitude {
        case 1e9...: return trimmed(value / 1e9, "B")
        case 1e6...: return trimmed(value / 1e6, "M")
        case 1e3...: return trimmed(value / 1e3, "k")
        default: return trimmed(value, "")
        }
    }

    /// US dollars: cents from $0.01 up, four significant digits below (`$0.0013`), `$0` for zero.
    static func money(_ value: Decimal) -> String {
        money(NSDecimalNumber(decimal: value).doubleValue)
    }

    static func money(_ value: Double) -> String {
        if value == 0 { return "$0" }
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        if magnitude < 0.01 { return sign + "$" + String(format: "%.2g", magnitude) }
        let cents = (magnitude * 100).rounded()
        let dollars = Int64(cents / 100)
        let rest = Int64(cents) % 100
        return sign + "$" + count(dollars) + "." + String(rest).leftPadded(to: 2)
    }

    /// A ratio as a percentage with one decimal (`87.5 %`); `—` for none.
    static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "—" }
        return String(format: "%.1f %%", ratio * 100)
    }

    /// Milliseconds for people: `850 ms`, `2.3 s`, `4.1 min`; `—` for none.
    static func duration(milliseconds: Double?) -> String {
        guard let value = milliseconds else { return "—" }
        if value < 1000 { return String(format: "%.0f ms", value) }
        if value < 60_000 { return String(format: "%.1f s", value / 1000) }
        return String(format: "%.1f min", value / 60_000)
    }

    /// `yyyy-MM-dd HH:mm` UTC.
    static func time(_ date: Date) -> String {
        let text = ISO8601.format(date)
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5)
    }

    /// A machine value for `data-value`: the text the API's JSON has for it, empty for none.
    static func machine(_ value: Decimal) -> String { json(value) }
    static func machine(_ value: Int64) -> String { String(value) }
    static func machine(_ value: Double?) -> String { value.map(json) ?? "" }

    private static func json(_ value: some Encodable) -> String {
        (try? APIJSON.encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
