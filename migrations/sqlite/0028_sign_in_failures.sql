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

-- Wrong passwords by the address typed (hashed, whether or not an account has it) and the client
-- they came from, replacing `login_failures`: a lockout holds for one typed address from one client,
-- so no one can lock an account out for its owner from elsewhere, and an address without an account
-- answers exactly as one with an account does.
DROP TABLE login_failures;
CREATE TABLE password_failures (
    account_key TEXT NOT NULL,
    client TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX password_failures_by_key ON password_failures (account_key, client, at);
