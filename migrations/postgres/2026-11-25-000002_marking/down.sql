DROP SEQUENCE schemes_id_seq, panels_id_seq, marks_id_seq, module_locks_id_seq;
DROP TABLE entry_scores;
DROP TABLE module_locks;
DROP TABLE marks;
DROP TABLE panel_judges;
DROP TABLE panels;
DROP TABLE schemes;
