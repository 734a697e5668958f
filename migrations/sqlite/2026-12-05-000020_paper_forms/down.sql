DROP TABLE paper_resolutions;
DROP TABLE paper_entries;
DROP TABLE paper_forms;
