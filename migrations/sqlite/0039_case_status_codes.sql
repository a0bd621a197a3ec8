-- Checking a case's status without signing in: someone who knows its number and the person's
-- birth date asks, and a code goes to the case's applicant by e-mail (`email`) or text message
-- (`sms`), valid for minutes. Only a hash of the code (bound to the case) is kept; each works
-- once, a newer one replaces the older, and wrong codes typed for the case are counted in
-- `attempts` (at five its codes stop working).
CREATE TABLE case_status_codes (
    code_hash TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX case_status_codes_by_case ON case_status_codes (case_id, created_at);
