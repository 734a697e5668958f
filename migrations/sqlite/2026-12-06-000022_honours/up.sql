-- Honours programmes (劳动模范, 工匠, 技术能手): the programme as written
-- (every version kept), the attributes persons gain for category shares,
-- nominations with their attachments, the confirmed lists in public notice
-- (公示, every version kept) and the objections lodged against them.

CREATE TABLE honours_programmes (
    id BIGINT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    tier_id BIGINT NOT NULL REFERENCES tiers(id),
    awarding_org_id BIGINT NOT NULL REFERENCES organisations(id),
    -- nominating | review | notice | closed
    stage TEXT NOT NULL,
    -- The ordinary contest in which the review panel marks the nominees.
    review_contest_id BIGINT REFERENCES contests(id),
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE honours_programme_versions (
    id BIGINT PRIMARY KEY NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES honours_programmes(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, version)
);

-- A person's attributes (frontline, job, service_since, ...): appended;
-- the latest row of a name holds, a NULL value clears it.
CREATE TABLE person_attributes (
    id BIGINT PRIMARY KEY NOT NULL,
    competitor_id BIGINT NOT NULL REFERENCES competitors(id),
    name TEXT NOT NULL,
    value TEXT,
    set_by BIGINT REFERENCES users(id),
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX person_attributes_competitor ON person_attributes (competitor_id, name, id);

CREATE TABLE nominations (
    id BIGINT PRIMARY KEY NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES honours_programmes(id),
    competitor_id BIGINT NOT NULL REFERENCES competitors(id),
    -- The nominating organisation.
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    statement TEXT NOT NULL,
    -- active | withdrawn | revoked
    status TEXT NOT NULL,
    -- The nominee's entry in the review contest, once it exists.
    entry_id BIGINT REFERENCES entries(id),
    nominated_by BIGINT REFERENCES users(id),
    nominated_at TIMESTAMP NOT NULL,
    status_reason TEXT,
    status_by BIGINT REFERENCES users(id),
    status_at TIMESTAMP
);
CREATE INDEX nominations_programme ON nominations (programme_id, id);
CREATE UNIQUE INDEX nominations_one_active ON nominations (programme_id, competitor_id) WHERE status = 'active';

CREATE TABLE nomination_attachments (
    id BIGINT PRIMARY KEY NOT NULL,
    nomination_id BIGINT NOT NULL REFERENCES nominations(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX nomination_attachments_nomination ON nomination_attachments (nomination_id);

-- A confirmed list: the selection as the engine made it (JSON), where it
-- came from, and its notice period.
CREATE TABLE honours_lists (
    id BIGINT PRIMARY KEY NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES honours_programmes(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    programme_version INTEGER NOT NULL,
    review_contest_id BIGINT NOT NULL REFERENCES contests(id),
    publication_version INTEGER NOT NULL,
    -- The upheld objection this version carries out.
    objection_id BIGINT,
    confirmed_by BIGINT REFERENCES users(id),
    confirmed_at TIMESTAMP NOT NULL,
    -- The end of the notice (UTC).
    notice_ends TIMESTAMP NOT NULL,
    UNIQUE (programme_id, version)
);

CREATE TABLE honours_list_members (
    list_id BIGINT NOT NULL REFERENCES honours_lists(id),
    competitor_id BIGINT NOT NULL REFERENCES competitors(id),
    nomination_id BIGINT NOT NULL REFERENCES nominations(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (list_id, competitor_id)
);
CREATE INDEX honours_list_members_competitor ON honours_list_members (competitor_id);

CREATE TABLE honours_objections (
    id BIGINT PRIMARY KEY NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES honours_programmes(id),
    list_version INTEGER NOT NULL,
    nomination_id BIGINT NOT NULL REFERENCES nominations(id),
    grounds TEXT NOT NULL,
    lodged_by BIGINT NOT NULL REFERENCES users(id),
    lodged_at TIMESTAMP NOT NULL,
    -- pending | upheld | dismissed
    status TEXT NOT NULL,
    reasons TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMP
);
CREATE INDEX honours_objections_programme ON honours_objections (programme_id, id);
