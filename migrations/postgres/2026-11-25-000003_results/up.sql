-- Results: each contest's award policy (versioned), measures recorded for
-- tie-breaks (completion time and others; append-only), and publications:
-- immutable, versioned snapshots of the results.

CREATE TABLE contest_policies (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, version)
);

CREATE TABLE entry_measures (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX entry_measures_contest ON entry_measures(contest_id, id);

CREATE TABLE publications (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    version INTEGER NOT NULL,
    reason TEXT,
    seed BIGINT NOT NULL,
    scheme_version INTEGER NOT NULL,
    policy_version INTEGER NOT NULL,
    body TEXT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, version)
);

CREATE SEQUENCE contest_policies_id_seq;
CREATE SEQUENCE entry_measures_id_seq;
CREATE SEQUENCE publications_id_seq;
