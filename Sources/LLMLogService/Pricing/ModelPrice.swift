import Foundation

/// One row of `model_prices`: USD per million tokens for each bucket, in force from `effectiveFrom`.
public struct ModelPrice: Sendable, Equatable {
    public var tenantId: UUID?
    public var provider: String
    /// An exact model name or a SQL LIKE pattern (`%` any run, `_` one character, `\` escapes).
    public var modelPattern: String
    public var input: Decimal
    /// Cache-read input; nil means billed at the input price.
    public var cachedInput: Decimal?
    /// Cache-write input; nil means billed at the input price.
    public var cacheCreation: Decimal?
    public var output: Decimal
    /// Reasoning; nil means billed at the output price.
    public var reasoning: Decimal?
    public var effectiveFrom: Date

    /// The exact cost of `usage` at this price: Σ tokens × price / 1,000,000, in Decimal arithmetic.
    public func cost(of usage: TokenUsage) -> Decimal {
        let perMillion =
            Decimal(usage.input) * input
            + Decimal(usage.cachedInput) * (cachedInput ?? input)
            + Decimal(usage.cacheCreationInput) * (cacheCreation ?? input)
            + Decimal(usage.output) * output
            + Decimal(usage.reasoning) * (reasoning ?? output)
        return perMillion / 1_000_000
    }

    /// True if `model` matches the pattern (LIKE semantics, case-sensitive).
    public func matches(model: String) -> Bool { Self.like(Array(model.unicodeScalars), Array(modelPattern.unicodeScalars)) }

    /// True when the pattern has no wildcard: an exact name.
    public var isExact: Bool { !modelPattern.contains("%") && !modelPattern.contains("_") }

    static func like(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
        // Iterative LIKE with backtracking over the last '%'.
        var t = 0, p = 0, starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "\\", p + 1 < pattern.count, pattern[p + 1] == text[t] {
                t += 1
                p += 2
            } else if p < pattern.count, pattern[p] == "_" || (pattern[p] != "%" && pattern[p] != "\\" && pattern[p] == text[t]) {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == "%" {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "%" { p += 1 }
        return p == pattern.count
    }
}
