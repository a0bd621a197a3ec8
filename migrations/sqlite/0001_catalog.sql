-- The service catalogue. Each entity keeps its validated form as JSON in `data`; the columns beside it
-- are what queries filter and sort on.
CREATE TABLE catalog_imports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL,
    digest TEXT NOT NULL,
    bureau TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    data TEXT NOT NULL
);

CREATE TABLE items (
    code TEXT PRIMARY KEY,
    category TEXT NOT NULL REFERENCES categories (code),
    position BIGINT NOT NULL,
    catalog_version TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX items_by_category ON items (category, position);

CREATE TABLE guides (
    code TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    position BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX guides_by_position ON guides (position);

CREATE TABLE stations (
    code TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    position BIGINT NOT NULL,
    data TEXT NOT NULL
);
