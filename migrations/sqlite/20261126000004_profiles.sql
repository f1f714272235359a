-- What Slack's profile (users.info) said of a person, and when banso last
-- asked: names and, when SLACK_DEPARTMENT_FIELD is set, the department.
ALTER TABLE people ADD COLUMN profile_checked_at INTEGER;
-- 'slack' when the department comes from the Slack profile; NULL when the
-- person told banso.
ALTER TABLE people ADD COLUMN department_source TEXT;
