-- A person's identity numbers, sealed with the field key; the *_index columns are keyed hashes for
-- exact look-up. Nothing here is readable without the key.
CREATE TABLE person_identity (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    resident_id_sealed TEXT,
    resident_id_index TEXT,
    passport_sealed TEXT,
    passport_index TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX person_by_resident_id ON person_identity (resident_id_index);
CREATE INDEX person_by_passport ON person_identity (passport_index);

-- One-time codes that prove an applicant owns the e-mail address they signed up with.
CREATE TABLE email_confirmations (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);
