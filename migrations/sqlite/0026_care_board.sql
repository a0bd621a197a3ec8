-- The care programme's board: the volunteer a family asks for, who took up a wish (a volunteer by
-- her account, or a donor by name), activities with their attendance, and the messages parents
-- abroad send their child's proxy parent (sealed: only the proxy parent and care workers open them).
ALTER TABLE care_children ADD COLUMN preferred_volunteer TEXT REFERENCES users (id);
ALTER TABLE care_wishes ADD COLUMN donor TEXT NOT NULL DEFAULT '';
ALTER TABLE care_wishes ADD COLUMN recorded_by TEXT REFERENCES users (id);
CREATE INDEX care_wishes_by_child ON care_wishes (child_id, created_at);
CREATE TABLE care_activities (
    id TEXT PRIMARY KEY,
    theme TEXT NOT NULL,
    activity_date TEXT NOT NULL,
    township TEXT NOT NULL,
    place TEXT NOT NULL,
    organisers TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX care_activities_by_date ON care_activities (activity_date);
-- Who came: children by their record, volunteers by their account.
CREATE TABLE care_attendance (
    activity_id TEXT NOT NULL REFERENCES care_activities (id),
    kind TEXT NOT NULL CHECK (kind IN ('child', 'volunteer')),
    who TEXT NOT NULL,
    PRIMARY KEY (activity_id, kind, who)
);
CREATE INDEX care_attendance_by_who ON care_attendance (who);
CREATE TABLE care_messages (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES care_children (id),
    from_user TEXT NOT NULL REFERENCES users (id),
    to_user TEXT NOT NULL REFERENCES users (id),
    body_sealed TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX care_messages_by_child ON care_messages (child_id, sent_at);
