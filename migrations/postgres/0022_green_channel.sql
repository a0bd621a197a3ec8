-- Green-channel requests (绿色通道): one open request per case at a time; a decision is written
-- once, by a conditional UPDATE on the state.
CREATE TABLE green_channel_requests (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    ground TEXT NOT NULL CHECK (ground IN ('bereavement', 'illness', 'deadline', 'other')),
    statement TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_role TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'refused')),
    -- Set once, when duty leaders were told that nobody had decided in time.
    escalated_at BIGINT,
    decided_by TEXT REFERENCES users (id),
    decided_at BIGINT,
    -- Approval: the working days granted and the day the case is due (Beijing).
    days BIGINT,
    due_on TEXT,
    -- Refusal: why, shown to the applicant.
    reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX green_channel_one_open ON green_channel_requests (case_id) WHERE state = 'requested';
CREATE INDEX green_channel_by_state ON green_channel_requests (state, requested_at);
CREATE INDEX green_channel_by_case ON green_channel_requests (case_id, requested_at);

-- Evidence behind a request (a death certificate, a hospital letter); bytes in case_file_blobs.
CREATE TABLE green_channel_evidence (
    request_id TEXT NOT NULL REFERENCES green_channel_requests (id),
    seq BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, seq)
);

-- An approved request's due day: such cases head every officer's queue, soonest first.
ALTER TABLE cases ADD COLUMN green_due TEXT;
