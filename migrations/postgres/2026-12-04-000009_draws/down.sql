ALTER TABLE draws DROP COLUMN session_size;
