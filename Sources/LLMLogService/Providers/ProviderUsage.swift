import Foundation

/// Provider usage objects mapped onto llmlog's five non-overlapping buckets (TokenUsage; docs/pricing.md and
/// docs/provider-ingest.md). Counts that do not add up are a 400 naming the field; missing counts are 0.
enum ProviderUsage {
    /// OpenAI: `prompt_tokens` / `input_tokens` INCLUDE the cached tokens, `completion_tokens` / `output_tokens`
    /// INCLUDE the reasoning tokens, so both are subtracted; OpenAI has no cache-write charge.
    static func openAI(_ usage: OpenAIUsage, field: String = "response.usage") throws(APIError) -> TokenUsage {
        let responses = usage.isResponsesAPI
        let inputName = responses ? "input_tokens" : "prompt_tokens"
        let outputName = responses ? "output_tokens" : "completion_tokens"
        let input = (responses ? usage.inputTokens : usage.promptTokens) ?? 0
        let output = (responses ? usage.outputTokens : usage.completionTokens) ?? 0
        let cached = usage.cachedTokens ?? 0
        let reasoning = usage.reasoningTokens ?? 0
        try nonNegative(input, "\(field).\(inputName)")
        try nonNegative(output, "\(field).\(outputName)")
        let cachedField = "\(field).\(inputName)_details.cached_tokens"
        let reasoningField = "\(field).\(outputName)_details.reasoning_tokens"
        try nonNegative(cached, cachedField)
        try nonNegative(reasoning, reasoningField)
        if cached > input { throw .invalid(cachedField, "must not exceed \(inputName) (\(input)), which includes it") }
        if reasoning > output { throw .invalid(reasoningField, "must not exceed \(outputName) (\(output)), which includes it") }
        return TokenUsage(input: input - cached, cachedInput: cached, cacheCreationInput: 0, output: output - reasoning, reasoning: reasoning)
    }

    /// Anthropic: `input_tokens` EXCLUDES `cache_read_input_tokens` and `cache_creation_input_tokens`; the
    /// three are disjoint already. Thinking is inside `output_tokens` (not reported apart): reasoning is 0.
    static func anthropic(_ usage: AnthropicUsage, field: String = "response.usage") throws(APIError) -> TokenUsage {
        let result = TokenUsage(
            input: usage.inputTokens ?? 0, cachedInput: usage.cacheReadInputTokens ?? 0,
            cacheCreationInput: usage.cacheCreationInputTokens ?? 0, output: usage.outputTokens ?? 0,
            reasoning: 0)
        try nonNegative(result.input, "\(field).input_tokens")
        try nonNegative(result.cachedInput, "\(field).cache_read_input_tokens")
        try nonNegative(result.cacheCreationInput, "\(field).cache_creation_input_tokens")
        try nonNegative(result.output, "\(field).output_tokens")
        return result
    }

    static func nonNegative(_ value: Int64, _ field: String) throws(APIError) {
        if value < 0 { throw .invalid(field, "must not be negative") }
        if value > IngestValidation.maxTokenCount { throw .invalid(field, "must be at most \(IngestValidation.maxTokenCount)") }
    }
}
