-- The care programme's volunteers (proxy parents) get a role of their own, `care_volunteer`, which
-- reaches only the children they are paired with; `care_worker` stays the coordinators' role.
-- SQLite cannot change a CHECK constraint, so the table is rebuilt with the longer list (on both
-- databases, to keep one text).
CREATE TABLE user_grants_new (
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('applicant', 'station', 'officer', 'duty_leader', 'consultant', 'care_worker', 'admin', 'auditor', 'care_volunteer')),
    scope TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, role, scope)
);
INSERT INTO user_grants_new (user_id, role, scope) SELECT user_id, role, scope FROM user_grants;
DROP TABLE user_grants;
ALTER TABLE user_grants_new RENAME TO user_grants;
