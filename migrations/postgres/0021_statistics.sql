-- The cost of a trip home per country, as versions: editing makes a new version, and a closed
-- case keeps the version it was priced with. `body` is the validated domain value as JSON.
CREATE TABLE cost_models (
    version BIGINT PRIMARY KEY,
    body TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A closed case's figures, written by its close step's transaction and never changed after.
CREATE TABLE case_outcomes (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    -- YYYY-MM and YYYY-MM-DD of the closing, Beijing time.
    month TEXT NOT NULL,
    closed_on TEXT NOT NULL,
    station TEXT NOT NULL,
    item_code TEXT NOT NULL,
    category TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'refused')),
    processing_days BIGINT NOT NULL,
    -- 1 met, 0 missed, NULL without a deadline.
    within_deadline BIGINT,
    country TEXT NOT NULL,
    -- NULL when no saving is claimed (refused, at the window, or a country without costs).
    model_version BIGINT,
    money_fen BIGINT NOT NULL,
    days_saved BIGINT NOT NULL
);
CREATE INDEX case_outcomes_by_month ON case_outcomes (month, station);

-- Sums of case_outcomes per month, station and item, kept in the same transaction as each
-- closing, so that the dashboard reads a few thousand rows however many cases there are.
-- `bucket_n` counts processing times in domain::stats::BUCKETS.
CREATE TABLE case_stats (
    month TEXT NOT NULL,
    station TEXT NOT NULL,
    item_code TEXT NOT NULL,
    category TEXT NOT NULL,
    handled BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    with_deadline BIGINT NOT NULL,
    within_deadline BIGINT NOT NULL,
    processing_days BIGINT NOT NULL,
    saved_cases BIGINT NOT NULL,
    money_fen BIGINT NOT NULL,
    days_saved BIGINT NOT NULL,
    bucket_0 BIGINT NOT NULL,
    bucket_1 BIGINT NOT NULL,
    bucket_2 BIGINT NOT NULL,
    bucket_3 BIGINT NOT NULL,
    bucket_4 BIGINT NOT NULL,
    bucket_5 BIGINT NOT NULL,
    PRIMARY KEY (month, station, item_code)
);

CREATE INDEX consultations_by_opening ON consultations (opened_at);
