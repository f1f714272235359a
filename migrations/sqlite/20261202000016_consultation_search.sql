-- Search over past consultations (issue 13, src/domain/search.rs): the
-- bigrams banso makes of a consultation's title, and of its title, details
-- and answers together, in an FTS5 table whose rowid is the consultation's
-- id. The tokens are made in Rust and only split here (unicode61 over the
-- letter, digit, mark, other-symbol and private-use classes, which hold
-- every character Rust's is_alphanumeric takes (Ⓐ is an So letter), so
-- no token banso makes is split again: a private-use character
-- stands between runs, so no phrase spans a break). Contentless: the words
-- themselves stay in `consultations` and `consultation_events`; deletable,
-- so an answer re-indexes its consultation.
CREATE VIRTUAL TABLE consultation_search USING fts5(
    title,
    content,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* M* Co So'"
);

-- Which consultations are indexed and when: the indexer, which runs after
-- an intake has been acknowledged and committed, finds new ones by what is
-- missing here.
CREATE TABLE consultation_search_rows (
    consultation_id INTEGER PRIMARY KEY NOT NULL,
    indexed_at      INTEGER NOT NULL
);
