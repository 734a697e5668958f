DROP TABLE advancements;
DROP TABLE contest_pathways;
