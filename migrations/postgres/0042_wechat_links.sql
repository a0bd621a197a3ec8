-- A person's WeChat (her OpenID on the bureau's Official Account) linked to her account: what she
-- writes there goes to her account's consultations and answers come back there. One WeChat per
-- account and one account per WeChat. `notices` (0 or 1): she chose to have her notices (case
-- steps, reminders, video bookings) there too, as template messages.
CREATE TABLE wechat_links (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    openid TEXT NOT NULL UNIQUE,
    linked_at BIGINT NOT NULL,
    notices BIGINT NOT NULL DEFAULT 0
);
-- The one-time code the account sends in WeChat to whoever asks to link, kept as a hash until it
-- is used or expires; one alive per OpenID.
CREATE TABLE wechat_link_codes (
    code_hash TEXT PRIMARY KEY,
    openid TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL
);
