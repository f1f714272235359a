-- A message posted as a reply in the thread of an earlier one: the
-- idempotency key of that message, whose posted place (posted_channel,
-- posted_ts) gives the thread (issue 13: the team notice is the root of
-- its consultation's thread; every later event of it is a reply there).
ALTER TABLE outbox ADD COLUMN thread_key TEXT;

-- A reply typed in a thread names its root by `ts`: the consultation of
-- that root is found through where its notice was posted.
CREATE INDEX outbox_posted_ts ON outbox (posted_ts) WHERE posted_ts IS NOT NULL;
