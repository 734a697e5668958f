DROP TABLE entry_scores;
DROP TABLE module_locks;
DROP TABLE marks;
DROP TABLE panel_judges;
DROP TABLE panels;
DROP TABLE schemes;
