ALTER TABLE contests DROP COLUMN time_zone;
