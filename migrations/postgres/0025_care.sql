-- The care programme for children whose parents work abroad. Names, villages, the guardian at home
-- and the notes of visits are sealed by the vault (only care workers' reads open them, each read
-- audited); townships stay plain for pairing by distance.
CREATE TABLE care_children (
    id TEXT PRIMARY KEY,
    name_sealed TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    township TEXT NOT NULL,
    village_sealed TEXT NOT NULL,
    school TEXT NOT NULL,
    guardian_sealed TEXT NOT NULL,
    -- Languages and dialects spoken, as bits of domain::care::LANGUAGES.
    languages BIGINT NOT NULL,
    consent_version BIGINT NOT NULL,
    consent_by_sealed TEXT NOT NULL,
    consent_relation TEXT NOT NULL CHECK (consent_relation IN ('parent', 'guardian')),
    consented_at BIGINT NOT NULL,
    photo_allowed BIGINT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX care_children_by_township ON care_children (township);
-- Parents abroad, by their applicant accounts: they see their own child's visits and proxy parent.
CREATE TABLE care_child_parents (
    child_id TEXT NOT NULL REFERENCES care_children (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    country TEXT NOT NULL,
    PRIMARY KEY (child_id, user_id)
);
CREATE INDEX care_child_parents_by_user ON care_child_parents (user_id);
-- Volunteers (care workers): where they live, what they speak, how many children they take.
CREATE TABLE care_volunteers (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    township TEXT NOT NULL,
    languages BIGINT NOT NULL,
    capacity BIGINT NOT NULL,
    availability TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Pairings with proxy parents; re-pairing ends the old row, so history stays. One in force per child.
CREATE TABLE care_pairings (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES care_children (id),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    paired_at BIGINT NOT NULL,
    paired_by TEXT NOT NULL REFERENCES users (id),
    ended_at BIGINT,
    -- When the visit alert last went out for this pairing (once per overdue spell).
    alerted_at BIGINT
);
CREATE UNIQUE INDEX care_pairings_one_in_force ON care_pairings (child_id) WHERE ended_at IS NULL;
CREATE INDEX care_pairings_by_volunteer ON care_pairings (volunteer_id) WHERE ended_at IS NULL;
CREATE TABLE care_visits (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES care_children (id),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    visit_date TEXT NOT NULL,
    topics TEXT NOT NULL,
    notes_sealed TEXT NOT NULL,
    follow_up BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX care_visits_by_child ON care_visits (child_id, visit_date);
CREATE TABLE care_wishes (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES care_children (id),
    wish TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'taken', 'fulfilled')),
    taken_by TEXT REFERENCES users (id),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX care_wishes_by_state ON care_wishes (state, created_at);
