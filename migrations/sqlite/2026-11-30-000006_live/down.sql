DROP TABLE live_rankings;
