//! Highlighting, computed from the document and the query by shared code so
//! both backends return the same shape.
//!
//! This module also holds the word-matching rules both backends follow
//! ([`match_terms`], [`allowed_typos`], [`word_matches`]), so that what is
//! highlighted is what the index matched:
//!
//! * a document word matches a query word when its folded form
//!   ([`normalize::fold`]) equals it, starts with it (the last query word,
//!   while it is still being typed), or is within [`allowed_typos`] edits of it
//!   (Levenshtein distance, a transposition counting as one edit);
//! * company-form words ("A/S", "ApS") match the query's company-form words;
//! * a query that is a number is matched as that one run of digits, and a
//!   `Digits` query is a prefix of CVR and P-numbers.
use serde::{Deserialize, Serialize};

use crate::search::SearchDoc;
use crate::search::normalize::{self, NumberQuery, QueryTerms};

/// A piece of a field's text; `hit` pieces matched a query word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fragment {
    pub text: String,
    pub hit: bool,
}

/// The matched parts of one field ("title", "addresses", "persons",
/// "industry_text", "consultant", "text", "cvr", "p_numbers").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Highlight {
    pub field: String,
    pub fragments: Vec<Fragment>,
}

/// Only the first this many query words are used (the rest are ignored), as
/// Meilisearch does.
pub const MAX_QUERY_WORDS: usize = 10;

/// Query words longer than this (in characters) are matched exactly only: no
/// prefix, no typos.
pub const MAX_FUZZY_WORD_CHARS: usize = 64;

/// The marker of a cut in a long text.
pub const ELLIPSIS: &str = "…";

/// A field value with more words than this is cut to a window of
/// [`WINDOW_WORDS`] words around its first hit.
const LONG_TEXT_WORDS: usize = 40;
const WINDOW_WORDS: usize = 30;
/// How many words of the window come before the first hit.
const WINDOW_LEAD: usize = 8;

/// Separator between the matching values of a multi-valued field.
pub const VALUE_SEPARATOR: &str = "; ";

/// The query terms both backends match with: [`normalize::query_terms`], with
/// a number query reduced to its digits (one word, no company forms) and at
/// most [`MAX_QUERY_WORDS`] words (when words are dropped, the last kept word
/// is not a prefix).
pub fn match_terms(query: &str) -> QueryTerms {
    let mut terms = normalize::query_terms(query);
    if let Some(number) = &terms.number {
        let digits = match number {
            NumberQuery::Cvr(d) | NumberQuery::PNumber(d) | NumberQuery::Digits(d) => d.clone(),
        };
        terms.words = vec![digits];
        terms.form_words.clear();
    }
    if terms.words.len() > MAX_QUERY_WORDS {
        terms.words.truncate(MAX_QUERY_WORDS);
        terms.last_is_prefix = false;
    }
    terms.form_words.truncate(MAX_QUERY_WORDS);
    terms
}

/// The typos a (folded) query word may have: [`normalize::max_typos`], but
/// none for numbers and for words longer than [`MAX_FUZZY_WORD_CHARS`].
pub fn allowed_typos(word: &str) -> u8 {
    if word.chars().all(|c| c.is_ascii_digit()) || word.chars().count() > MAX_FUZZY_WORD_CHARS {
        0
    } else {
        normalize::max_typos(word)
    }
}

/// Whether the query word at `index` is matched as a prefix too.
pub fn is_prefix_word(terms: &QueryTerms, index: usize) -> bool {
    terms.last_is_prefix
        && index + 1 == terms.words.len()
        && terms
            .words
            .get(index)
            .is_some_and(|w| w.chars().count() <= MAX_FUZZY_WORD_CHARS)
}

