DROP SEQUENCE contest_policies_id_seq, entry_measures_id_seq, publications_id_seq;
DROP TABLE publications;
DROP TABLE entry_measures;
DROP TABLE contest_policies;
