-- Dispatch and handover of a case's document: the carrier and tracking number or the home-visit
-- day, and the one-time code the applicant shows to receive it (sealed; replaced after too many
-- wrong tries).
CREATE TABLE case_handovers (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    carrier TEXT NOT NULL,
    tracking TEXT NOT NULL,
    visit_date TEXT,
    code_sealed TEXT NOT NULL,
    wrong_attempts BIGINT NOT NULL,
    dispatched_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    confirmed_by TEXT REFERENCES users (id)
);
