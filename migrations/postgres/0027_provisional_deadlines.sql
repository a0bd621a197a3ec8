-- A deadline counted over a year without the State Council's notice (computed from the national
-- holiday regulation) is provisional until that year's calendar is imported: 1 provisional, 0 not.
ALTER TABLE cases ADD COLUMN deadline_provisional BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN green_due_provisional BIGINT NOT NULL DEFAULT 0;
