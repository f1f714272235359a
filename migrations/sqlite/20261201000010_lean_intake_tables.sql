-- no-transaction
-- The tables every new consultation writes, rebuilt with fewer B-trees
-- (BENCHMARKS.md: each B-tree an intake touches is at least one more WAL
-- frame in its commit, and the commit was half of the intake writer's time):
--   * consultations and outbox without AUTOINCREMENT, whose sqlite_sequence
--     row every insert updated; a rowid is still never reused while the
--     newest row exists, and neither table deletes its newest rows;
--   * consultations without the UNIQUE index on short_id: the short id is
--     made of the receipt month and its number there, which the
--     (received_month, month_seq) index already keeps unique and finds;
--   * consultations without the index by quota bucket: its one reader, the
--     quota summary, reads a period's few rows either way;
--   * replay claims as one B-tree in the order they were sent (their
--     timestamp, then the signature), instead of a table, its key's index
--     and an index by age.
-- Rebuilding a table that other tables reference needs foreign keys off
-- (https://www.sqlite.org/lang_altertable.html#otheralter), which cannot
-- change inside a transaction: hence `no-transaction` above and the
-- explicit transaction below. Every step reads the same on the old shape
-- and on the new one, so the file may run again if banso stopped between
-- its commit and the migration's bookkeeping.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE consultations_rebuilt (
    id             INTEGER PRIMARY KEY,
    short_id       TEXT NOT NULL,
    month_seq      INTEGER NOT NULL,
    requester      TEXT NOT NULL,
    department     TEXT,
    title          TEXT NOT NULL,
    category       TEXT NOT NULL,
    details        TEXT NOT NULL,
    desired_date   TEXT,
    status         TEXT NOT NULL,
    intake_status  TEXT NOT NULL,
    assignee       TEXT,
    received_at    INTEGER NOT NULL,
    received_month TEXT NOT NULL,
    quota_kind     TEXT NOT NULL,
    quota_bucket   TEXT,
    quota_position INTEGER,
    exception      INTEGER NOT NULL DEFAULT 0,
    decline_reason TEXT,
    updated_at     INTEGER NOT NULL
);
INSERT INTO consultations_rebuilt (id, short_id, month_seq, requester, department, title, category, details,
        desired_date, status, intake_status, assignee, received_at, received_month, quota_kind, quota_bucket,
        quota_position, exception, decline_reason, updated_at)
    SELECT id, short_id, month_seq, requester, department, title, category, details,
        desired_date, status, intake_status, assignee, received_at, received_month, quota_kind, quota_bucket,
        quota_position, exception, decline_reason, updated_at
    FROM consultations;
DROP TABLE consultations;
ALTER TABLE consultations_rebuilt RENAME TO consultations;
CREATE UNIQUE INDEX consultations_by_received_month ON consultations (received_month, month_seq);
CREATE INDEX consultations_by_requester ON consultations (requester);

CREATE TABLE outbox_rebuilt (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient       TEXT NOT NULL,
    text            TEXT NOT NULL,
    buttons         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    failed_at       INTEGER,
    text_template   TEXT,
    text_context    TEXT
);
INSERT INTO outbox_rebuilt (id, idempotency_key, recipient, text, buttons, created_at, sent_at, attempts,
        last_error, failed_at, text_template, text_context)
    SELECT id, idempotency_key, recipient, text, buttons, created_at, sent_at, attempts,
        last_error, failed_at, text_template, text_context
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE slack_request_claims_rebuilt (
    sent_at   INTEGER NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (sent_at, signature)
) WITHOUT ROWID;
INSERT OR IGNORE INTO slack_request_claims_rebuilt (sent_at, signature)
    SELECT sent_at, signature FROM slack_request_claims;
DROP TABLE slack_request_claims;
ALTER TABLE slack_request_claims_rebuilt RENAME TO slack_request_claims;

DELETE FROM sqlite_sequence WHERE name IN ('consultations', 'outbox');

COMMIT;
PRAGMA foreign_keys = ON;
