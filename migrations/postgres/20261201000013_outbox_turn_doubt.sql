-- What the sender needs to close the crash window (issue 12): when the
-- turn's holder took it (so a sender taking a dead holder's turn knows
-- since when the channel's head message may already be in Slack), and,
-- while the head message's fate is unknown (its holder died, or a post's
-- answer was lost), since when. Before posting such a message again, the
-- sender looks for it in the channel's history by the outbox key it
-- carries as Slack message metadata. Epoch milliseconds.
ALTER TABLE outbox_channels ADD COLUMN claimed_at_ms BIGINT;
ALTER TABLE outbox_channels ADD COLUMN doubt_since_ms BIGINT;
