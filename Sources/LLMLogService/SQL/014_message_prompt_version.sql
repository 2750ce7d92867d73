-- Which prompt produced a message (issue #17's prompt versions): optional name and version, as the client gives them.
-- Nullable without a default, so adding them rewrites no row (instant on a table of any size).
ALTER TABLE llm_messages
    ADD COLUMN prompt_name text,
    ADD COLUMN prompt_version text;
