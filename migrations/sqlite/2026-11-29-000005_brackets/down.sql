DROP TABLE bracket_results;
DROP TABLE brackets;
