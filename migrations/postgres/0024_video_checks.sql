-- The people seen in a case's video identity check and what the officer recorded of each. A
-- document number is kept only as a digest bound to the case (and its last three characters), so
-- the number read on camera can be matched without the number being stored.
CREATE TABLE video_participants (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    role TEXT NOT NULL CHECK (role IN ('subject', 'parent', 'guardian')),
    name TEXT NOT NULL,
    -- The account that joins on its own device; none when the participant sits beside the applicant.
    user_id TEXT REFERENCES users (id),
    document_type TEXT NOT NULL,
    document_digest TEXT NOT NULL,
    document_tail TEXT NOT NULL,
    verdict TEXT NOT NULL DEFAULT 'pending' CHECK (verdict IN ('pending', 'confirmed', 'not_confirmed', 'absent')),
    -- 1 when the document shown matched the one on file, 0 when not, NULL when none was shown.
    document_matched BIGINT,
    note TEXT NOT NULL DEFAULT '',
    slot_id TEXT REFERENCES video_slots (id),
    recorded_by TEXT REFERENCES users (id),
    recorded_at BIGINT,
    added_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX video_participants_by_case ON video_participants (case_id, created_at);
CREATE INDEX video_participants_by_user ON video_participants (user_id);
