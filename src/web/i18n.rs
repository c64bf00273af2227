//! UI language: Danish by default, English by choice (a cookie set by
//! `/lang/{code}`). UI strings live in Fluent files, `locales/da/main.ftl`
//! and `locales/en/main.ftl`, one message per key; `fluent-templates` embeds
//! them at compile time. Every message is formatted once per language into a
//! table, so a look-up is a hash-map probe and returns `&'static str`.
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use actix_web::HttpRequest;
use fluent_templates::{LanguageIdentifier, fluent_bundle::FluentValue, static_loader};

use crate::domain::Lang;

pub const COOKIE: &str = "lang";

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "da",
        // Plain text out: no Unicode isolation marks around placeables.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The source of each language's file, for the list of its message ids
/// (the loader looks messages up but does not list them).
const SOURCES: [(Lang, &str); 2] = [
    (Lang::Da, include_str!("../../locales/da/main.ftl")),
    (Lang::En, include_str!("../../locales/en/main.ftl")),
];

/// Message ids in a Fluent source, in file order: an entry starts with its
/// id at the beginning of a line; comments start with `#`, terms with `-`,
/// and continuation lines are indented.
fn message_ids(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines().filter_map(|line| {
        if !line.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        line.split_once('=').map(|(id, _)| id.trim_end())
    })
}

fn language_id(lang: Lang) -> LanguageIdentifier {
    lang.as_str()
        .parse()
        .expect("Lang::as_str is a valid language tag")
}

/// Formats one message of one language (no arguments, no fallback to the
/// other language).
fn lookup(lang: &LanguageIdentifier, id: &str) -> Option<String> {
    LOCALES
        .lookup_single_language(lang, id, None::<&HashMap<String, FluentValue>>)
        .ok()
}

type Table = HashMap<&'static str, &'static str>;

/// Every message of every language, formatted once. The strings are leaked:
/// there is one per message and language, for the life of the process.
static TABLES: LazyLock<HashMap<Lang, Table>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, src)| {
            let id = language_id(*lang);
            let table = message_ids(src)
                .filter_map(|key| {
                    let text = lookup(&id, key)?;
                    Some((key, &*Box::leak(text.into_boxed_str())))
                })
                .collect();
            (*lang, table)
        })
        .collect()
});

fn table(lang: Lang) -> Option<&'static Table> {
    TABLES.get(&lang)
}

pub fn lang_of(req: &HttpRequest) -> Lang {
    req.cookie(COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or_default()
}

/// Looks up a UI string; an unknown key shows "??", so a gap is visible.
pub fn t(lang: Lang, key: &str) -> &'static str {
    table(lang)
        .and_then(|t| t.get(key).copied())
        .unwrap_or("??")
}

/// Every UI string of a language, for templates (`t.some_key`).
pub fn strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    table(lang)
        .map(|t| t.iter().map(|(k, v)| (*k, *v)).collect())
        .unwrap_or_default()
}

