-- WeChat (服务号): a consultation may come from someone known only by her OpenID on the bureau's
-- Official Account (a guest who wrote to it), so the rule that a consultation has an asker now
-- also accepts an OpenID.
--
-- `wechat_seen`: what the callback has taken, by `n:{timestamp}:{nonce}` (a request seen twice is
-- a replay and refused) and by `m:{MsgId}` (WeChat's own retry of a message, answered once),
-- kept a while beyond the timestamp window.
ALTER TABLE consultations ADD COLUMN wechat_openid TEXT;
ALTER TABLE consultations DROP CONSTRAINT consultations_check;
ALTER TABLE consultations ADD CONSTRAINT consultations_asker
    CHECK (person_id IS NOT NULL OR guest_email IS NOT NULL OR wechat_openid IS NOT NULL);
CREATE INDEX consultations_by_wechat ON consultations (wechat_openid, state);
CREATE TABLE wechat_seen (
    key TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
CREATE INDEX wechat_seen_by_age ON wechat_seen (seen_at);
