-- A station's service hall. Each number taken there (at the kiosk, on her phone, or by staff at
-- reception) is one row: numbered per hall and day (the hall's own day, in its zone), one counter
-- row per hall and day handing them out, so that two nodes never give the same number. A number
-- waits in its service group (a catalogue category), is called to a window, and ends served, not
-- come, or given back. `follow_hash` is the SHA-256 of the secret in the address her phone
-- follows it by. `call_reason` says why it was called when it was (its turn, a priority, or the
-- run of priority calls was full).
CREATE TABLE hall_tickets (
    id TEXT PRIMARY KEY,
    station_code TEXT NOT NULL,
    day TEXT NOT NULL,
    number BIGINT NOT NULL,
    label TEXT NOT NULL,
    category_code TEXT NOT NULL,
    priority TEXT,
    taken_via TEXT NOT NULL CHECK (taken_via IN ('kiosk', 'phone', 'reception')),
    lang TEXT NOT NULL,
    follow_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'called', 'served', 'no_show', 'given_back')),
    taken_at BIGINT NOT NULL,
    first_called_at BIGINT,
    called_at BIGINT,
    calls BIGINT NOT NULL DEFAULT 0,
    window_name TEXT,
    called_by TEXT REFERENCES users (id),
    call_reason TEXT,
    done_at BIGINT,
    UNIQUE (station_code, day, number)
);
CREATE INDEX hall_tickets_of_day ON hall_tickets (station_code, day, state);

CREATE TABLE hall_counters (
    station_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (station_code, day)
);

-- How a hall calls its numbers, as an administrator set it; a hall without a row uses the
-- defaults. `honoured` lists the priorities served before their turn, comma-separated.
CREATE TABLE hall_rules (
    station_code TEXT PRIMARY KEY,
    honoured TEXT NOT NULL,
    priority_run BIGINT NOT NULL,
    no_show_after BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id)
);
