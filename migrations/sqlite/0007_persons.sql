-- The people an account applies for: the holder ("self") and family members, with the identity
-- documents on file. Names and numbers are what the person showed; numbers are sealed like those
-- in person_identity, with a keyed index for exact look-up.
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users (id),
    relation TEXT NOT NULL CHECK (relation IN ('self', 'child', 'parent', 'spouse', 'grandparent', 'grandchild', 'sibling', 'other')),
    name TEXT NOT NULL,
    name_latin TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    -- ISO 3166-1 alpha-2 code and city of residence.
    country TEXT NOT NULL,
    city TEXT NOT NULL,
    phone TEXT NOT NULL,
    -- Recorded only with the person's consent, and sealed.
    disability_sealed TEXT,
    disability_consent_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX persons_by_owner ON persons (owner_id, created_at);

CREATE TABLE person_documents (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('resident_id', 'passport', 'permit')),
    number_sealed TEXT NOT NULL,
    number_index TEXT NOT NULL,
    -- YYYY-MM-DD; NULL for resident ID cards.
    expires_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX person_documents_by_person ON person_documents (person_id);
CREATE INDEX person_documents_by_number ON person_documents (number_index);
CREATE INDEX person_documents_by_expiry ON person_documents (expires_on);

-- The person on file a case is for (the case keeps its own copy of name and birth date as filed).
ALTER TABLE cases ADD COLUMN person_id TEXT REFERENCES persons (id);
