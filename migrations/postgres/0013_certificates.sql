-- The bureau's Ed25519 signing keys. The secret half is sealed with the field key (bound to the
-- key id); the newest key not retired signs, and retired keys still verify what they signed.
CREATE TABLE signing_keys (
    key_id TEXT PRIMARY KEY,
    public_hex TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

-- Electronic certificates: the signed canonical JSON exactly as signed, and revocation.
CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id),
    payload TEXT NOT NULL,
    signature TEXT NOT NULL,
    key_id TEXT NOT NULL REFERENCES signing_keys (key_id),
    issued_at BIGINT NOT NULL,
    -- YYYY-MM-DD (Beijing) of revocation, and why.
    revoked_on TEXT,
    revoke_reason TEXT NOT NULL DEFAULT '',
    revoked_by TEXT REFERENCES users (id)
);
