-- A participant's document number was kept as an unkeyed digest plus its last three characters,
-- from which the whole number was found by trying the few numbers left. New digests are a keyed
-- MAC under the field key (marked `mac:`); the tail is dropped. An old digest stays until the
-- number shown at the check matches it, when it is replaced by a keyed one.
ALTER TABLE video_participants DROP COLUMN document_tail;
