-- The month a held consultation waits in, when a coordinator carried it
-- over (翌月に繰越) into a month that was already at its limit: it stays
-- 保留（上限超過）, now in that month, for the next decision (issue 13).
-- NULL: its receipt month.
ALTER TABLE consultations ADD COLUMN held_month TEXT;
