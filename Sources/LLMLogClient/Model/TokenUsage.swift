/// A message's token usage in the service's five non-overlapping buckets (see the service's `docs/pricing.md`
/// for how OpenAI and Anthropic usage objects map onto them). Leave a bucket nil when it is unknown.
public struct TokenUsage: Sendable, Hashable {
    /// Uncached input tokens (OpenAI: `prompt_tokens` minus cached; Anthropic: `input_tokens`).
    public var input: Int64?
    /// Input tokens read from the prompt cache.
    public var cachedInput: Int64?
    /// Input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`).
    public var cacheCreationInput: Int64?
    /// Output tokens, without reasoning tokens.
    public var output: Int64?
    /// Reasoning tokens.
    public var reasoning: Int64?
    /// The total; the service defaults it to the sum of the buckets.
    public var total: Int64?

    public init(
        input: Int64? = nil, cachedInput: Int64? = nil, cacheCreationInput: Int64? = nil, output: Int64? = nil,
        reasoning: Int64? = nil, total: Int64? = nil
    ) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheCreationInput = cacheCreationInput
        self.output = output
        self.reasoning = reasoning
        self.total = total
    }
}
