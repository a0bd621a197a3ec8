-- Working-day calendars, one row per year, as imported from catalog/calendar/YYYY.toml.
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

-- The last case number given out per prefix and year; numbers are never reused.
CREATE TABLE case_sequences (
    prefix TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    item_code TEXT NOT NULL,
    category TEXT NOT NULL,
    workflow TEXT NOT NULL CHECK (workflow IN ('standard', 'certificate')),
    -- The account the case belongs to; NULL for a station's walk-in visitor without an account.
    applicant_id TEXT REFERENCES users (id),
    filed_by TEXT NOT NULL REFERENCES users (id),
    station TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'station', 'window')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'accepted', 'identity_verified', 'under_review', 'approved', 'refused', 'in_production', 'ready', 'dispatched', 'delivered', 'closed', 'returned', 'withdrawn')),
    -- Raised by every step: a writer that read an older version is refused (optimistic concurrency).
    version BIGINT NOT NULL,
    person_name TEXT NOT NULL,
    person_name_latin TEXT NOT NULL,
    person_birth_date TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('self', 'child', 'parent', 'spouse', 'grandparent', 'grandchild', 'sibling', 'other')),
    delivery TEXT NOT NULL CHECK (delivery IN ('window', 'station', 'courier', 'home')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    accepted_at BIGINT,
    -- The working day (Beijing) by which the bureau must decide, set at acceptance.
    deadline TEXT,
    -- Why the case was last returned or refused, shown to the applicant.
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_by_applicant ON cases (applicant_id, created_at);
CREATE INDEX cases_by_station ON cases (station, created_at);
CREATE INDEX cases_queue ON cases (category, state, deadline);

-- Every step a case took: its timeline.
CREATE TABLE case_events (
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    role TEXT NOT NULL,
    step TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Uploaded materials. The bytes live in case_file_blobs, once per content, never under a web root.
CREATE TABLE case_files (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    material BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX case_files_by_case ON case_files (case_id, material);

CREATE TABLE case_file_blobs (
    sha256 TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
