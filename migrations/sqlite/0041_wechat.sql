-- no-transaction
-- WeChat (服务号): a consultation may come from someone known only by her OpenID on the bureau's
-- Official Account (a guest who wrote to it), so the rule that a consultation has an asker now
-- also accepts an OpenID. SQLite cannot change a table's CHECK, so the table is rebuilt as its
-- documentation says (foreign keys off, in one transaction, the indexes made again).
--
-- `wechat_seen`: what the callback has taken, by `n:{timestamp}:{nonce}` (a request seen twice is
-- a replay and refused) and by `m:{MsgId}` (WeChat's own retry of a message, answered once),
-- kept a while beyond the timestamp window.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE consultations_rebuilt (
    id TEXT PRIMARY KEY,
    person_id TEXT REFERENCES users (id),
    guest_email TEXT,
    guest_name TEXT NOT NULL DEFAULT '',
    guest_key_sealed TEXT,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    consultant_id TEXT REFERENCES users (id),
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    opened_at BIGINT NOT NULL,
    first_response_due BIGINT NOT NULL,
    resolve_due BIGINT NOT NULL,
    first_response_at BIGINT,
    last_message_at BIGINT NOT NULL,
    message_count BIGINT NOT NULL DEFAULT 0,
    person_read BIGINT NOT NULL DEFAULT 0,
    consultant_read BIGINT NOT NULL DEFAULT 0,
    closed_at BIGINT,
    rating BIGINT CHECK (rating BETWEEN 1 AND 5),
    rating_comment TEXT NOT NULL DEFAULT '',
    case_id TEXT REFERENCES cases (id),
    wechat_openid TEXT,
    CHECK (person_id IS NOT NULL OR guest_email IS NOT NULL OR wechat_openid IS NOT NULL)
);
INSERT INTO consultations_rebuilt (id, person_id, guest_email, guest_name, guest_key_sealed, lang,
    subject, consultant_id, state, opened_at, first_response_due, resolve_due, first_response_at,
    last_message_at, message_count, person_read, consultant_read, closed_at, rating, rating_comment,
    case_id)
SELECT id, person_id, guest_email, guest_name, guest_key_sealed, lang, subject, consultant_id, state,
    opened_at, first_response_due, resolve_due, first_response_at, last_message_at, message_count,
    person_read, consultant_read, closed_at, rating, rating_comment, case_id
FROM consultations;
DROP TABLE consultations;
ALTER TABLE consultations_rebuilt RENAME TO consultations;
CREATE INDEX consultations_by_person ON consultations (person_id, opened_at);
CREATE INDEX consultations_by_guest ON consultations (guest_email, opened_at);
CREATE INDEX consultations_open ON consultations (state, consultant_id);
CREATE INDEX consultations_by_opening ON consultations (opened_at);
CREATE INDEX consultations_by_wechat ON consultations (wechat_openid, state);
CREATE TABLE wechat_seen (
    key TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
CREATE INDEX wechat_seen_by_age ON wechat_seen (seen_at);
COMMIT;
PRAGMA foreign_keys = ON;
