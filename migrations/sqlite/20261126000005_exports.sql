-- Every export banso wrote (who, what, when): the contract asks for the
-- data back at its end (仕様書 11), and `banso purge` destroys the data
-- only after an export newer than the last change.
CREATE TABLE exports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    scope       TEXT,
    file_name   TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    exported_by TEXT NOT NULL,
    exported_at INTEGER NOT NULL
);
CREATE INDEX exports_by_time ON exports (exported_at);
