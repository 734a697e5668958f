-- Marking: versioned schemes, judges' panels, append-only marks, module
-- sign-offs, and the running scores kept up to date mark by mark.

CREATE TABLE schemes (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, version)
);

CREATE TABLE panels (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    covers TEXT NOT NULL,
    conflict_depth INTEGER,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, code)
);

CREATE TABLE panel_judges (
    panel_id BIGINT NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (panel_id, user_id)
) WITHOUT ROWID;

CREATE TABLE marks (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    aspect TEXT NOT NULL,
    slot TEXT NOT NULL,
    seq INTEGER NOT NULL,
    value TEXT NOT NULL,
    client_id TEXT NOT NULL,
    replaces BIGINT REFERENCES marks(id),
    judge_id BIGINT NOT NULL REFERENCES users(id),
    device TEXT NOT NULL,
    reason TEXT,
    scheme_version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, client_id),
    UNIQUE (entry_id, aspect, slot, seq)
);

CREATE TABLE module_locks (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    module TEXT NOT NULL,
    locked_by BIGINT NOT NULL REFERENCES users(id),
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (entry_id, module)
);

CREATE TABLE entry_scores (
    entry_id BIGINT PRIMARY KEY NOT NULL REFERENCES entries(id),
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    scheme_version INTEGER NOT NULL,
    total TEXT NOT NULL,
    marked INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    detail TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX entry_scores_contest ON entry_scores(contest_id);
