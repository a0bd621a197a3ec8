-- The Official Account's access token, one for every node: WeChat hands out one at a time (a new
-- one ends the old within minutes), so one node fetches it and all use it until shortly before it
-- expires (`use_until`, milliseconds). Sealed with the field key; `token_hash` lets a node that
-- saw WeChat refuse the token retire exactly that one.
CREATE TABLE wechat_tokens (
    app_id TEXT PRIMARY KEY,
    token_sealed TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    use_until BIGINT NOT NULL
);
