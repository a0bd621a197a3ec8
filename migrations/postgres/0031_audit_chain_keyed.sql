-- The audit chain's entries are keyed (HMAC under a key derived from the field key). The head
-- records a proof of which key; NULL marks a chain hashed before keying, which the app checks and
-- re-keys once, and '' a chain still empty, whose first key is recorded when the app opens it.
ALTER TABLE audit_head ADD COLUMN key_proof TEXT;
UPDATE audit_head SET key_proof = '' WHERE seq = 0;
