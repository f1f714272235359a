-- Consultations (相談), their history, the quota counters and alerts, and the
-- durable outbox of messages. Times are epoch seconds; months are 'YYYY-MM'
-- in Asia/Tokyo.

CREATE TABLE consultations (
    id             BIGSERIAL PRIMARY KEY,
    short_id       TEXT NOT NULL UNIQUE,
    month_seq      BIGINT NOT NULL,
    requester      TEXT NOT NULL,
    department     TEXT,
    title          TEXT NOT NULL,
    category       TEXT NOT NULL,
    details        TEXT NOT NULL,
    desired_date   TEXT,
    status         TEXT NOT NULL,
    intake_status  TEXT NOT NULL,
    assignee       TEXT,
    received_at    BIGINT NOT NULL,
    received_month TEXT NOT NULL,
    quota_kind     TEXT NOT NULL,
    quota_bucket   TEXT,
    quota_position BIGINT,
    exception      BIGINT NOT NULL DEFAULT 0,
    decline_reason TEXT,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX consultations_by_received_month ON consultations (received_month, month_seq);
CREATE INDEX consultations_by_bucket ON consultations (quota_kind, quota_bucket);
CREATE INDEX consultations_by_requester ON consultations (requester);

CREATE TABLE consultation_events (
    id              BIGSERIAL PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations (id),
    at              BIGINT NOT NULL,
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
    counted BIGINT NOT NULL,
    PRIMARY KEY (kind, bucket)
);

CREATE TABLE quota_alerts (
    kind       TEXT NOT NULL,
    bucket     TEXT NOT NULL,
    threshold  BIGINT NOT NULL,
    alerted_at BIGINT NOT NULL,
    PRIMARY KEY (kind, bucket, threshold)
);

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient       TEXT NOT NULL,
    text            TEXT NOT NULL,
    buttons         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    failed_at       BIGINT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Slack event ids already handled, so a retried delivery does nothing twice.
CREATE TABLE slack_events_seen (
    event_id TEXT PRIMARY KEY NOT NULL,
    seen_at  BIGINT NOT NULL
);

CREATE TABLE conversations (
    user_id    TEXT PRIMARY KEY NOT NULL,
    state      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
