DROP TABLE judge_flag_settings;
