-- The care programme's coordinators' role is named for what it is, `care_coordinator` (it was
-- `care_worker`); its scope is now a township's name, or empty for the whole county, so every
-- grant held before keeps the county. The table is rebuilt for the CHECK list, as in 0035, and
-- role requests still waiting name the role by its new name.
CREATE TABLE user_grants_new (
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('applicant', 'station', 'officer', 'duty_leader', 'consultant', 'care_coordinator', 'admin', 'auditor', 'care_volunteer')),
    scope TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, role, scope)
);
INSERT INTO user_grants_new (user_id, role, scope)
    SELECT user_id, CASE role WHEN 'care_worker' THEN 'care_coordinator' ELSE role END, scope FROM user_grants;
DROP TABLE user_grants;
ALTER TABLE user_grants_new RENAME TO user_grants;
UPDATE role_requests SET grants = REPLACE(grants, 'care_worker', 'care_coordinator')
    WHERE grants LIKE '%care_worker%';
