-- Meetings: single-occurrence changes made by command, deliverable
-- submissions, and the durable jobs table of planned reminders.

CREATE TABLE meeting_adjustments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    new_start  TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliverable_submissions (
    meeting_key  TEXT NOT NULL,
    item         TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_key, item)
);

CREATE TABLE scheduled_jobs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key   TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    meeting_key       TEXT NOT NULL,
    meeting_starts_at INTEGER NOT NULL,
    due_at            INTEGER NOT NULL,
    status            TEXT NOT NULL,
    lease_until       INTEGER,
    claimed_by        TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    finished_at       INTEGER
);
CREATE INDEX scheduled_jobs_by_status_due ON scheduled_jobs (status, due_at);
CREATE INDEX scheduled_jobs_by_status_lease ON scheduled_jobs (status, lease_until);
