-- Delivery with retries: when a message may next be tried, which worker holds it and until when,
-- why it last failed, and whom it is about. A message with a dedupe key is queued at most once (a
-- passport reminder per document, expiry date, threshold and recipient).
ALTER TABLE outbox ADD COLUMN user_id TEXT;
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN claim TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- What each account chose to receive; an account without a row has the defaults (e-mail on, no SMS,
-- reminders about its own documents on, about family members off).
CREATE TABLE notification_settings (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    email_enabled BIGINT NOT NULL,
    -- E.164, e.g. +393331234567; NULL when none was given.
    sms_number TEXT,
    sms_enabled BIGINT NOT NULL,
    own_reminders BIGINT NOT NULL,
    family_reminders BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
