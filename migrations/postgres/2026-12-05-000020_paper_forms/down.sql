DROP TABLE paper_resolutions;
DROP TABLE paper_entries;
DROP TABLE paper_forms;
DROP SEQUENCE paper_resolutions_id_seq;
DROP SEQUENCE paper_entries_id_seq;
DROP SEQUENCE paper_forms_id_seq;
