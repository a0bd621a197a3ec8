-- Public evaluation (好差评): one rating per thing rated, a hall visit served or a case closed,
-- on five levels with the reasons she ticked (comma-separated) and her comment. `station_code`
-- is where it was given (none for the bureau's own cases), `service` the catalogue category,
-- `label` what the hall or the case shows (`A007`, `QT-2026-000123`), `month` (`YYYY-MM`, in
-- Beijing) what the figures group by. Nobody's name is kept here: the figures are public.
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL CHECK (subject IN ('hall_visit', 'case')),
    subject_id TEXT NOT NULL,
    station_code TEXT,
    service TEXT NOT NULL,
    label TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN
        ('very-satisfied', 'satisfied', 'fair', 'dissatisfied', 'very-dissatisfied')),
    reasons TEXT NOT NULL,
    comment TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api')),
    rated_at BIGINT NOT NULL,
    month TEXT NOT NULL,
    UNIQUE (subject, subject_id)
);
CREATE INDEX evaluations_by_month ON evaluations (month);

-- A poor rating's follow-up: due on a working day (Beijing), for the leaders of its station (or
-- the bureau's duty leaders when it has none), closed once with the note of the call-back.
CREATE TABLE evaluation_follow_ups (
    evaluation_id TEXT PRIMARY KEY REFERENCES evaluations (id),
    station_code TEXT,
    due_on TEXT NOT NULL,
    provisional BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by TEXT REFERENCES users (id),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evaluation_follow_ups_open ON evaluation_follow_ups (closed_at, due_on);
