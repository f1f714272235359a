-- What the sender needs to close the crash window (issue 12).
--
-- On a channel's turn: when its holder took it and for which message, and
-- the channel's Slack id once a post has shown it (a channel configured
-- by name, `#banso-team`, is read back by id). A sender taking a turn
-- whose holder did not end it (it died, or hung past its lease) marks
-- that message in doubt since the holder took it: Slack may have it.
--
-- On a message: since when it is in doubt (its holder died, or a post's
-- answer was lost). Before posting it again, the sender looks for it in
-- the channel's history by the outbox key it carries as Slack message
-- metadata. Epoch milliseconds.
ALTER TABLE outbox_channels ADD COLUMN claimed_at_ms INTEGER;
ALTER TABLE outbox_channels ADD COLUMN claimed_for_id INTEGER;
ALTER TABLE outbox_channels ADD COLUMN slack_id TEXT;
ALTER TABLE outbox ADD COLUMN doubt_since_ms INTEGER;
