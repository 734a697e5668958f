-- Whether a contest's live ranking is shown to everyone who may view the
-- contest (its organisers and chief judges always see it). A contest without
-- a row keeps its live ranking private.

CREATE TABLE live_rankings (
    contest_id BIGINT PRIMARY KEY NOT NULL REFERENCES contests(id),
    public BOOLEAN NOT NULL,
    changed_by BIGINT REFERENCES users(id),
    changed_at TIMESTAMP NOT NULL
);
