-- no-transaction
-- A voice message someone sends the bureau's WeChat account is kept in her consultation as an
-- AMR recording (audio/amr), beside what WeChat's speech recognition heard. SQLite cannot change a
-- table's CHECK, so `consultation_messages` is rebuilt as its documentation says (foreign keys
-- off, in one transaction).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE consultation_messages_rebuilt (
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    seq BIGINT NOT NULL,
    -- NULL for a guest.
    author_id TEXT REFERENCES users (id),
    side TEXT NOT NULL CHECK (side IN ('person', 'consultant', 'system')),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- An attached file, as in cases: its bytes in case_file_blobs, once per content.
    file_name TEXT,
    media_type TEXT CHECK (media_type IS NULL OR media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'audio/amr')),
    file_size BIGINT,
    file_sha256 TEXT REFERENCES case_file_blobs (sha256),
    PRIMARY KEY (consultation_id, seq)
);
INSERT INTO consultation_messages_rebuilt (consultation_id, seq, author_id, side, body, created_at,
    file_name, media_type, file_size, file_sha256)
SELECT consultation_id, seq, author_id, side, body, created_at, file_name, media_type, file_size,
    file_sha256
FROM consultation_messages;
DROP TABLE consultation_messages;
ALTER TABLE consultation_messages_rebuilt RENAME TO consultation_messages;
COMMIT;
PRAGMA foreign_keys = ON;
