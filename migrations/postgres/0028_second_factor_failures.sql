-- Wrong second-factor codes (TOTP or recovery), kept apart from `login_failures`: a correct password
-- clears those, and must not clear these, or signing in again would restart the count. A
-- half-signed-in session ends after a few; the account locks after a few within the lockout window.
CREATE TABLE second_factor_failures (
    user_id TEXT NOT NULL REFERENCES users (id),
    session_hash TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX second_factor_failures_by_user ON second_factor_failures (user_id, at);
CREATE INDEX second_factor_failures_by_session ON second_factor_failures (session_hash);
