DROP SEQUENCE brackets_id_seq, bracket_results_id_seq;
DROP TABLE bracket_results;
DROP TABLE brackets;
