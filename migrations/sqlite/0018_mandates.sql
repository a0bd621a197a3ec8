-- Mandates (代办): an agent may act for a principal on the named items between two days, once the
-- principal confirmed it (from her account, or by the code she was sent, which is sealed here and
-- replaced after too many wrong tries). Cases filed and payments made under a mandate name it.
CREATE TABLE mandates (
    id TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES users (id),
    agent_id TEXT NOT NULL REFERENCES users (id),
    -- The role the agent acts in: applicant (a relative), station or consultant.
    agent_role TEXT NOT NULL CHECK (agent_role IN ('applicant', 'station', 'consultant')),
    relation TEXT NOT NULL CHECK (relation IN ('child', 'parent', 'spouse', 'grandparent', 'grandchild', 'sibling', 'other')),
    -- Item codes separated by spaces, sorted.
    items TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    -- What the agent showed or holds, e.g. a notarised power of attorney and its number.
    evidence TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'revoked')),
    code_sealed TEXT NOT NULL,
    wrong_attempts BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    -- 'account' or 'code'.
    confirmed_how TEXT,
    revoked_at BIGINT,
    revoked_by TEXT REFERENCES users (id),
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mandates_by_principal ON mandates (principal_id, created_at);
CREATE INDEX mandates_by_agent ON mandates (agent_id, created_at);
ALTER TABLE cases ADD COLUMN mandate_id TEXT REFERENCES mandates (id);
ALTER TABLE ledger_entries ADD COLUMN mandate_id TEXT REFERENCES mandates (id);
CREATE INDEX cases_by_mandate ON cases (mandate_id);
CREATE INDEX ledger_by_mandate ON ledger_entries (mandate_id);
