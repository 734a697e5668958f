-- Award certificates (获奖证书): one per award holder of a publication
-- version (each member of a team has their own). The code is printed on
-- the certificate and checked at /verify/{code}: 100 random bits from the
-- operating system's generator, kept as 20 Crockford base32 characters
-- without dashes. What the certificate states besides the holder's name
-- and the award it was issued for is read from the publication, which never
-- changes. Rows are only ever added.
CREATE TABLE certificates (
    id BIGINT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    version INTEGER NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES entries(id),
    competitor_id BIGINT NOT NULL REFERENCES competitors(id),
    -- The holder's name as it was printed.
    holder TEXT NOT NULL,
    -- The award printed on the certificate (its code in the publication).
    award TEXT NOT NULL,
    -- The certificate's place in the publication's order (place, then seat).
    position INTEGER NOT NULL,
    issued_by BIGINT REFERENCES users(id),
    issued_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, version, entry_id, competitor_id)
);
CREATE INDEX certificates_contest ON certificates (contest_id, version);
