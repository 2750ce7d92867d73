-- Keys that sign user tokens (HMAC-SHA256). The newest active key signs; every key not retired verifies, so
-- rotating (add a key, retire the old one later) logs nobody out at once. The service reads them to verify tokens
-- without a database round trip per request.
CREATE TABLE token_signing_keys (
    id          text PRIMARY KEY,
    secret      bytea NOT NULL CHECK (length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    retired_at  timestamptz
);
GRANT SELECT ON token_signing_keys TO llmlog_service;