/// Whether a folded document word matches one of the query's words (see the
/// module docs).
pub fn word_matches(terms: &QueryTerms, folded: &str) -> bool {
    if folded.is_empty() {
        return false;
    }
    let word_hit = terms.words.iter().enumerate().any(|(i, w)| {
        folded == w
            || (is_prefix_word(terms, i) && folded.starts_with(w.as_str()))
            || within_distance(folded, w, allowed_typos(w))
    });
    word_hit || terms.form_words.iter().any(|f| f == folded)
}

/// Optimal-string-alignment distance (Levenshtein with adjacent
/// transpositions counting as one edit) is at most `max`.
pub fn within_distance(a: &str, b: &str, max: u8) -> bool {
    if max == 0 {
        return a == b;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    // Three rolling rows of the DP table.
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

/// The slash and dot spellings of company forms, kept together as one word.
const FORM_SPELLINGS: [&str; 10] = [
    "a.m.b.a.", "s.m.b.a.", "f.m.b.a.", "a.m.b.a", "s.m.b.a", "f.m.b.a", "a/s", "i/s", "k/s", "p/s",
];

/// A piece of the original text: a word or the separator text between words.
struct Piece<'a> {
    text: &'a str,
    is_word: bool,
}

/// Splits a text into words (runs of letters and digits, or a company form
/// such as "A/S") and the separators between them; concatenated, the pieces
/// are the text.
fn split_words(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(first) = rest.chars().next() {
        if first.is_alphanumeric() {
            let form_len = FORM_SPELLINGS.iter().find_map(|form| {
                let candidate = rest.get(..form.len())?;
                let after = rest.get(form.len()..)?;
                let boundary = !after.chars().next().is_some_and(char::is_alphanumeric);
                (candidate.eq_ignore_ascii_case(form) && boundary).then_some(form.len())
            });
            let len = form_len.unwrap_or_else(|| {
                rest.char_indices()
                    .find(|(_, c)| !c.is_alphanumeric())
                    .map_or(rest.len(), |(i, _)| i)
            });
            let (word, tail) = rest.split_at(len);
            pieces.push(Piece {
                text: word,
                is_word: true,
            });
            rest = tail;
        } else {
            let len = rest
                .char_indices()
                .find(|(_, c)| c.is_alphanumeric())
                .map_or(rest.len(), |(i, _)| i);
            let (sep, tail) = rest.split_at(len);
            pieces.push(Piece {
                text: sep,
                is_word: false,
            });
            rest = tail;
        }
    }
    pieces
}

/// Appends text to the fragments: non-hit text is merged into a preceding
/// non-hit fragment; each hit and each cut marker stays a fragment of its own.
fn push(fragments: &mut Vec<Fragment>, text: &str, hit: bool) {
    if text.is_empty() {
        return;
    }
    match fragments.last_mut() {
        Some(last) if !last.hit && !hit && last.text != ELLIPSIS && text != ELLIPSIS => {
            last.text.push_str(text)
        }
        _ => fragments.push(Fragment {
            text: text.to_string(),
            hit,
        }),
    }
}

/// The fragments of one value, or `None` when nothing in it matched.
/// `is_hit` decides on each word (given its original text).
fn value_fragments(text: &str, is_hit: WordTest<'_>) -> Option<Vec<Fragment>> {
    let pieces = split_words(text);
    let hits: Vec<bool> = pieces.iter().map(|p| p.is_word && is_hit(p.text)).collect();
    let first_hit = hits.iter().position(|h| *h)?;
    let word_positions: Vec<usize> = pieces
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_word)
        .map(|(i, _)| i)
        .collect();

    // The range of pieces to show: everything, or a window of words.
    let (start, end) = if word_positions.len() > LONG_TEXT_WORDS {
        let hit_word = word_positions
            .iter()
            .position(|&i| i == first_hit)
            .unwrap_or(0);
        let first_word = hit_word
            .saturating_sub(WINDOW_LEAD)
            .min(word_positions.len().saturating_sub(WINDOW_WORDS));
        let last_word = (first_word + WINDOW_WORDS).min(word_positions.len()) - 1;
        let start = if first_word == 0 {
            0
        } else {
            word_positions[first_word]
        };
        let end = if last_word + 1 == word_positions.len() {
            pieces.len()
        } else {
            word_positions[last_word] + 1
        };
        (start, end)
    } else {
        (0, pieces.len())
    };

    let mut fragments = Vec::new();
    if start > 0 {
        push(&mut fragments, ELLIPSIS, false);
    }
    for (piece, hit) in pieces[start..end].iter().zip(&hits[start..end]) {
        push(&mut fragments, piece.text, *hit);
    }
    if end < pieces.len() {
        push(&mut fragments, ELLIPSIS, false);
    }
    Some(fragments)
}

