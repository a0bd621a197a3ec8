-- The hour of the hall's own day a number was taken (0-23, in the station's zone), kept when it
-- is taken, so the statistics group numbers by the hour without converting times in SQL. Numbers
-- taken before have none and are counted under no hour.
ALTER TABLE hall_tickets ADD COLUMN hour BIGINT;
