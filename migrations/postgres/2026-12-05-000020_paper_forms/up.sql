-- Paper forms (纸质评分表) typed in twice. A form is one judge's marks for
-- one module of a contest; it is recorded (its marks stored as that judge's)
-- once two different people typed the same values, or once the chief judge
-- resolved every cell where they differ.
CREATE TABLE paper_forms (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    judge_id BIGINT NOT NULL REFERENCES users(id),
    module TEXT NOT NULL,
    recorded_at TIMESTAMP,
    UNIQUE (contest_id, judge_id, module)
);

-- Every typing of a form, appended: `round` 1 or 2; the latest row of a
-- round stands. `cells` is JSON: [{"entry": id, "aspect": code, "value": "8.5" | null}].
CREATE TABLE paper_entries (
    id BIGINT PRIMARY KEY NOT NULL,
    form_id BIGINT NOT NULL REFERENCES paper_forms(id),
    round INTEGER NOT NULL,
    typist_id BIGINT NOT NULL REFERENCES users(id),
    cells TEXT NOT NULL,
    typed_at TIMESTAMP NOT NULL
);
CREATE INDEX paper_entries_form ON paper_entries(form_id, round, id);

-- The chief judge's value for a cell where the two typings differ, with
-- the reason; `value` NULL leaves the cell blank.
CREATE TABLE paper_resolutions (
    id BIGINT PRIMARY KEY NOT NULL,
    form_id BIGINT NOT NULL REFERENCES paper_forms(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    aspect TEXT NOT NULL,
    value TEXT,
    reason TEXT NOT NULL,
    resolved_by BIGINT NOT NULL REFERENCES users(id),
    resolved_at TIMESTAMP NOT NULL
);
CREATE INDEX paper_resolutions_form ON paper_resolutions(form_id, id);

CREATE SEQUENCE paper_forms_id_seq;
CREATE SEQUENCE paper_entries_id_seq;
CREATE SEQUENCE paper_resolutions_id_seq;
