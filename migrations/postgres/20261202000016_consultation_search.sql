-- Search over past consultations (issue 13, src/domain/search.rs): the
-- bigrams banso makes of a consultation's title, and of its title, details
-- and answers together, as tsvectors written literally (lexeme:position, no
-- text-search parser, so no dependence on LC_CTYPE), each under a GIN
-- index. Positions skip one between runs, so no phrase spans a break.
CREATE TABLE consultation_search (
    consultation_id BIGINT PRIMARY KEY,
    title_grams     TSVECTOR NOT NULL,
    content_grams   TSVECTOR NOT NULL,
    indexed_at      BIGINT NOT NULL
);
CREATE INDEX consultation_search_title ON consultation_search USING GIN (title_grams);
CREATE INDEX consultation_search_content ON consultation_search USING GIN (content_grams);
