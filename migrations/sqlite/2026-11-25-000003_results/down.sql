DROP TABLE publications;
DROP TABLE entry_measures;
DROP TABLE contest_policies;
