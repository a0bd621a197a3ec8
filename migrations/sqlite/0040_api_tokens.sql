-- API tokens other systems call the API with (a back office, a station's kiosk, a reporting
-- job): each names its service account and itself, holds one role with its scope, and ends at
-- `expires_at` or when revoked. Only the SHA-256 of the secret is kept. `last_used_at` and
-- `last_used_from` are noted at most once a minute, with an audit entry.
--
-- A token acts as an account of its own, of the same id, so that what it does is recorded like
-- anyone's (cases it files, audit entries under its name): a service account, which cannot sign
-- in (disabled, no usable password) and is left out of the administrators' list of people.
ALTER TABLE users ADD COLUMN service_account BIGINT NOT NULL DEFAULT 0;
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT REFERENCES users (id),
    last_used_at BIGINT,
    last_used_from TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_tokens_by_service ON api_tokens (service, created_at);
