-- llmlog default model prices: the providers' published list prices, as default rows (tenant_id NULL) of
-- model_prices. A tenant with other prices (a negotiated discount, a reseller, batch/flex pricing) inserts its
-- own rows with its tenant_id; they beat these defaults (see docs/pricing.md "Overriding a price").
--
-- Conventions (docs/pricing.md has the whole story):
-- * Every price is USD per million tokens (MTok), written as an exact decimal literal.
-- * The five token buckets do not overlap:
--     input_per_mtok           uncached input tokens only
--     cached_input_per_mtok    cache-read input tokens;  NULL = billed at the input price (no caching discount)
--     cache_creation_per_mtok  cache-write input tokens (Anthropic's 5-minute cache write price);
--                              NULL = billed at the input price (OpenAI and Gemini charge no write premium)
--     output_per_mtok          output tokens excluding reasoning
--     reasoning_per_mtok       reasoning tokens; NULL = billed at the output price, which is how OpenAI
--                              o-series/GPT-5 reasoning tokens and Gemini thinking tokens are billed
--                              (Anthropic thinking tokens are already part of output_tokens)
-- * model_pattern is an exact model name or a SQL LIKE pattern ('%' any run of characters, '_' exactly one
--   character -- no pattern below uses '_'). Resolution: an exact name beats a pattern, a longer pattern beats a
--   shorter one, a tenant's row beats a default, and the row in force is the latest effective_from not after
--   the message's createdAt. Patterns here are deliberately narrow (the alias plus its dated snapshots) so a
--   model we do not list stays "unpriced" instead of silently borrowing a sibling's price; e.g. there is no
--   'gpt-4%', 'o3%' or 'gemini-2.5-flash%' row, which would also match gpt-4o, o3-deep-research or
--   gemini-2.5-flash-image respectively.
-- * Where a provider tiers by prompt length (Gemini Pro models above 200k/128k prompt tokens, Claude Sonnet 4 /
--   4.5 with the 1M-context beta above 200k input tokens) the row holds the base (short-prompt) tier. Batch,
--   flex and priority service tiers, Anthropic's 1-hour cache writes (2x input), audio/image tokens, tool-call
--   fees and Gemini cache storage are not modelled: a client that uses them should send its own cost.
-- * effective_from is the day the price took effect where known (launch day or announced price change);
--   otherwise a conservative date by which the price certainly applied (before it such messages stay
--   unpriced rather than mispriced).
-- * source is the provider's pricing page and the date the list price was read.

INSERT INTO model_prices (provider, model_pattern, input_per_mtok, cached_input_per_mtok, cache_creation_per_mtok,
                          output_per_mtok, reasoning_per_mtok, effective_from, source) VALUES

-- ---------------------------------------------------------------------------------------------------------------
-- OpenAI (standard tier). Cached input = prompt caching reads; no cache write charge. Reasoning at output price.
-- Each family has an exact row for the alias and a '<alias>-20YY-%' row for dated snapshots. These never
-- collide: 'gpt-4o-mini-2024-07-18' does not match 'gpt-4o-2024-%' (after 'gpt-4o-' comes 'mini', not '2024'),
-- 'gpt-5-mini-2025-08-07' does not match 'gpt-5-2025-%', 'o3-mini-2025-01-31' does not match 'o3-2025-%'.
-- ---------------------------------------------------------------------------------------------------------------
-- GPT-5 family (launched 2025-08-07).
('openai', 'gpt-5',                  1.25,  0.125,  NULL, 10.00,  NULL, '2025-08-07T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-2025-%',           1.25,  0.125,  NULL, 10.00,  NULL, '2025-08-07T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-chat-latest',      1.25,  0.125,  NULL, 10.00,  NULL, '2025-08-07T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-codex',            1.25,  0.125,  NULL, 10.00,  NULL, '2025-09-23T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-mini',             0.25,  0.025,  NULL,  2.00,  NULL, '2025-08-07T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-mini-2025-%',      0.25,  0.025,  NULL,  2.00,  NULL, '2025-08-07T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-nano',             0.05,  0.005,  NULL,  0.40,  NULL, '2025-08-07T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-nano-2025-%',      0.05,  0.005,  NULL,  0.40,  NULL, '2025-08-07T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
-- gpt-5-pro: no cached-input discount listed (NULL = input price).
('openai', 'gpt-5-pro',             15.00,  NULL,   NULL, 120.00, NULL, '2025-10-06T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5-pro-2025-%',      15.00,  NULL,   NULL, 120.00, NULL, '2025-10-06T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
-- GPT-5.1 (2025-11-13), same list price as GPT-5. 'gpt-5.1' never matches a 'gpt-5-...' pattern ('.' vs '-').
('openai', 'gpt-5.1',                1.25,  0.125,  NULL, 10.00,  NULL, '2025-11-13T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5.1-2025-%',         1.25,  0.125,  NULL, 10.00,  NULL, '2025-11-13T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-5.1-chat-latest',    1.25,  0.125,  NULL, 10.00,  NULL, '2025-11-13T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),

-- GPT-4.1 family (2025-04-14). No 'gpt-4.1%' row: it would also match gpt-4.1-mini/-nano.
('openai', 'gpt-4.1',                2.00,  0.50,   NULL,  8.00,  NULL, '2025-04-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4.1-2025-%',         2.00,  0.50,   NULL,  8.00,  NULL, '2025-04-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4.1-mini',           0.40,  0.10,   NULL,  1.60,  NULL, '2025-04-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4.1-mini-2025-%',    0.40,  0.10,   NULL,  1.60,  NULL, '2025-04-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4.1-nano',           0.10,  0.025,  NULL,  0.40,  NULL, '2025-04-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4.1-nano-2025-%',    0.10,  0.025,  NULL,  0.40,  NULL, '2025-04-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),

-- GPT-4o. The alias 'gpt-4o' pointed at gpt-4o-2024-05-13 ($5/$15, no caching) until 2024-10-02 and at
-- gpt-4o-2024-08-06 ($2.50/$10) since, hence two rows. TRICKY: 'gpt-4o-2024-05-13' also matches the
-- 'gpt-4o-2024-%' pattern; its exact row wins (exact beats pattern) and keeps its older, higher price.
('openai', 'gpt-4o',                 5.00,  NULL,   NULL, 15.00,  NULL, '2024-05-13T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2024-09-30)'),
('openai', 'gpt-4o',                 2.50,  1.25,   NULL, 10.00,  NULL, '2024-10-02T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4o-2024-%',          2.50,  1.25,   NULL, 10.00,  NULL, '2024-08-06T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4o-2024-05-13',      5.00,  NULL,   NULL, 15.00,  NULL, '2024-05-13T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4o-mini',            0.15,  0.075,  NULL,  0.60,  NULL, '2024-07-18T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4o-mini-2024-%',     0.15,  0.075,  NULL,  0.60,  NULL, '2024-07-18T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
-- gpt-4.5-preview (2025-02-27, shut down 2025-07-14).
('openai', 'gpt-4.5-preview%',      75.00, 37.50,   NULL, 150.00, NULL, '2025-02-27T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-06-01)'),

-- o-series. Reasoning tokens at the output price (reasoning_per_mtok NULL).
-- o3: launched 2025-04-16 at $10/$40, cut 80% on 2025-06-10; two rows each for the alias and the snapshots.
('openai', 'o3',                    10.00,  2.50,   NULL, 40.00,  NULL, '2025-04-16T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-06-01)'),
('openai', 'o3',                     2.00,  0.50,   NULL,  8.00,  NULL, '2025-06-10T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'o3-2025-%',             10.00,  2.50,   NULL, 40.00,  NULL, '2025-04-16T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-06-01)'),
('openai', 'o3-2025-%',              2.00,  0.50,   NULL,  8.00,  NULL, '2025-06-10T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
-- 'o3-pro%' and 'o3-mini%' cannot match 'o3' or 'o3-2025-...' names, nor the other way round.
('openai', 'o3-pro%',               20.00,  NULL,   NULL, 80.00,  NULL, '2025-06-10T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'o3-mini%',               1.10,  0.55,   NULL,  4.40,  NULL, '2025-01-31T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
-- o4-mini: no 'o4-mini%' row, which would also price o4-mini-deep-research (a different price).
('openai', 'o4-mini',                1.10,  0.275,  NULL,  4.40,  NULL, '2025-04-16T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'o4-mini-2025-%',         1.10,  0.275,  NULL,  4.40,  NULL, '2025-04-16T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
-- o1 (2024-12-17). No 'o1%' row: o1-mini, o1-pro and o1-preview have their own rows and prices.
('openai', 'o1',                    15.00,  7.50,   NULL, 60.00,  NULL, '2024-12-17T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'o1-2024-%',             15.00,  7.50,   NULL, 60.00,  NULL, '2024-12-17T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'o1-preview%',           15.00,  7.50,   NULL, 60.00,  NULL, '2024-09-12T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-06-01)'),
('openai', 'o1-pro%',              150.00,  NULL,   NULL, 600.00, NULL, '2025-03-19T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
-- o1-mini launched 2024-09-12 at $3/$12 and was later cut to the o3-mini price; the date of the cut is not
-- certain, so this row starts at a conservative 2025-02-01 (earlier o1-mini messages stay unpriced).
('openai', 'o1-mini%',               1.10,  0.55,   NULL,  4.40,  NULL, '2025-02-01T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),

-- GPT-4 Turbo and GPT-4 (no prompt caching: cached NULL). No 'gpt-4%' row: it would match every GPT-4o/4.1/4.5
-- model (they have longer rows, but an unlisted one such as gpt-4o-realtime-preview would silently get $30/$60).
-- 'gpt-4-turbo%' covers gpt-4-turbo, gpt-4-turbo-2024-04-09 and gpt-4-turbo-preview.
('openai', 'gpt-4-turbo%',          10.00,  NULL,   NULL, 30.00,  NULL, '2024-01-25T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4-0125-preview',    10.00,  NULL,   NULL, 30.00,  NULL, '2024-01-25T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4-1106-preview',    10.00,  NULL,   NULL, 30.00,  NULL, '2023-11-06T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4',                 30.00,  NULL,   NULL, 60.00,  NULL, '2023-03-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4-0613',            30.00,  NULL,   NULL, 60.00,  NULL, '2023-06-13T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-4-0314',            30.00,  NULL,   NULL, 60.00,  NULL, '2023-03-14T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),

-- GPT-3.5 Turbo. The alias points at gpt-3.5-turbo-0125 since 2024-02-16. No 'gpt-3.5-turbo%' row: older
-- snapshots (-1106, -0613, -16k) have other prices.
('openai', 'gpt-3.5-turbo',          0.50,  NULL,   NULL,  1.50,  NULL, '2024-02-16T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-3.5-turbo-0125',     0.50,  NULL,   NULL,  1.50,  NULL, '2024-01-25T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-3.5-turbo-1106',     1.00,  NULL,   NULL,  2.00,  NULL, '2023-11-06T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),
('openai', 'gpt-3.5-turbo-instruct%', 1.50, NULL,   NULL,  2.00,  NULL, '2023-09-18T00:00:00Z', 'https://platform.openai.com/docs/pricing (list price as of 2025-11-30)'),

-- ---------------------------------------------------------------------------------------------------------------
-- Anthropic. cached_input = cache hits & refreshes (0.1x input); cache_creation = 5-minute cache writes
-- (1.25x input; 1-hour writes cost 2x input and are not modelled). Extended-thinking tokens are counted in
-- output_tokens and billed at the output price, so reasoning_per_mtok is NULL (the bucket stays 0).
-- Patterns cover the alias ('claude-sonnet-4-5') and dated ids ('claude-sonnet-4-5-20250929').
-- TRICKY: Claude 4 / Opus 4 use 'claude-opus-4-2025%' plus the exact alias 'claude-opus-4-0' instead of
-- 'claude-opus-4%': that broad pattern would also match claude-opus-4-1 and claude-opus-4-5 (and any later 4.x);
-- those have longer rows that would win, but Opus 4.5 costs a third of Opus 4, so an unlisted 4.x must not
-- inherit the Opus 4 price. 'claude-sonnet-4-5-20250929' does not match 'claude-sonnet-4-2025%' ('5' vs '2').
-- Claude Sonnet 4 / 4.5: base tier; with the 1M-context beta, requests over 200k input tokens cost $6/$22.50.
-- ---------------------------------------------------------------------------------------------------------------
('anthropic', 'claude-opus-4-5%',     5.00,  0.50,  6.25, 25.00,  NULL, '2025-11-24T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-opus-4-1%',    15.00,  1.50, 18.75, 75.00,  NULL, '2025-08-05T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-opus-4-0',     15.00,  1.50, 18.75, 75.00,  NULL, '2025-05-22T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-opus-4-2025%', 15.00,  1.50, 18.75, 75.00,  NULL, '2025-05-22T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-sonnet-4-5%',   3.00,  0.30,  3.75, 15.00,  NULL, '2025-09-29T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-sonnet-4-0',    3.00,  0.30,  3.75, 15.00,  NULL, '2025-05-22T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-sonnet-4-2025%', 3.00, 0.30,  3.75, 15.00,  NULL, '2025-05-22T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-haiku-4-5%',    1.00,  0.10,  1.25,  5.00,  NULL, '2025-10-15T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-3-7-sonnet%',   3.00,  0.30,  3.75, 15.00,  NULL, '2025-02-24T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-3-5-sonnet%',   3.00,  0.30,  3.75, 15.00,  NULL, '2024-06-20T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-06-01)'),
-- Claude 3.5 Haiku launched 2024-11-04 at $1/$5 and was later lowered to $0.80/$4; the date of the cut is
-- not certain, so this row starts at a conservative 2025-01-01.
('anthropic', 'claude-3-5-haiku%',    0.80,  0.08,  1.00,  4.00,  NULL, '2025-01-01T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
('anthropic', 'claude-3-opus%',      15.00,  1.50, 18.75, 75.00,  NULL, '2024-03-04T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),
-- 'claude-3-haiku%' does not match claude-3-5-haiku ids ('3-h' vs '3-5').
('anthropic', 'claude-3-haiku%',      0.25,  0.03,  0.30,  1.25,  NULL, '2024-03-13T00:00:00Z', 'https://docs.anthropic.com/en/docs/about-claude/pricing (list price as of 2025-11-30)'),

-- ---------------------------------------------------------------------------------------------------------------
-- Google Gemini API (paid tier, text/image/video input; audio input costs more and is not modelled).
-- cached_input = context-caching read price (cache storage per hour is not modelled); no write premium.
-- Thinking tokens (thoughtsTokenCount) are billed at the output price, so reasoning_per_mtok is NULL.
-- TIERED: Gemini 3 Pro and 2.5 Pro charge more for prompts over 200k tokens (3 Pro $4/$18, 2.5 Pro $2.50/$15)
-- and Gemini 1.5 over 128k tokens (double); these rows hold the base (short-prompt) tier.
-- Gemini 2.5 models are priced by exact name, not 'gemini-2.5-flash%': that would also match
-- gemini-2.5-flash-image, -native-audio and -tts, and the 2.5 Flash previews of April/May 2025 (other prices).
-- The cache-read prices are the current 90%-off ones; before them (in 2025) Google listed higher ones
-- (e.g. 2.5 Pro $0.31, 2.5 Flash $0.075), so cached tokens from mid-2025 may be slightly under-priced.
-- ---------------------------------------------------------------------------------------------------------------
('google', 'gemini-3-pro-preview%',   2.00,  0.20,   NULL, 12.00,  NULL, '2025-11-18T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.5-pro',          1.25,  0.125,  NULL, 10.00,  NULL, '2025-06-17T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.5-flash',        0.30,  0.03,   NULL,  2.50,  NULL, '2025-06-17T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.5-flash-preview-09-2025', 0.30, 0.03, NULL, 2.50, NULL, '2025-09-25T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.5-flash-lite',   0.10,  0.01,   NULL,  0.40,  NULL, '2025-07-22T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.5-flash-lite-preview-09-2025', 0.10, 0.01, NULL, 0.40, NULL, '2025-09-25T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
-- Gemini 2.0: exact names (alias and the -001 version), so gemini-2.0-flash-lite never meets a Flash pattern.
('google', 'gemini-2.0-flash',        0.10,  0.025,  NULL,  0.40,  NULL, '2025-02-05T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.0-flash-001',    0.10,  0.025,  NULL,  0.40,  NULL, '2025-02-05T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.0-flash-lite',   0.075, NULL,   NULL,  0.30,  NULL, '2025-02-25T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
('google', 'gemini-2.0-flash-lite-001', 0.075, NULL, NULL,  0.30,  NULL, '2025-02-25T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-11-30)'),
-- Gemini 1.5 (retired in 2025). Patterns cover -001/-002/-latest. TRICKY: 'gemini-1.5-flash%' also matches
-- gemini-1.5-flash-8b ids; the longer 'gemini-1.5-flash-8b%' wins for them.
('google', 'gemini-1.5-pro%',         1.25,  0.3125, NULL,  5.00,  NULL, '2024-10-01T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-06-01)'),
('google', 'gemini-1.5-flash%',       0.075, 0.01875, NULL, 0.30,  NULL, '2024-08-12T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-06-01)'),
('google', 'gemini-1.5-flash-8b%',    0.0375, 0.01,  NULL,  0.15,  NULL, '2024-10-03T00:00:00Z', 'https://ai.google.dev/gemini-api/docs/pricing (list price as of 2025-06-01)');
