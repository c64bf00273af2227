//! The shared text normalisation both backends index and query with, so that
//! `Ørestad`, `Oerestad` and `orestad` — and `Åbenrå`, `Aabenraa` — are the
//! same word, and `A/S`, `ApS`, `I/S`, `K/S` are recognised as company forms.
//!
//! Folding is applied identically to documents and queries: lower case;
//! diacritics removed; `æ`, `ø`, `å` become `a`, `o`, `a`; and the ASCII
//! spellings `ae`, `oe`, `aa` collapse to `a`, `o`, `a`. The collapse also hits
//! words that merely contain those pairs ("Michael" → "michal"), on both sides
//! alike, so it only ever adds matches between spellings.

/// Company-form words as they are after [`fold`] and tokenising.
pub const COMPANY_FORM_WORDS: [&str; 9] =
    ["as", "aps", "is", "ks", "ps", "amba", "smba", "ivs", "fmba"];

fn fold_char(c: char, out: &mut String) {
    match c {
        'æ' | 'ä' | 'á' | 'à' | 'â' | 'ã' | 'å' => out.push('a'),
        'ø' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
        'é' | 'è' | 'ê' | 'ë' => out.push('e'),
        'í' | 'ì' | 'î' | 'ï' => out.push('i'),
        'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
        'ý' | 'ÿ' => out.push('y'),
        'ç' => out.push('c'),
        'ñ' => out.push('n'),
        'ß' => out.push_str("ss"),
        'ð' => out.push('d'),
        'þ' => out.push_str("th"),
        c => out.push(c),
    }
}

/// Joins the slash and dot spellings of company forms into one word
/// ("A/S" → "as", "A.m.b.A." → "amba") on lower-cased text — only where
/// they stand as words, so "data/system" stays two words.
fn join_company_forms(lower: &str) -> String {
    const FORMS: [(&str, &str); 10] = [
        ("a.m.b.a.", "amba"),
        ("a.m.b.a", "amba"),
        ("s.m.b.a.", "smba"),
        ("s.m.b.a", "smba"),
        ("f.m.b.a.", "fmba"),
        ("f.m.b.a", "fmba"),
        ("a/s", "as"),
        ("i/s", "is"),
        ("k/s", "ks"),
        ("p/s", "ps"),
    ];
    if !lower.contains('/') && !lower.contains('.') {
        return lower.to_string();
    }
    let mut out = String::with_capacity(lower.len());
    let mut i = 0;
    let mut prev_alnum = false;
    'outer: while i < lower.len() {
        if !prev_alnum {
            for (from, to) in FORMS {
                if lower[i..].starts_with(from) {
                    let after = lower[i + from.len()..].chars().next();
                    if !after.is_some_and(char::is_alphanumeric) {
                        out.push_str(to);
                        i += from.len();
                        prev_alnum = true;
                        continue 'outer;
                    }
                }
            }
        }
        let Some(c) = lower[i..].chars().next() else {
            break;
        };
        out.push(c);
        prev_alnum = c.is_alphanumeric();
        i += c.len_utf8();
    }
    out
}

