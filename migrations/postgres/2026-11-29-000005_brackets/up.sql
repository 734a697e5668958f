-- Head-to-head brackets: the structure's recipe (format, options, the
-- entries in seed order and how they were seeded), and every result as an
-- appended row; a row without a body clears a match's result (a reset
-- after a correction). Nothing is overwritten.

CREATE TABLE brackets (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    code TEXT NOT NULL,
    format TEXT NOT NULL,
    options TEXT NOT NULL,
    entrants TEXT NOT NULL,
    seeding TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, code)
);

CREATE TABLE bracket_results (
    id BIGINT PRIMARY KEY NOT NULL,
    bracket_id BIGINT NOT NULL REFERENCES brackets(id),
    match_id TEXT NOT NULL,
    body TEXT,
    reason TEXT,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX bracket_results_bracket ON bracket_results(bracket_id, id);

CREATE SEQUENCE brackets_id_seq;
CREATE SEQUENCE bracket_results_id_seq;
