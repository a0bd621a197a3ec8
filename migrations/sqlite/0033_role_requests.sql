-- Administrator, auditor and care-worker roles wait for a second administrator: the roles asked
-- for an account (`role:scope` joined by commas), who asked and when, and who decided and how.
-- One request per account is open at a time; a newer one replaces it.
CREATE TABLE role_requests (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES users (id),
    grants TEXT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES users (id),
    proposed_at BIGINT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at BIGINT,
    outcome TEXT CHECK (outcome IN ('approved', 'rejected', 'replaced'))
);
CREATE UNIQUE INDEX role_requests_open ON role_requests (account_id) WHERE decided_at IS NULL;
CREATE INDEX role_requests_by_time ON role_requests (proposed_at);
