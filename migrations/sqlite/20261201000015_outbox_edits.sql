-- Where each delivered message was posted (its conversation and its `ts`,
-- the first post's for a message of several), and, for a message that
-- edits an earlier one in place rather than posting anew (chat.update),
-- the idempotency key of the message it edits (issue 13: the team notice
-- updated once the requester's department is known).
ALTER TABLE outbox ADD COLUMN posted_channel TEXT;
ALTER TABLE outbox ADD COLUMN posted_ts TEXT;
ALTER TABLE outbox ADD COLUMN edits_key TEXT;
