-- How many confirmation codes a mandate request has sent its principal, the first included: after
-- the last one's wrong tries the request lapses (revoked with no one as the revoker), so guessing
-- ends and the principal is not sent code after code.
ALTER TABLE mandates ADD COLUMN codes_sent BIGINT NOT NULL DEFAULT 1;
