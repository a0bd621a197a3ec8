-- Setting a new password without the old one: a link sent to the account's address (`email`,
-- valid for minutes), a code sent by text message to the mobile number on file (`sms`, minutes)
-- or a code handed over at a station or by an officer after an identity check (`desk`, a day).
-- Only a hash of the link's token or of the code (bound to the account) is kept; each works once,
-- a newer one of the same channel replaces the older, and wrong codes typed for the account are
-- counted in `attempts` (at five its codes stop working).
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'desk')),
    issued_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX password_resets_by_user ON password_resets (user_id, created_at);
