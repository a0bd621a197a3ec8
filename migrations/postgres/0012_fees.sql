-- The fee ledger: one row per entry (charge, payment, refund, write-off) and its double-entry
-- postings, which always sum to zero (`qiaoyi ledger check` proves it). Amounts are integer fen.
CREATE TABLE ledger_entries (
    -- The order entries were written in; `ledger check` replays them in it.
    seq BIGINT NOT NULL UNIQUE,
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('charge', 'payment', 'refund', 'write_off')),
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    -- How money moved, for payments and refunds; NULL for charges and write-offs.
    method TEXT CHECK (method IN ('cash_station', 'cash_window', 'bank_transfer', 'online')),
    -- The bank's or the online provider's reference.
    reference TEXT NOT NULL,
    -- Who paid or was refunded, as on the receipt.
    payer_name TEXT NOT NULL,
    -- 1 when someone paid for the applicant (代缴); payer_relation says who they are to them.
    on_behalf BIGINT NOT NULL,
    payer_relation TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_role TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    -- R-2026-000001 for payments and refunds; NULL otherwise.
    receipt_number TEXT UNIQUE
);
CREATE INDEX ledger_entries_by_case ON ledger_entries (case_id, recorded_at);
-- A case's fee falls due once.
CREATE UNIQUE INDEX ledger_one_charge ON ledger_entries (case_id) WHERE kind = 'charge';

CREATE TABLE ledger_postings (
    entry_id TEXT NOT NULL REFERENCES ledger_entries (id),
    line BIGINT NOT NULL,
    account TEXT NOT NULL,
    -- Debits positive, credits negative.
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (entry_id, line)
);
CREATE INDEX ledger_postings_by_account ON ledger_postings (account);
