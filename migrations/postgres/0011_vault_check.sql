-- A value sealed with the field key when the database is first opened by this version. Opening the
-- database with another key (a lost secret.key, a restore without the original key) is refused at
-- start instead of failing on the first sealed field someone reads.
CREATE TABLE vault_check (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    sealed TEXT NOT NULL
);
