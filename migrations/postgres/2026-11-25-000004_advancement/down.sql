DROP SEQUENCE contest_pathways_id_seq, advancements_id_seq;
DROP TABLE advancements;
DROP TABLE contest_pathways;
