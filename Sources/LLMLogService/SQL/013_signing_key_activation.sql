-- A new user-token signing key verifies at once but signs only from signs_from on: by then every instance has
-- reloaded its key ring (see LLMLOG_TOKEN_KEY_REFRESH_SECONDS), so no instance answers 401 to a token another one
-- signed with a key it has not loaded yet. Keys made before this column existed sign as before.
ALTER TABLE token_signing_keys ADD COLUMN signs_from timestamptz;
UPDATE token_signing_keys SET signs_from = created_at;
ALTER TABLE token_signing_keys ALTER COLUMN signs_from SET NOT NULL;
ALTER TABLE token_signing_keys ALTER COLUMN signs_from SET DEFAULT clock_timestamp();
COMMENT ON COLUMN token_signing_keys.signs_from IS
    'When the key starts signing new tokens (it verifies from its creation): one reload interval after creation, or at once for the first key.';
