-- The 24-hour consultation line. Consultants' weekly shifts in Beijing time (the text of a station's
-- opening hours); consultations from an account or from a guest who gave an e-mail address and holds
-- a key (sealed, so that later messages can carry her link); their messages numbered from 1 in each consultation; what each side
-- has read, for unread counts; canned answers in the four languages.
CREATE TABLE consultant_shifts (
    consultant_id TEXT PRIMARY KEY REFERENCES users (id),
    hours TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE consultations (
    id TEXT PRIMARY KEY,
    person_id TEXT REFERENCES users (id),
    guest_email TEXT,
    guest_name TEXT NOT NULL DEFAULT '',
    guest_key_sealed TEXT,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    consultant_id TEXT REFERENCES users (id),
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    opened_at BIGINT NOT NULL,
    first_response_due BIGINT NOT NULL,
    resolve_due BIGINT NOT NULL,
    first_response_at BIGINT,
    last_message_at BIGINT NOT NULL,
    message_count BIGINT NOT NULL DEFAULT 0,
    person_read BIGINT NOT NULL DEFAULT 0,
    consultant_read BIGINT NOT NULL DEFAULT 0,
    closed_at BIGINT,
    rating BIGINT CHECK (rating BETWEEN 1 AND 5),
    rating_comment TEXT NOT NULL DEFAULT '',
    case_id TEXT REFERENCES cases (id),
    CHECK (person_id IS NOT NULL OR guest_email IS NOT NULL)
);
CREATE INDEX consultations_by_person ON consultations (person_id, opened_at);
CREATE INDEX consultations_by_guest ON consultations (guest_email, opened_at);
CREATE INDEX consultations_open ON consultations (state, consultant_id);
CREATE TABLE consultation_messages (
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    seq BIGINT NOT NULL,
    -- NULL for a guest.
    author_id TEXT REFERENCES users (id),
    side TEXT NOT NULL CHECK (side IN ('person', 'consultant', 'system')),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- An attached file, as in cases: its bytes in case_file_blobs, once per content.
    file_name TEXT,
    media_type TEXT CHECK (media_type IS NULL OR media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    file_size BIGINT,
    file_sha256 TEXT REFERENCES case_file_blobs (sha256),
    PRIMARY KEY (consultation_id, seq)
);
CREATE TABLE canned_answers (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL,
    body_it TEXT NOT NULL,
    body_es TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL
);
