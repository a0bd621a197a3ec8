-- Accounts, roles, sessions, the audit chain and the outbox.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('zh-CN', 'en', 'it', 'es')),
    created_at BIGINT NOT NULL,
    -- NULL until the owner proved the e-mail address is theirs.
    confirmed_at BIGINT,
    -- Base32 TOTP secret; NULL until enrolled.
    totp_secret TEXT,
    -- Highest TOTP time step accepted, so a code is never accepted twice.
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE user_grants (
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('applicant', 'station', 'officer', 'duty_leader', 'consultant', 'care_worker', 'admin', 'auditor')),
    scope TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, role, scope)
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token: a copy of this table does not let anyone sign in.
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- When the second factor was last passed in this session; NULL until it is.
    second_factor_at BIGINT,
    client TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_failures (
    user_id TEXT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_user ON login_failures (user_id, at);

CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    station TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    client TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_subject ON audit (subject_type, subject_id, seq);

-- The chain's head in one row: appending locks it, so concurrent writers on PostgreSQL queue instead
-- of forking the chain.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    template TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT
);
CREATE INDEX outbox_pending ON outbox (status, created_at);
