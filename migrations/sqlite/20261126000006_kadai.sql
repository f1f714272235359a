-- 課題管理表: the contract's open issues and action items.
CREATE TABLE kadai_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    owner        TEXT NOT NULL,
    due_date     TEXT,
    priority     TEXT NOT NULL,
    status       TEXT NOT NULL,
    -- The meeting it was raised in (its date), if any.
    meeting_date TEXT,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    done_at      INTEGER
);
CREATE INDEX kadai_items_by_status ON kadai_items (status, due_date);
