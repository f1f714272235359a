//! Searching past consultations in Japanese (issue 13): text has no word
//! boundaries, and the everyday query is a two-character word (監査, 暗号,
//! 端末). Both databases index the same *bigrams* that banso makes here,
//! every two neighbouring characters of a run of letters and digits, and a
//! query is a phrase of its own bigrams: 「監査手順」 matches where 監査, 査手
//! and 手順 stand in a row, which is exactly where the text holds 監査手順.
//! One word of two characters is one bigram, so it needs no scan.
//!
//! SQLite's trigram tokenizer cannot match fewer than three characters,
//! and PostgreSQL's `pg_trgm` uses no index for a `LIKE` of fewer than
//! three and scores a short query in a long text near zero; bigrams made
//! in Rust avoid both, and mean the same matches on both backends, with
//! no dependence on the database's `LC_CTYPE`.

/// The fewest letters or digits a query needs.
pub const SHORTEST_QUERY: usize = 2;

/// The longest query, in characters: a sentence, not a document.
pub const LONGEST_QUERY: usize = 100;

/// At most this many words of a query count; the rest are ignored.
pub const MOST_TERMS: usize = 8;

/// The full-width forms of the half-width katakana U+FF61–U+FF9F, in
/// order (the voiced marks ﾞ and ﾟ standing alone as ゛ and ゜).
const HALF_WIDTH_KANA: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

/// Half-width katakana (ｾｷｭﾘﾃｨ, as older systems and some keyboards give
/// it) as full-width, a voiced mark joined to the kana before it (ﾊﾞ → バ,
/// ﾊﾟ → パ, ｳﾞ → ヴ).
fn widen_katakana(text: &str) -> String {
    let mut widened = String::with_capacity(text.len());
    for c in text.chars() {
        let Some(wide) = ('\u{FF61}'..='\u{FF9F}')
            .contains(&c)
            .then(|| HALF_WIDTH_KANA.chars().nth(c as usize - 0xFF61))
            .flatten()
        else {
            widened.push(c);
            continue;
        };
        let voiced = match (widened.chars().last(), wide) {
            (Some('ウ'), '゛') => Some('ヴ'),
            (Some(kana @ ('カ'..='ト' | 'ハ'..='ホ')), '゛') if kana != 'ッ' => {
                char::from_u32(kana as u32 + 1)
            }
            (Some(kana @ 'ハ'..='ホ'), '゜') => char::from_u32(kana as u32 + 2),
            _ => None,
        };
        match voiced {
            Some(joined) => {
                widened.pop();
                widened.push(joined);
            }
            None => widened.push(wide),
        }
    }
    widened
}

/// The folded form of a text, for indexing and for queries alike:
/// half-width katakana as full-width, full-width Latin letters, digits and
/// signs as their ASCII forms, the ideographic space as a space, Latin
/// letters in lower case.
pub fn fold(text: &str) -> String {
    widen_katakana(text)
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `c` belongs to a word: letters (kana, kanji and the long-vowel
/// mark among them) and digits. Anything else separates words.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The runs of word characters of a folded text.
fn runs(folded: &str) -> impl Iterator<Item = Vec<char>> + '_ {
    folded
        .split(|c: char| !is_word_char(c))
        .filter(|run| !run.is_empty())
        .map(|run| run.chars().collect())
}

/// The tokens of one run: its bigrams, or the lone character of a run of
/// one.
fn run_tokens(run: &[char]) -> Vec<String> {
    if run.len() == 1 {
        return vec![run[0].to_string()];
    }
    run.windows(2).map(|pair| pair.iter().collect()).collect()
}

/// The tokens of a text to index, each with its position. Positions skip
/// one between runs, so that no phrase of a query matches across a break
/// (「監査、手順」 does not hold 「査手」).
pub fn index_tokens(text: &str) -> Vec<(String, u32)> {
    let mut tokens = Vec::new();
    let mut position: u32 = 1;
    for run in runs(&fold(text)) {
        for token in run_tokens(&run) {
            tokens.push((token, position));
            position = position.saturating_add(1);
        }
        position = position.saturating_add(1);
    }
    tokens
}

/// One word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word of two characters or more: its bigrams, in a row.
    Phrase(Vec<String>),
    /// A word of one character: any token that begins with it.
    Prefix(String),
}

/// A parsed query: every term must be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
    /// The query as folded, for showing back.
    pub folded: String,
}

/// Why a query cannot be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryProblem {
    /// Fewer than two letters or digits.
    TooShort,
    /// More than `LONGEST_QUERY` characters.
    TooLong { length: usize },
}

