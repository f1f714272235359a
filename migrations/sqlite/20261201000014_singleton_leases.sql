-- Work that one replica of several does at a time, by name, with the
-- holder and until when (epoch milliseconds): `metrics` is the right to
-- export the database's figures on /metrics, so that they are counted
-- once, not once per replica (issue 12).
CREATE TABLE singleton_leases (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);
