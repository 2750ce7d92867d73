/// Token counts in five non-overlapping buckets (see docs/pricing.md for how provider usage objects map):
/// uncached input, cache-read input, cache-write input, output without reasoning, reasoning.
public struct TokenUsage: Sendable, Equatable, Hashable {
    public var input: Int64
    public var cachedInput: Int64
    public var cacheCreationInput: Int64
    public var output: Int64
    public var reasoning: Int64

    public init(input: Int64 = 0, cachedInput: Int64 = 0, cacheCreationInput: Int64 = 0, output: Int64 = 0, reasoning: Int64 = 0) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheCreationInput = cacheCreationInput
        self.output = output
        self.reasoning = reasoning
    }

    /// The sum of the buckets.
    public var total: Int64 { input + cachedInput + cacheCreationInput + output + reasoning }
}