/// A whole number with the language's thousands separator: 18.969 in
/// Danish, 18,969 in English. Templates have it as the `num` filter. Takes
/// any integer type up to `i128` (counts are `u64` in places).
pub fn number(lang: Lang, n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let sep = match lang {
        Lang::Da => '.',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn ids(lang: Lang) -> Vec<&'static str> {
        SOURCES
            .iter()
            .filter(|(l, _)| *l == lang)
            .flat_map(|(_, src)| message_ids(src))
            .collect()
    }

    fn missing<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<(Lang, &'a str)> {
        keys.into_iter()
            .flat_map(|k| Lang::ALL.iter().map(move |l| (*l, k)))
            .filter(|(l, k)| t(*l, k) == "??")
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_messages_and_none_is_empty() {
        let da: BTreeSet<_> = ids(Lang::Da).into_iter().collect();
        let en: BTreeSet<_> = ids(Lang::En).into_iter().collect();
        assert!(da.len() > 100, "only {} Danish messages found", da.len());
        let only_da: Vec<_> = da.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&da).collect();
        assert!(
            only_da.is_empty(),
            "only in locales/da/main.ftl: {only_da:?}"
        );
        assert!(
            only_en.is_empty(),
            "only in locales/en/main.ftl: {only_en:?}"
        );
        for lang in Lang::ALL {
            assert_eq!(ids(*lang).len(), da.len(), "{lang:?}: a message id twice");
            let id = language_id(*lang);
            let all = strings(*lang);
            assert_eq!(all.len(), da.len(), "{lang:?}: a message did not format");
            for key in ids(*lang) {
                let text = lookup(&id, key);
                assert!(
                    text.as_deref().is_some_and(|s| !s.trim().is_empty()),
                    "{lang:?} {key}: {text:?}"
                );
                assert_eq!(Some(t(*lang, key)), text.as_deref());
                assert_eq!(all.get(key).copied(), text.as_deref());
            }
        }
        assert_eq!(t(Lang::Da, "other_lang"), "English");
        assert_eq!(t(Lang::En, "other_lang"), "Dansk");
        assert_eq!(t(Lang::En, &String::from("no_such_key")), "??");
    }

    /// `t.key` and `t["key"]` in a template, and the prefix of each
    /// `t["prefix_" ~ expr]` (built at render time).
    fn template_keys(src: &str) -> (Vec<String>, Vec<String>) {
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
        for (i, _) in src.match_indices('t') {
            if src[..i].ends_with(|c: char| ident(c) || c == '.') {
                continue;
            }
            let rest = &src[i + 1..];
            if let Some(rest) = rest.strip_prefix('.') {
                let key: String = rest.chars().take_while(|c| ident(*c)).collect();
                if !key.is_empty() {
                    keys.push(key);
                }
            } else if let Some(rest) = rest.strip_prefix('[') {
                let rest = rest.trim_start();
                let Some(lit) = rest.strip_prefix('"') else {
                    continue;
                };
                let Some((key, after)) = lit.split_once('"') else {
                    continue;
                };
                if after.trim_start().starts_with(']') {
                    keys.push(key.to_string());
                } else {
                    prefixes.push(key.to_string());
                }
            }
        }
        (keys, prefixes)
    }

    /// Every (place, key) found has a message in both languages; and the
    /// scan found at least `min` keys (so a broken scan fails too).
    fn assert_all_exist<P: std::fmt::Debug>(used: &[(P, String)], min: usize, what: &str) {
        assert!(used.len() > min, "only {} keys found in {what}", used.len());
        let gaps: Vec<_> = used
            .iter()
            .filter(|(_, k)| Lang::ALL.iter().any(|l| t(*l, k) == "??"))
            .collect();
        assert!(gaps.is_empty(), "{what} use keys with no message: {gaps:?}");
    }

    #[test]
    fn every_key_a_template_uses_exists() {
        let mut used = Vec::new();
        let mut prefixes = Vec::new();
        for (name, src) in crate::web::render::TEMPLATES {
            let (keys, p) = template_keys(src);
            used.extend(keys.into_iter().map(|k| (*name, k)));
            prefixes.extend(p.into_iter().map(|p| (*name, p)));
        }
        assert_all_exist(&used, 100, "templates");
        // Keys built at render time: the families are checked against the
        // codes in `dynamic_key_families_have_every_code`; here each prefix
        // must at least start some message.
        assert!(!prefixes.is_empty());
        for (name, prefix) in &prefixes {
            assert!(
                ids(Lang::Da).iter().any(|k| k.starts_with(prefix.as_str())),
                "{name}: no message starts with {prefix:?}"
            );
        }
    }

    /// The arguments of a call, given the text after its `(`: split at the
    /// top-level commas, up to the closing parenthesis.
    fn call_args(s: &str) -> Vec<&str> {
        let (mut depth, mut in_str, mut escaped, mut start) = (0, false, false, 0);
        let mut args = Vec::new();
        for (i, c) in s.char_indices() {
            if in_str {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => {
                    args.push(&s[start..i]);
                    break;
                }
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        args
    }

    /// The string literals an argument certainly evaluates to: the literal
    /// itself, or each branch of `if c { "a" } else { "b" }`.
    fn literals(arg: &str) -> Vec<&str> {
        let arg = arg.trim();
        let whole = arg
            .strip_prefix('"')
            .and_then(|a| a.strip_suffix('"'))
            .filter(|a| !a.contains('"'));
        if let Some(lit) = whole {
            return vec![lit];
        }
        if !arg.starts_with("if ") {
            return Vec::new();
        }
        arg.split('{')
            .skip(1)
            .filter_map(|block| {
                let (lit, after) = block.trim_start().strip_prefix('"')?.split_once('"')?;
                after.trim_start().starts_with('}').then_some(lit)
            })
            .collect()
    }

    fn rust_sources(dir: &Path, out: &mut Vec<(String, String)>) {
        let entries = std::fs::read_dir(dir).expect("read src/");
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&path).expect("read a source file");
                out.push((path.display().to_string(), src));
            }
        }
    }

    /// Keys passed as literals to `t(..)`, `.t(..)`, `i18n::t(lang, ..)`
    /// and `.flash(..)`, and the `"error_…"` literals (`web::error` picks
    /// one by status and shows it with its `_title`).
    fn source_keys(src: &str) -> Vec<String> {
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let mut keys = Vec::new();
        for call in ["t(", "flash("] {
            for (i, _) in src.match_indices(call) {
                if src[..i].ends_with(ident) {
                    continue;
                }
                for arg in call_args(&src[i + call.len()..]) {
                    keys.extend(literals(arg).into_iter().map(String::from));
                }
            }
        }
        for (i, _) in src.match_indices("\"error_") {
            let key: String = src[i + 1..].chars().take_while(|c| ident(*c)).collect();
            if src[i + 1 + key.len()..].starts_with('"') {
                if !key.ends_with("_title") {
                    keys.push(format!("{key}_title"));
                }
                keys.push(key);
            }
        }
        keys
    }

    #[test]
    fn every_literal_key_in_the_code_exists() {
        let src_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_sources(&src_dir, &mut files);
        let this_file = Path::new("web").join("i18n.rs");
        let mut used = Vec::new();
        for (path, src) in &files {
            if path.ends_with(&*this_file.to_string_lossy()) {
                continue; // its tests look up keys that must not exist
            }
            used.extend(source_keys(src).into_iter().map(|k| (path.clone(), k)));
        }
        assert_all_exist(&used, 40, "src/");
    }

    #[test]
    fn dynamic_key_families_have_every_code() {
        use crate::email::outbox;
        let mut keys = Vec::new();
        let received = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).expect("a date");
        for s in crate::recruitment::STATUSES {
            keys.push(format!("need_status_{s}"));
            if let Some((due, _)) = crate::recruitment::deadline(s, received, 1, 10) {
                keys.push(format!("need_due_{due}"));
            }
        }
        // As `SOURCES` in recruitment::pipeline (private there).
        for s in ["phone", "visit", "email", "form"] {
            keys.push(format!("need_source_{s}"));
        }
        for s in [
            outbox::PENDING,
            outbox::FAILED,
            outbox::SENT,
            outbox::DEAD,
            outbox::CANCELLED,
        ] {
            keys.push(format!("outbox_{s}"));
        }
        for k in crate::search::DocKind::ALL {
            keys.push(format!("kind_{}", k.as_str()));
            keys.push(format!("kind_{}_plural", k.as_str()));
        }
        for f in crate::search::FACETS {
            keys.push(format!("facet_{f}"));
        }
        for (_, _, k) in crate::businesses::queries::Sort::ALL {
            keys.push(k.to_string());
        }
        use crate::users::UserError;
        for e in [
            UserError::InvalidUsername,
            UserError::PasswordTooShort,
            UserError::Taken,
        ] {
            keys.push(e.to_string());
        }
        let gaps = missing(keys.iter().map(String::as_str));
        assert!(gaps.is_empty(), "no message for {gaps:?}");
    }

    #[test]
    fn numbers_have_the_language_s_thousands_separator() {
        assert_eq!(number(Lang::Da, 18969), "18.969");
        assert_eq!(number(Lang::En, 18969), "18,969");
        assert_eq!(number(Lang::Da, 0), "0");
        assert_eq!(number(Lang::Da, 999), "999");
        assert_eq!(number(Lang::Da, 1000), "1.000");
        assert_eq!(number(Lang::En, 1234567), "1,234,567");
        assert_eq!(number(Lang::Da, -123456), "-123.456");
        assert_eq!(number(Lang::En, i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(number(Lang::Da, u64::MAX), "18.446.744.073.709.551.615");
    }
}
