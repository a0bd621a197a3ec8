-- Password spraying is slowed per client: how many different addresses one client failed on
-- lately is read on every sign-in.
CREATE INDEX password_failures_by_client ON password_failures (client, at);
