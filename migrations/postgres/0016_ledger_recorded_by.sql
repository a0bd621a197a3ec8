-- "Payments I recorded": a staff member's entries, newest first.
CREATE INDEX ledger_entries_recorded_by ON ledger_entries (recorded_by, seq);
