-- Stations an administrator has added or edited are theirs: a later catalogue import neither
-- overwrites nor removes them.
ALTER TABLE stations ADD COLUMN managed_by TEXT NOT NULL DEFAULT 'catalog' CHECK (managed_by IN ('catalog', 'admin'));
