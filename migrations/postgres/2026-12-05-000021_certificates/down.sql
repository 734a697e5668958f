DROP SEQUENCE certificates_id_seq;
DROP TABLE certificates;
