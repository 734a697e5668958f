-- Advancement: each contest's qualification rules (versioned), and every
-- confirmed advancement with its provenance: the feeder result that
-- qualified the entry, and the rule.

CREATE TABLE contest_pathways (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, version)
);

CREATE TABLE advancements (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    from_contest_id BIGINT NOT NULL REFERENCES contests(id),
    from_entry_id BIGINT NOT NULL REFERENCES entries(id),
    publication_version INTEGER NOT NULL,
    rule TEXT NOT NULL,
    confirmed_by BIGINT REFERENCES users(id),
    confirmed_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, from_entry_id)
);
CREATE INDEX advancements_from ON advancements(from_contest_id);

CREATE SEQUENCE contest_pathways_id_seq;
CREATE SEQUENCE advancements_id_seq;
