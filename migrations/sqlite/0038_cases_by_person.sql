-- The possible duplicates of an application (the cases under way for one service and one person,
-- by name and birth date) are looked up on every application and case page: an index instead of a
-- scan of every case.
CREATE INDEX cases_by_person ON cases (item_code, person_name, person_birth_date);
