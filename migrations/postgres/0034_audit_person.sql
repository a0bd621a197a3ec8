-- The person an audit entry is about (whose "who read my file" lists it), beside its subject: a
-- read of a case, its files, fees, certificate or video check is about the case's applicant. Empty
-- for entries about no one in particular and for entries written before.
ALTER TABLE audit ADD COLUMN person TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_by_person ON audit (person, at);
