-- Foundation: installation, the ladder (organisations, tiers, skills, contests),
-- people (competitors, entries), accounts, and the audit log.
-- Ids are allocated by the application (store::ids) from per-table sequences.

CREATE TABLE installation (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id BIGINT PRIMARY KEY NOT NULL,
    parent_id BIGINT REFERENCES organisations(id),
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    depth INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);
CREATE INDEX organisations_path ON organisations(path);

CREATE TABLE tiers (
    id BIGINT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    rank INTEGER NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE skills (
    id BIGINT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    team_size INTEGER NOT NULL CHECK (team_size BETWEEN 1 AND 10),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE contests (
    id BIGINT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    skill_id BIGINT NOT NULL REFERENCES skills(id),
    tier_id BIGINT NOT NULL REFERENCES tiers(id),
    organiser_org_id BIGINT NOT NULL REFERENCES organisations(id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    reference_date DATE NOT NULL,
    status TEXT NOT NULL,
    min_age INTEGER,
    max_age INTEGER,
    required_group TEXT,
    eligible_org_id BIGINT REFERENCES organisations(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contests_organiser ON contests(organiser_org_id);

CREATE TABLE contest_prerequisites (
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    required_contest_id BIGINT NOT NULL REFERENCES contests(id),
    PRIMARY KEY (contest_id, required_contest_id)
);

CREATE TABLE competitors (
    id BIGINT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    id_hash TEXT NOT NULL UNIQUE,
    id_last4 TEXT NOT NULL,
    id_kind TEXT NOT NULL,
    birth_date DATE NOT NULL,
    gender TEXT NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    grp TEXT NOT NULL,
    skill_level TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX competitors_organisation ON competitors(organisation_id);

CREATE TABLE entries (
    id BIGINT PRIMARY KEY NOT NULL,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    start_number TEXT NOT NULL,
    team_name TEXT,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, start_number)
);

CREATE TABLE entry_members (
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    competitor_id BIGINT NOT NULL REFERENCES competitors(id),
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    seat INTEGER NOT NULL,
    -- One person is in at most one entry of a contest.
    PRIMARY KEY (competitor_id, contest_id)
);
CREATE INDEX entry_members_entry ON entry_members(entry_id);

CREATE TABLE users (
    id BIGINT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    competitor_id BIGINT UNIQUE REFERENCES competitors(id),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE contest_judges (
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (contest_id, user_id)
);
CREATE INDEX contest_judges_user ON contest_judges(user_id);

CREATE TABLE auth_tokens (
    id BIGINT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    contest_id BIGINT REFERENCES contests(id),
    created_by BIGINT REFERENCES users(id),
    issued_from BIGINT REFERENCES auth_tokens(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX auth_tokens_user ON auth_tokens(user_id);
CREATE INDEX auth_tokens_issued_from ON auth_tokens(issued_from);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES users(id),
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log(subject_type, subject_id);

INSERT INTO tiers (id, code, name_zh, name_en, rank, created_at) VALUES
    (1, 'workplace-drill', '岗位练兵', 'Workplace drill', 10, '2026-01-01 00:00:00'),
    (2, 'enterprise', '企业技能竞赛', 'Enterprise contest', 20, '2026-01-01 00:00:00'),
    (3, 'city', '市级技能竞赛', 'City contest', 30, '2026-01-01 00:00:00'),
    (4, 'provincial', '省级技能竞赛', 'Provincial contest', 40, '2026-01-01 00:00:00'),
    (5, 'national', '全国及行业技能竞赛', 'National / industry contest', 50, '2026-01-01 00:00:00'),
    (6, 'international', '国际技能竞赛', 'International contest', 60, '2026-01-01 00:00:00');
CREATE SEQUENCE organisations_id_seq;
CREATE SEQUENCE tiers_id_seq;
CREATE SEQUENCE skills_id_seq;
CREATE SEQUENCE contests_id_seq;
CREATE SEQUENCE competitors_id_seq;
CREATE SEQUENCE entries_id_seq;
CREATE SEQUENCE users_id_seq;
CREATE SEQUENCE auth_tokens_id_seq;
CREATE SEQUENCE audit_log_id_seq;
SELECT setval('tiers_id_seq', 6);
