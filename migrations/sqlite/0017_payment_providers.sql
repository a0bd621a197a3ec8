-- The online payment provider an entry was paid through, and whether the provider's gateway
-- confirmed the reference and amount (1) or staff recorded it on their word (0).
CREATE TABLE ledger_provider_refs (
    entry_id TEXT PRIMARY KEY REFERENCES ledger_entries (id),
    provider TEXT NOT NULL,
    confirmed BIGINT NOT NULL
);
