-- Which experiment and variant a conversation belongs to (issue #17's experiments): optional, as the client gives
-- them. Nullable without a default, so adding them rewrites no row (instant on a table of any size).
ALTER TABLE llm_conversations
    ADD COLUMN experiment text,
    ADD COLUMN variant text;
