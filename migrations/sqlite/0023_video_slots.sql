-- Video identity check slots, published by officers in Beijing time and kept as UTC instants
-- (milliseconds). Booking is one conditional UPDATE on an open slot: of two people booking the
-- same slot at once, exactly one gets it.
CREATE TABLE video_slots (
    id TEXT PRIMARY KEY,
    officer_id TEXT NOT NULL REFERENCES users (id),
    starts_at BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'booked', 'cancelled', 'no_show')),
    case_id TEXT REFERENCES cases (id),
    booked_by TEXT REFERENCES users (id),
    booked_at BIGINT,
    -- The zone the booking was made in, for the messages that tell the time.
    booker_time_zone TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX video_slots_one_per_time ON video_slots (officer_id, starts_at) WHERE state <> 'cancelled';
CREATE UNIQUE INDEX video_slots_one_per_case ON video_slots (case_id) WHERE state = 'booked';
CREATE INDEX video_slots_by_state ON video_slots (state, starts_at);
