-- The same layout as SQLite's migration 10, where it applies here
-- (SQLite's rebuilds AUTOINCREMENT tables and is where the B-tree count
-- mattered, BENCHMARKS.md):
--   * no unique index on short_id: the short id is made of the receipt
--     month and its number there, which (received_month, month_seq) keeps
--     unique and finds;
--   * no index by quota bucket: its one reader, the quota summary, reads a
--     period's few rows either way;
--   * replay claims keyed by when they were sent, then their signature; the
--     key serves the deletion of old claims, so the index by age goes.
ALTER TABLE consultations DROP CONSTRAINT consultations_short_id_key;
DROP INDEX consultations_by_bucket;
ALTER TABLE slack_request_claims DROP CONSTRAINT slack_request_claims_pkey;
ALTER TABLE slack_request_claims ADD PRIMARY KEY (sent_at, signature);
DROP INDEX slack_request_claims_by_age;
