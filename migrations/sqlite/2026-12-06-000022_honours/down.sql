DROP TABLE honours_objections;
DROP TABLE honours_list_members;
DROP TABLE honours_lists;
DROP TABLE nomination_attachments;
DROP TABLE nominations;
DROP TABLE person_attributes;
DROP TABLE honours_programme_versions;
DROP TABLE honours_programmes;