/// Folds a text for matching (see the module docs). Non-alphanumeric
/// characters are kept, so the result can still be tokenised.
pub fn fold(text: &str) -> String {
    let lower = join_company_forms(&text.to_lowercase());
    let mut mapped = String::with_capacity(lower.len());
    for c in lower.chars() {
        fold_char(c, &mut mapped);
    }
    // Collapse the two-letter spellings; repeat-free single pass.
    let mut out = String::with_capacity(mapped.len());
    let mut chars = mapped.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('a', Some('a')) | ('a', Some('e')) | ('o', Some('e')) => {
                chars.next();
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Folds and splits into words of letters and digits.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// How many typos a (folded) query word may have: none below 5 letters,
/// one from 5, two from 9.
pub fn max_typos(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// A query that is only a number (spaces and a `DK` prefix allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberQuery {
    /// Exactly 8 digits: a CVR number.
    Cvr(String),
    /// Exactly 10 digits: a P-number.
    PNumber(String),
    /// Some other run of digits: matched as a prefix of CVR and P-numbers.
    Digits(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryTerms {
    /// Folded words that must each match (company-form words removed, unless
    /// the query is nothing but company-form words).
    pub words: Vec<String>,
    /// Company-form words found in the query: they may match, never must.
    pub form_words: Vec<String>,
    /// Set when the whole query is a number.
    pub number: Option<NumberQuery>,
    /// The last word is still being typed: match it as a prefix too.
    pub last_is_prefix: bool,
}

pub fn query_terms(q: &str) -> QueryTerms {
    let trimmed = q.trim();
    let compact: String = trimmed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = compact
        .strip_prefix("DK")
        .or_else(|| compact.strip_prefix("dk"))
        .unwrap_or(&compact);
    let number = if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        Some(match digits.len() {
            8 => NumberQuery::Cvr(digits.to_string()),
            10 => NumberQuery::PNumber(digits.to_string()),
            _ => NumberQuery::Digits(digits.to_string()),
        })
    } else {
        None
    };
    let all = tokens(trimmed);
    let (form_words, mut words): (Vec<String>, Vec<String>) = all
        .iter()
        .cloned()
        .partition(|w| COMPANY_FORM_WORDS.contains(&w.as_str()));
    if words.is_empty() {
        words = form_words.clone();
    }
    QueryTerms {
        words,
        form_words,
        number,
        last_is_prefix: !q.is_empty() && !q.ends_with(char::is_whitespace),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_spellings_fold_to_the_same_word() {
        for group in [
            ["Ørestad", "Oerestad", "orestad"],
            ["Åbenrå", "Aabenraa", "abenra"],
            ["Ærøgade", "Aeroegade", "arogade"],
        ] {
            let folded: Vec<String> = group.iter().map(|w| fold(w)).collect();
            assert!(
                folded.iter().all(|f| *f == folded[0]),
                "{group:?} -> {folded:?}"
            );
        }
        assert_eq!(fold("Café Ñandú"), "cafe nandu");
    }

    #[test]
    fn company_forms_are_single_words() {
        assert_eq!(tokens("Havnens Hotel A/S"), vec!["havnens", "hotel", "as"]);
        assert_eq!(tokens("Brugsen A.m.b.A."), vec!["brugsen", "amba"]);
        assert_eq!(tokens("Data/System ApS"), vec!["data", "system", "aps"]);
        assert_eq!(tokens("Kbh Kaffe A/S."), vec!["kbh", "kaffe", "as"]);
        let q = query_terms("havnens hotel a/s");
        assert_eq!(q.words, vec!["havnens", "hotel"]);
        assert_eq!(q.form_words, vec!["as"]);
        let only = query_terms("ApS");
        assert_eq!(only.words, vec!["aps"]);
    }

    #[test]
    fn numbers_are_recognised() {
        assert_eq!(
            query_terms("DK 1015 0817").number,
            Some(NumberQuery::Cvr("10150817".into()))
        );
        assert_eq!(
            query_terms("1012345678").number,
            Some(NumberQuery::PNumber("1012345678".into()))
        );
        assert_eq!(
            query_terms("1015").number,
            Some(NumberQuery::Digits("1015".into()))
        );
        assert_eq!(query_terms("Nørrebrogade 45").number, None);
    }

    #[test]
    fn typo_budget_follows_word_length() {
        assert_eq!(max_typos("bage"), 0);
        assert_eq!(max_typos("bager"), 1);
        assert_eq!(max_typos("bageriets"), 2);
    }

    #[test]
    fn prefix_only_while_typing() {
        assert!(query_terms("nørre").last_is_prefix);
        assert!(!query_terms("nørre ").last_is_prefix);
    }
}
