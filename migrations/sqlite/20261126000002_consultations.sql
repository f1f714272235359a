-- Consultations (相談), their history, the quota counters and alerts, and the
-- durable outbox of messages. Times are epoch seconds; months are 'YYYY-MM'
-- in Asia/Tokyo.

CREATE TABLE consultations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    short_id       TEXT NOT NULL UNIQUE,
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
CREATE UNIQUE INDEX consultations_by_received_month ON consultations (received_month, month_seq);
CREATE INDEX consultations_by_bucket ON consultations (quota_kind, quota_bucket);
CREATE INDEX consultations_by_requester ON consultations (requester);

CREATE TABLE consultation_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    from_status     TEXT,
    to_status       TEXT,
    detail          TEXT
);
CREATE INDEX consultation_events_by_consultation ON consultation_events (consultation_id, id);

CREATE TABLE quota_counters (
    kind    TEXT NOT NULL,
    bucket  TEXT NOT NULL,
    counted INTEGER NOT NULL,
    PRIMARY KEY (kind, bucket)
);

CREATE TABLE quota_alerts (
    kind       TEXT NOT NULL,
    bucket     TEXT NOT NULL,
    threshold  INTEGER NOT NULL,
    alerted_at INTEGER NOT NULL,
    PRIMARY KEY (kind, bucket, threshold)
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient       TEXT NOT NULL,
    text            TEXT NOT NULL,
    buttons         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    failed_at       INTEGER
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Slack event ids already handled, so a retried delivery does nothing twice.
CREATE TABLE slack_events_seen (
    event_id TEXT PRIMARY KEY NOT NULL,
    seen_at  INTEGER NOT NULL
);

CREATE TABLE conversations (
    user_id    TEXT PRIMARY KEY NOT NULL,
    state      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
