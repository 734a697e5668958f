-- When a judge is flagged to the chief judge while marking runs: their
-- mean absolute deviation from the rest of the panel, as a share of the
-- mark scale, above `mad_share` (a decimal, as text, e.g. '0.25'), over at
-- least `min_marks` of their marks. One row per contest whose organisers
-- changed the defaults; changes are audited.
CREATE TABLE judge_flag_settings (
    contest_id BIGINT PRIMARY KEY NOT NULL REFERENCES contests(id),
    mad_share TEXT NOT NULL,
    min_marks INTEGER NOT NULL,
    changed_by BIGINT REFERENCES users(id),
    changed_at TIMESTAMP NOT NULL
);
