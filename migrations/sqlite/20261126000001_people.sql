-- People banso has met; a staff member's department is remembered here.
CREATE TABLE people (
    user_id      TEXT PRIMARY KEY NOT NULL,
    display_name TEXT,
    department   TEXT,
    updated_at   INTEGER NOT NULL
);
