-- An administrator can disable an account (a member of staff who left): it can no longer sign in and
-- its sessions end. NULL while the account is in use.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
