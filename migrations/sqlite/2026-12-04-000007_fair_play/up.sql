-- Fair play, as a competition's rules (赛项规程) require it: check-in at the
-- door, draws by lot, blind numbers and their decryption, re-check and the
-- signatures that release results, appeals and the arbitration group's
-- decisions. Everything is appended; nothing here is updated in place
-- except a contest's fair-play settings, whose changes are audited.

-- How a contest runs its safeguards.
CREATE TABLE fair_play_settings (
    contest_id BIGINT PRIMARY KEY NOT NULL REFERENCES contests(id),
    -- 0: marked under start numbers; 1: first-layer numbers (一次加密);
    -- 2: second-layer numbers for handed-in work too (二次加密).
    blind_layers INTEGER NOT NULL,
    -- The appeal window's length, and the moment it opens from:
    -- 'marking_closed' or 'provisional_results'.
    appeal_minutes INTEGER NOT NULL,
    appeal_from TEXT NOT NULL,
    -- Whether publication waits for a re-check (复核) of every entry and
    -- the signatures of the chief judge and a supervisor.
    recheck_required BOOLEAN NOT NULL,
    changed_by BIGINT REFERENCES users(id),
    changed_at TIMESTAMP NOT NULL
);

-- Check-in (检录): one row per check; the latest for an entry stands.
CREATE TABLE check_ins (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    -- present | absent | withdrawn
    status TEXT NOT NULL,
    -- Whether the last characters of the identity number matched.
    identity_matched BOOLEAN NOT NULL,
    reason TEXT,
    -- The device's own id for the check, so a queued check is kept once.
    client_id TEXT NOT NULL,
    device TEXT NOT NULL,
    checked_by BIGINT NOT NULL REFERENCES users(id),
    checked_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, client_id)
);
CREATE INDEX check_ins_entry ON check_ins(entry_id, id);

-- Draws by lot (抽签) of workstations and running order. A redraw
-- replaces an earlier draw and gives its reason; both are kept.
CREATE TABLE draws (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    -- workstation | running_order
    kind TEXT NOT NULL,
    seed BIGINT NOT NULL,
    reason TEXT,
    replaces BIGINT REFERENCES draws(id),
    drawn_by BIGINT NOT NULL REFERENCES users(id),
    drawn_at TIMESTAMP NOT NULL
);
CREATE INDEX draws_contest ON draws(contest_id, kind, id);

CREATE TABLE draw_places (
    draw_id BIGINT NOT NULL REFERENCES draws(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    -- The workstation number, or the place in the running order (1, 2, …).
    place INTEGER NOT NULL,
    PRIMARY KEY (draw_id, entry_id),
    UNIQUE (draw_id, place)
);

-- Blind numbers (加密), kept apart from every other table: only the
-- encryption officer reads them before decryption, and the seed of a
-- blind draw is as secret as its numbers.
CREATE TABLE blind_draws (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    -- 1 (一次加密) or 2 (二次加密)
    layer INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    reason TEXT,
    replaces BIGINT REFERENCES blind_draws(id),
    drawn_by BIGINT NOT NULL REFERENCES users(id),
    drawn_at TIMESTAMP NOT NULL
);
CREATE INDEX blind_draws_contest ON blind_draws(contest_id, layer, id);

CREATE TABLE blind_numbers (
    draw_id BIGINT NOT NULL REFERENCES blind_draws(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    number TEXT NOT NULL,
    PRIMARY KEY (draw_id, entry_id),
    UNIQUE (draw_id, number)
);

-- Signatures of the people a step needs: decryption (解密) needs the chief
-- judge's and a supervisor's; a publication needs the same pair for its
-- version. One signature per role and step.
CREATE TABLE signatures (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    -- decryption | publication
    purpose TEXT NOT NULL,
    -- The publication version signed for (0 for decryption).
    version INTEGER NOT NULL,
    -- chief_judge | supervisor
    role TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    signed_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, purpose, version, role)
);

-- Re-check (复核): a second person confirms an entry's score sheet against
-- the recomputed total. The latest check of an entry stands.
CREATE TABLE rechecks (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    -- The total the checker confirmed, as a decimal.
    total TEXT NOT NULL,
    agrees BOOLEAN NOT NULL,
    note TEXT,
    checked_by BIGINT NOT NULL REFERENCES users(id),
    checked_at TIMESTAMP NOT NULL
);
CREATE INDEX rechecks_contest ON rechecks(contest_id, entry_id, id);

-- Appeals (申诉) to the supervision and arbitration group (监督仲裁组).
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    grounds TEXT NOT NULL,
    filed_by BIGINT NOT NULL REFERENCES users(id),
    filed_at TIMESTAMP NOT NULL
);
CREATE INDEX appeals_contest ON appeals(contest_id, id);

-- Hearing notes and the one decision of each appeal.
CREATE TABLE appeal_events (
    id INTEGER PRIMARY KEY NOT NULL,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    -- note | decision
    kind TEXT NOT NULL,
    -- For a decision: rejected | upheld.
    outcome TEXT,
    body TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX appeal_events_appeal ON appeal_events(appeal_id, id);
CREATE UNIQUE INDEX appeal_events_one_decision ON appeal_events(appeal_id) WHERE kind = 'decision';

CREATE TABLE appeal_attachments (
    id INTEGER PRIMARY KEY NOT NULL,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX appeal_attachments_appeal ON appeal_attachments(appeal_id);

-- A publication made to carry out an upheld appeal cites it.
ALTER TABLE publications ADD COLUMN appeal_id BIGINT REFERENCES appeals(id);
