-- A meeting added one at a time (/meeting add: 作業会議, 事前説明会,
-- 監査報告会, 臨時; issue 14): its kind, length, place, Web meeting URL and
-- agenda, as JSON, on its `add` row (`target` its key, `new_start` its
-- time).
ALTER TABLE meeting_adjustments ADD COLUMN details TEXT;
