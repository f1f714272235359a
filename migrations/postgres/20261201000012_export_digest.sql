-- The data an export of everything held, as a digest (`Store::data_digest`),
-- so that a purge can tell whether anything changed since, whatever the
-- clocks said (issue 12: a change stamped before the export, by a clock
-- behind, was destroyed unexported).
ALTER TABLE exports ADD COLUMN data_digest TEXT;
