-- Signed Slack requests (HTTP mode) already taken, by their signature, so
-- that a replay within Slack's five-minute window does nothing, whichever
-- process or replica it reaches. Rows past the window are deleted.
CREATE TABLE slack_request_claims (
    signature TEXT PRIMARY KEY NOT NULL,
    sent_at   INTEGER NOT NULL
);
CREATE INDEX slack_request_claims_by_age ON slack_request_claims (sent_at);
