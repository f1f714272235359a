-- A message's words may be rendered when it is delivered instead of when it
-- is queued: the template of prompts/ and its context (JSON) are kept, and
-- `text` stays empty until then. The intake writer queues a consultation's
-- messages this way, so that its transaction, which every intake waits for,
-- renders nothing (BENCHMARKS.md).
ALTER TABLE outbox ADD COLUMN text_template TEXT;
ALTER TABLE outbox ADD COLUMN text_context TEXT;
