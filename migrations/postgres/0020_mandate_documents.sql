-- The documents behind a mandate (a notarised power of attorney, an identity page), uploaded by
-- either party; the bytes in case_file_blobs, once per content, as for cases and consultations.
CREATE TABLE mandate_documents (
    id TEXT PRIMARY KEY,
    mandate_id TEXT NOT NULL REFERENCES mandates (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES case_file_blobs (sha256),
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX mandate_documents_by_mandate ON mandate_documents (mandate_id, uploaded_at);
