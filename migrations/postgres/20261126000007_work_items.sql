-- The contract's capped work other than consultations (仕様書 4): procurement
-- reviews, audit items, site audits, ... counted against their caps in
-- quota_counters / quota_alerts like consultations.
CREATE TABLE work_items (
    id             BIGSERIAL PRIMARY KEY,
    kind           TEXT NOT NULL,
    number         BIGINT NOT NULL,
    title          TEXT NOT NULL,
    -- Kind-specific fields as a JSON object (type, amount, viewpoints, criterion).
    attributes     TEXT NOT NULL,
    -- 'counted', or 'held' when the cap was reached.
    status         TEXT NOT NULL,
    quota_bucket   TEXT,
    quota_position BIGINT,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    UNIQUE (kind, number)
);
