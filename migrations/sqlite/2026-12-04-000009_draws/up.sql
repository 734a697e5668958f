-- How many workstations (or places of a heat) one session of a draw has;
-- NULL when the draw is not split into sessions.
ALTER TABLE draws ADD COLUMN session_size INTEGER;
