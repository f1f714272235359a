-- Each channel's turn in the outbox, shared by every sender of the
-- database (issue 12): a sender posts to a channel only while it holds
-- the channel's turn, so several replicas never post the same message,
-- and a channel's messages go out in their order, one at a time. The
-- next allowed send (Slack's pace of one message a second per channel, a
-- Retry-After, a backoff) is kept here too, so it holds for all senders
-- together. A turn whose holder died is free again when its lease ends.
-- Times are epoch milliseconds.
CREATE TABLE outbox_channels (
    recipient       TEXT PRIMARY KEY,
    next_allowed_ms INTEGER NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    lease_until_ms  INTEGER
);
