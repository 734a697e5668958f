-- Each contest's time zone (an IANA name): pages show its times in it.
-- Contests made before it existed keep the usual zone of the events.

ALTER TABLE contests ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai';
