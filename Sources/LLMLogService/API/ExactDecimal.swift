import Foundation

/// An exact decimal from a JSON body: a string of digits (`"25.00"`) or a JSON number (`25`), never read through
/// `Double`. Encoded as a decimal string.
struct ExactDecimal: Codable, Sendable, Equatable {
    let value: Decimal

    init(_ value: Decimal) { self.value = value }

    /// Plain decimal text: up to 15 integer digits and 12 fraction digits, no sign, exponent or spaces.
    static func parse(_ text: String) -> Decimal? {
        guard text.wholeMatch(of: #/[0-9]{1,15}(\.[0-9]{1,12})?/#) != nil else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Self.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be a decimal number (text like \"25.00\" or a JSON number)")
            }
            self.value = value
        } else {
            let value = try container.decode(Decimal.self)
            // As for text: at most 12 fraction digits and a plain size, so every value stores and prints exactly.
            guard !value.isNaN, value.exponent >= -12, value.magnitude < Decimal(string: "1e15")! else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be a decimal number below 10^15 with at most 12 fraction digits")
            }
            self.value = value
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value.plainText)
    }
}

extension Decimal {
    /// The value as plain decimal text (`12.5`, `0`), never in exponent form.
    var plainText: String {
        var copy = self
        return NSDecimalString(&copy, Locale(identifier: "en_US_POSIX"))
    }
}