/// The highlight of a field with several values: the matching values, joined
/// by [`VALUE_SEPARATOR`].
fn field_highlight<'a>(
    field: &str,
    values: impl IntoIterator<Item = &'a str>,
    is_hit: WordTest<'_>,
) -> Option<Highlight> {
    let mut fragments: Vec<Fragment> = Vec::new();
    for value in values {
        if let Some(value_fragments) = value_fragments(value, is_hit) {
            if !fragments.is_empty() {
                push(&mut fragments, VALUE_SEPARATOR, false);
            }
            for f in value_fragments {
                push(&mut fragments, &f.text, f.hit);
            }
        }
    }
    (!fragments.is_empty()).then(|| Highlight {
        field: field.to_string(),
        fragments,
    })
}

/// Decides whether a word of a field (its original text) is a hit.
type WordTest<'a> = &'a dyn Fn(&str) -> bool;

fn one(value: &Option<String>) -> Vec<&str> {
    value.as_deref().into_iter().collect()
}

fn many(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

/// The highlights for one hit.
pub fn highlight(doc: &SearchDoc, query: &str) -> Vec<Highlight> {
    highlight_terms(doc, &match_terms(query))
}

/// [`highlight`] with the query already interpreted by [`match_terms`].
pub fn highlight_terms(doc: &SearchDoc, terms: &QueryTerms) -> Vec<Highlight> {
    if terms.words.is_empty() && terms.form_words.is_empty() {
        return Vec::new();
    }
    let text_hit = |word: &str| {
        normalize::tokens(word)
            .iter()
            .any(|t| word_matches(terms, t))
    };
    let number_hit = |word: &str| {
        text_hit(word)
            || matches!(&terms.number, Some(NumberQuery::Digits(d)) if word.starts_with(d.as_str()))
    };
    let fields: [(&str, Vec<&str>, WordTest<'_>); 8] = [
        ("title", vec![doc.title.as_str()], &text_hit),
        ("cvr", one(&doc.cvr), &number_hit),
        ("p_numbers", many(&doc.p_numbers), &number_hit),
        ("addresses", many(&doc.addresses), &text_hit),
        ("persons", many(&doc.persons), &text_hit),
        ("industry_text", one(&doc.industry_text), &text_hit),
        ("consultant", one(&doc.consultant), &text_hit),
        ("text", one(&doc.text), &text_hit),
    ];
    fields
        .into_iter()
        .filter_map(|(field, values, is_hit)| field_highlight(field, values, is_hit))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> SearchDoc {
        SearchDoc {
            id: "business:1".into(),
            title: "Nørrebro Bageri ApS".into(),
            company_form: Some("ApS".into()),
            cvr: Some("10150817".into()),
            p_numbers: vec!["1012345678".into(), "1098765432".into()],
            addresses: vec![
                "Nørrebrogade 45, 2200 København N".into(),
                "Ørestads Boulevard 10, 2300 København S".into(),
            ],
            persons: vec!["Mette Hansen".into(), "Søren Ågaard".into()],
            industry_text: Some("Bagerier".into()),
            consultant: Some("Lars Møller".into()),
            active: true,
            ..SearchDoc::default()
        }
    }

    fn joined(h: &Highlight) -> String {
        h.fragments.iter().map(|f| f.text.as_str()).collect()
    }

    fn hits(h: &Highlight) -> Vec<&str> {
        h.fragments
            .iter()
            .filter(|f| f.hit)
            .map(|f| f.text.as_str())
            .collect()
    }

    fn field<'a>(hs: &'a [Highlight], name: &str) -> Option<&'a Highlight> {
        hs.iter().find(|h| h.field == name)
    }

    #[test]
    fn exact_prefix_and_typo_words_are_marked() {
        let hs = highlight(&doc(), "nørrebro bagri");
        let title = field(&hs, "title").expect("title");
        assert_eq!(hs[0].field, "title", "title first");
        assert_eq!(joined(title), "Nørrebro Bageri ApS");
        assert_eq!(hits(title), vec!["Nørrebro", "Bageri"]);

        let hs = highlight(&doc(), "nørreb");
        assert_eq!(hits(field(&hs, "title").expect("title")), vec!["Nørrebro"]);
        assert_eq!(
            hits(field(&hs, "addresses").expect("addresses")),
            vec!["Nørrebrogade"]
        );
        // Not a prefix once the word is finished.
        assert!(highlight(&doc(), "nørreb ").is_empty());
    }

    #[test]
    fn danish_spellings_match_and_text_is_kept() {
        for q in ["Ørestads", "oerestads", "orestads"] {
            let hs = highlight(&doc(), q);
            let a = field(&hs, "addresses").expect("addresses");
            assert_eq!(joined(a), "Ørestads Boulevard 10, 2300 København S", "{q}");
            assert_eq!(hits(a), vec!["Ørestads"], "{q}");
        }
        let hs = highlight(&doc(), "soren aagaard");
        let p = field(&hs, "persons").expect("persons");
        assert_eq!(joined(p), "Søren Ågaard");
        assert_eq!(hits(p), vec!["Søren", "Ågaard"]);
    }

    #[test]
    fn only_matching_values_of_multi_valued_fields() {
        let hs = highlight(&doc(), "københavn");
        let a = field(&hs, "addresses").expect("addresses");
        assert_eq!(
            joined(a),
            "Nørrebrogade 45, 2200 København N; Ørestads Boulevard 10, 2300 København S"
        );
        let hs = highlight(&doc(), "mette");
        let p = field(&hs, "persons").expect("persons");
        assert_eq!(joined(p), "Mette Hansen");
    }

    #[test]
    fn short_words_get_no_typos() {
        // "lors" is not "lars" (no typos below 5 letters); "lars " is exact.
        assert!(highlight(&doc(), "lors ").is_empty());
        assert_eq!(highlight(&doc(), "lars ")[0].field, "consultant");
        // Two typos from 9 letters (transposition counts as one).
        let hs = highlight(&doc(), "nørebrogde ");
        assert_eq!(
            hits(field(&hs, "addresses").expect("addresses")),
            vec!["Nørrebrogade"]
        );
    }

    #[test]
    fn numbers_and_company_forms() {
        let hs = highlight(&doc(), "DK 1015 0817");
        let cvr = field(&hs, "cvr").expect("cvr");
        assert_eq!(hits(cvr), vec!["10150817"]);
        let hs = highlight(&doc(), "1098765432");
        assert_eq!(joined(field(&hs, "p_numbers").expect("p")), "1098765432");
        let hs = highlight(&doc(), "1098 ");
        assert_eq!(joined(field(&hs, "p_numbers").expect("p")), "1098765432");

        let mut d = doc();
        d.title = "Havnens Hotel A/S".into();
        let hs = highlight(&d, "havnens hotel a/s");
        let t = field(&hs, "title").expect("title");
        assert_eq!(hits(t), vec!["Havnens", "Hotel", "A/S"]);
        assert_eq!(joined(t), "Havnens Hotel A/S");
    }

    #[test]
    fn long_text_is_cut_around_the_first_hit() {
        let words: Vec<String> = (0..200)
            .map(|i| {
                if i == 100 {
                    "Kødbyen".to_string()
                } else {
                    format!("ord{i}")
                }
            })
            .collect();
        let mut text = words.join(" ");
        text.push_str(" sidste");
        let mut d = doc();
        d.text = Some(text.clone());
        let hs = highlight(&d, "kodbyen ");
        let t = field(&hs, "text").expect("text");
        assert_eq!(t.fragments.first().map(|f| f.text.as_str()), Some(ELLIPSIS));
        assert_eq!(t.fragments.last().map(|f| f.text.as_str()), Some(ELLIPSIS));
        let inner: String = t.fragments[1..t.fragments.len() - 1]
            .iter()
            .map(|f| f.text.as_str())
            .collect();
        assert!(text.contains(&inner), "window is a verbatim slice");
        assert_eq!(inner.split(' ').count(), WINDOW_WORDS);
        assert_eq!(hits(t), vec!["Kødbyen"]);
        assert!(inner.starts_with("ord92 "), "{inner}");

        // A hit at the start: no leading cut.
        let hs = highlight(&d, "ord0 ");
        let t = field(&hs, "text").expect("text");
        assert_eq!(t.fragments.first().map(|f| f.text.as_str()), Some("ord0"));
        // A hit at the end: no trailing cut.
        let hs = highlight(&d, "sidste");
        let t = field(&hs, "text").expect("text");
        assert_eq!(t.fragments.last().map(|f| f.text.as_str()), Some("sidste"));
    }

    #[test]
    fn hostile_queries_do_not_panic() {
        let long = "å".repeat(10_000);
        for q in [
            "",
            " ",
            "*?~:\"()",
            "😀",
            "'; DROP TABLE businesses; --",
            &long,
            "a/s",
            "-",
            "DK",
        ] {
            let hs = highlight(&doc(), q);
            for h in hs {
                assert!(!h.fragments.is_empty());
            }
        }
        let mut d = doc();
        d.text = Some("😀 A/S a.m.b.a 🇩🇰 İstanbul ß".into());
        let hs = highlight(&d, "a/s");
        assert_eq!(
            joined(field(&hs, "text").expect("text")),
            "😀 A/S a.m.b.a 🇩🇰 İstanbul ß"
        );
    }

    #[test]
    fn fragments_give_back_the_text() {
        let texts = [
            "Nørrebro Bageri ApS",
            "  Ørestads Boulevard 10,, 2300 København S  ",
            "A/S a/s A.m.b.A. S.m.b.A Data/System K/S-gruppen",
            "😀 Café Ñandú — «Ærø» 🇩🇰 İstanbul Straße",
            "aa ae oe AA Aa æ ø å",
            "",
            "---",
        ];
        let queries = [
            "a", "aa", "as", "nørre", "cafe ", "ærø", "istanbul", "strasse", "data", "k/s", "😀",
            "2300",
        ];
        for text in texts {
            let d = SearchDoc {
                title: text.to_string(),
                ..SearchDoc::default()
            };
            for q in queries {
                for h in highlight(&d, q) {
                    assert_eq!(joined(&h), text, "{q:?} on {text:?}");
                    assert!(h.fragments.iter().all(|f| !f.text.is_empty()));
                }
            }
        }
    }

    #[test]
    fn distance() {
        assert!(within_distance("bageri", "bagery", 1));
        assert!(
            within_distance("bageri", "bgaeri", 1),
            "transposition is one edit"
        );
        assert!(!within_distance("bageri", "bgaery", 1));
        assert!(within_distance("bageri", "bgaery", 2));
        assert!(within_distance("abc", "abc", 0));
        assert!(!within_distance("abc", "abcdef", 2));
        assert!(within_distance("", "ab", 2));
    }
}