impl Query {
    pub fn parse(typed: &str) -> Result<Self, QueryProblem> {
        let length = typed.chars().count();
        if length > LONGEST_QUERY {
            return Err(QueryProblem::TooLong { length });
        }
        let folded = fold(typed.trim());
        let word_chars = folded.chars().filter(|c| is_word_char(*c)).count();
        if word_chars < SHORTEST_QUERY {
            return Err(QueryProblem::TooShort);
        }
        let mut terms: Vec<Term> = Vec::new();
        for run in runs(&folded) {
            let term = if run.len() == 1 {
                Term::Prefix(run[0].to_string())
            } else {
                Term::Phrase(run_tokens(&run))
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        terms.truncate(MOST_TERMS);
        Ok(Self {
            terms,
            folded: folded.split_whitespace().collect::<Vec<_>>().join(" "),
        })
    }

    /// Whether every term is in `text`, as the indexes would find it: the
    /// same tokens, a phrase's in a row. For a few texts at hand (one
    /// person's own consultations), where asking an index costs more.
    pub fn found_in(&self, text: &str) -> bool {
        let tokens = index_tokens(text);
        self.terms.iter().all(|term| match term {
            Term::Prefix(first) => tokens
                .iter()
                .any(|(token, _)| token.starts_with(first.as_str())),
            Term::Phrase(grams) => tokens.iter().enumerate().any(|(start, (token, position))| {
                *token == grams[0]
                    && grams.iter().enumerate().skip(1).all(|(k, gram)| {
                        tokens.get(start + k).is_some_and(|(next, next_position)| {
                            next == gram
                                && u32::try_from(k).is_ok_and(|k| *next_position == position + k)
                        })
                    })
            }),
        })
    }

    /// Any of the bigrams of a text (a new consultation's title): what
    /// finds candidates for "similar past consultations".
    pub fn any_bigram_of(text: &str) -> Option<Vec<String>> {
        let mut tokens: Vec<String> = index_tokens(text)
            .into_iter()
            .map(|(token, _)| token)
            .filter(|token| token.chars().count() == 2)
            .collect();
        tokens.sort();
        tokens.dedup();
        (!tokens.is_empty()).then_some(tokens)
    }
}

/// How alike two titles are: the Dice coefficient of their bigram sets, 0
/// to 1.
pub fn likeness(a: &str, b: &str) -> f64 {
    let set = |text: &str| -> std::collections::BTreeSet<String> {
        index_tokens(text)
            .into_iter()
            .map(|(token, _)| token)
            .collect()
    };
    let (a, b) = (set(a), set(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        index_tokens(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn a_run_of_japanese_is_cut_into_its_bigrams() {
        assert_eq!(tokens("監査手順"), ["監査", "査手", "手順"]);
        assert_eq!(tokens("端末"), ["端末"]);
        assert_eq!(tokens("件"), ["件"]);
    }

    #[test]
    fn punctuation_and_spaces_break_runs_and_leave_a_gap() {
        let indexed = index_tokens("監査、手順");
        assert_eq!(
            indexed,
            [("監査".to_owned(), 1), ("手順".to_owned(), 3)],
            "the gap keeps 「査手」 from matching across 、"
        );
    }

    #[test]
    fn half_width_katakana_folds_to_full_width_with_its_voiced_marks() {
        assert_eq!(fold("ｾｷｭﾘﾃｨ"), "セキュリティ");
        assert_eq!(fold("ﾊﾞｯｸｱｯﾌﾟ ｳﾞｧｲﾗｽ"), "バックアップ ヴァイラス");
        assert_eq!(fold("ﾃﾞｰﾀ｡"), "データ。");
        // A mark after nothing it can join stays a mark of its own.
        assert_eq!(fold("ﾞｱﾟｯﾞ"), "゛ア゜ッ゛");
        let query = Query::parse("ﾊﾟｽﾜｰﾄﾞ").unwrap();
        assert!(query.found_in("パスワードの変更"));
    }

    #[test]
    fn full_width_latin_and_digits_fold_to_ascii_lower_case() {
        assert_eq!(fold("ＶＰＮ　２０２４"), "vpn 2024");
        assert_eq!(tokens("ＳＳＯ"), tokens("sso"));
    }

    #[test]
    fn a_query_is_a_phrase_per_word_and_a_prefix_for_one_character() {
        let query = Query::parse("監査　手順 Ａ").unwrap();
        assert_eq!(
            query.terms,
            [
                Term::Phrase(vec!["監査".into()]),
                Term::Phrase(vec!["手順".into()]),
                Term::Prefix("a".into()),
            ]
        );
        assert_eq!(query.folded, "監査 手順 a");
    }

    #[test]
    fn a_query_needs_two_letters_and_at_most_a_hundred_characters() {
        assert_eq!(Query::parse("監"), Err(QueryProblem::TooShort));
        assert_eq!(Query::parse("、。 "), Err(QueryProblem::TooShort));
        assert!(Query::parse("監 査").is_ok());
        let long = "あ".repeat(101);
        assert_eq!(
            Query::parse(&long),
            Err(QueryProblem::TooLong { length: 101 })
        );
    }

    #[test]
    fn a_query_is_found_in_a_text_as_the_index_would_find_it() {
        let text = "ノートPCの暗号化について\n監査、手順書";
        let found = |typed: &str| Query::parse(typed).unwrap().found_in(text);
        assert!(found("暗号"));
        assert!(found("ＰＣの暗号化"));
        assert!(found("監査 手順"));
        assert!(!found("査手"), "not across punctuation");
        assert!(!found("暗号 鯨肉"), "every word");
        assert!(found("手 監査"), "a one-letter word is a prefix");
    }

    #[test]
    fn likeness_is_one_for_the_same_title_and_low_for_unrelated_ones() {
        assert!((likeness("VPN接続の設定", "VPN接続の設定") - 1.0).abs() < 1e-9);
        assert!(likeness("VPN接続の設定について", "VPN接続の設定") > 0.6);
        assert!(likeness("パスワードの管理", "監査の日程") < 0.2);
    }
}
