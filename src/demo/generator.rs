//! Realistic, deterministic synthetic Copenhagen business data for demos and load tests.
//!
//! Everything is a pure function of a `u64` seed: the i-th business (and its contacts) comes from
//! its own ChaCha8 stream seeded from `seed` and `i`, so a million businesses stream lazily and
//! any one of them can be regenerated cheaply with [`business`]. CVR numbers and P-numbers come
//! from bijective permutations of the index, so they are unique across a whole dataset.
//!
//! The output is plain data; every value is meant to pass the domain parsers (valid CVR check
//! digit, 10-digit P-numbers, real Copenhagen postal codes with their city names and streets,
//! 6-digit DB07 codes, `+45 XX XX XX XX` phone numbers, ASCII e-mail addresses).
//! Contact notes never contain a citizen's name or CPR number.
//!
//! The data tables live in the sibling module `names` (`super::names`).

use std::io::Write;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::names::{self, Industry, Size};

/// A user account for the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedUser {
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// "admin" | "consultant" | "council"
    pub role: &'static str,
}

/// A production unit (workplace) of a business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPUnit {
    /// 10 digits, first digit 1-9, unique across the dataset.
    pub p_number: u64,
    pub street: String,
    pub postal_code: u16,
    pub city: String,
}

/// A contact person at a business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPerson {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
    /// "+45 XX XX XX XX"
    pub phone: Option<String>,
    pub primary: bool,
}

/// A business as the CVR register and the consultants know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedBusiness {
    pub cvr: u32,
    pub name: String,
    /// One of [`COMPANY_FORMS`].
    pub company_form: &'static str,
    pub street: String,
    pub postal_code: u16,
    pub city: String,
    /// 6-digit DB07 code.
    pub industry_code: u32,
    pub employees: u32,
    pub advertising_protected: bool,
    pub active: bool,
    /// 0-2 of [`SEGMENTS`].
    pub segments: Vec<&'static str>,
    /// Index among the consultants (0 = the demo user "konsulent").
    pub consultant: Option<usize>,
    pub notes: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// 1-5; the first at the business address.
    pub p_units: Vec<SeedPUnit>,
    /// 1-3; exactly one primary (the first).
    pub persons: Vec<SeedPerson>,
}

/// A logged contact between a consultant and a business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedContact {
    pub business: usize,
    pub consultant: usize,
    /// One of [`CHANNELS`].
    pub channel: &'static str,
    /// Copenhagen local time, always before `today`.
    pub occurred_at: NaiveDateTime,
    pub subject: String,
    pub notes: Option<String>,
    /// One of [`OUTCOMES`].
    pub outcome: &'static str,
    pub follow_up_on: Option<NaiveDate>,
    pub follow_up_done: bool,
}

pub const COMPANY_FORMS: [&str; 12] = [
    "as", "aps", "is", "ks", "ps", "enk", "amba", "smba", "forening", "fond", "filial", "andet",
];
pub const SEGMENTS: [&str; 7] = [
    "tourism",
    "life_science",
    "green_transition",
    "creative_industries",
    "social_economy",
    "tech",
    "retail",
];
pub const CHANNELS: [&str; 5] = ["phone", "meeting", "visit", "email", "event"];
pub const OUTCOMES: [&str; 5] = [
    "need_registered",
    "follow_up",
    "information",
    "no_need",
    "not_reached",
];
/// Headings of the CVR-register-shaped CSV written by [`write_cvr_csv`].
pub const CVR_CSV_HEADINGS: [&str; 12] = [
    "CVR-nummer",
    "Navn",
    "Virksomhedsform",
    "Adresse",
    "Postnr",
    "By",
    "Branchekode",
    "Antal ansatte",
    "Reklamebeskyttet",
    "P-nummer",
    "Email",
    "Telefon",
];

/// Most businesses one seed can produce (the size of the CVR permutation).
pub const MAX_BUSINESSES: usize = CVR_SPACE as usize;

const CVR_SPACE: u64 = 8_100_000; // 900,000 six-digit prefixes x 9 check-digit-capable 7th digits
const CVR_MULT: u64 = 5_217_031; // coprime with 8,100,000 = 2^5 * 3^4 * 5^5
const P_SPACE: u64 = 9_000_000_000;
const P_MULT: u64 = 4_294_967_291; // prime, coprime with 9,000,000,000
const MAX_P_UNITS: u64 = 5;

const SALT_CORE: u64 = 0xC0DE_0001;
const SALT_DETAIL: u64 = 0xC0DE_0002;
const SALT_CONTACTS: u64 = 0xC0DE_0003;
const SALT_CVR: u64 = 0xC0DE_0004;
const SALT_PNUM: u64 = 0xC0DE_0005;
const USERS_SEED: u64 = 0x6B6B_2026;

const _: () = assert!(!names::INDUSTRIES.is_empty() && !names::AREAS.is_empty());

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

/// The fixed demo logins "admin", "konsulent" (consultant 0) and "raad" (council), then
/// `consultants - 1` more consultants "k001", "k002", ... with Danish names and
/// firstname.lastname@kk.dk addresses. The demo consultant is always there.
pub fn users(consultants: usize) -> Vec<SeedUser> {
    let mut out = vec![
        user("admin", "Administrator", "admin@kk.dk", "admin"),
        user(
            "konsulent",
            "Demo Konsulent",
            "demo.konsulent@kk.dk",
            "consultant",
        ),
        user(
            "raad",
            "Erhvervsrådet Demo",
            "erhvervsraadet.demo@kk.dk",
            "council",
        ),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(USERS_SEED);
    for n in 1..consultants {
        let mut chosen = None;
        for _ in 0..40 {
            let (first, last) = if chance(&mut rng, 10) {
                intl_name(&mut rng)
            } else {
                (danish_first(&mut rng), pick(&mut rng, names::SURNAMES))
            };
            let email = format!("{}.{}@kk.dk", fold(first), fold(last));
            if !out.iter().any(|u| u.email == email) {
                chosen = Some((format!("{first} {last}"), email));
                break;
            }
        }
        let (display, email) =
            chosen.unwrap_or_else(|| (format!("Konsulent {n}"), format!("konsulent{n}@kk.dk")));
        out.push(SeedUser {
            username: format!("k{n:03}"),
            display_name: display,
            email,
            role: "consultant",
        });
    }
    out
}

fn user(username: &str, display: &str, email: &str, role: &'static str) -> SeedUser {
    SeedUser {
        username: username.to_owned(),
        display_name: display.to_owned(),
        email: email.to_owned(),
        role,
    }
}

// ---------------------------------------------------------------------------------------------
// Businesses
// ---------------------------------------------------------------------------------------------

/// Lazily generates `count` businesses (at most [`MAX_BUSINESSES`]); the i-th equals
/// `business(seed, i, consultants)`.
pub fn businesses(
    seed: u64,
    count: usize,
    consultants: usize,
) -> impl Iterator<Item = SeedBusiness> {
    (0..count.min(MAX_BUSINESSES)).filter_map(move |i| business(seed, i, consultants))
}

/// The consultant (index among consultants) of business `index`, without generating the rest.
pub fn business_consultant(seed: u64, index: usize, consultants: usize) -> Option<usize> {
    core(seed, index, consultants).and_then(|c| c.consultant)
}

/// The CVR number of business `index` (`None` beyond [`MAX_BUSINESSES`]).
///
/// `index` is permuted over 8,100,000 slots; slot `j` names a six-digit prefix
/// (`j % 900_000`) and the `j / 900_000`-th 7th digit for which a check digit exists (each
/// prefix has at least nine), so distinct indices give distinct valid CVR numbers.
pub fn cvr_for_index(seed: u64, index: usize) -> Option<u32> {
    let i = u64::try_from(index).ok().filter(|&i| i < CVR_SPACE)?;
    let j = (i * CVR_MULT + splitmix64(seed ^ SALT_CVR) % CVR_SPACE) % CVR_SPACE;
    let six = 100_000 + j % 900_000;
    let k = j / 900_000;
    let mut s6 = 0;
    let mut rest = six;
    for w in [3, 4, 5, 6, 7, 2] {
        s6 += (rest % 10) * w;
        rest /= 10;
    }
    let mut seen = 0;
    for d7 in 0..10 {
        let check = (11 - (s6 + 2 * d7) % 11) % 11;
        if check == 10 {
            continue;
        }
        if seen == k {
            return u32::try_from(six * 100 + d7 * 10 + check).ok();
        }
        seen += 1;
    }
    None
}

/// P-number of production unit `unit` (0-4) of business `index`; unique across the dataset.
fn p_number(seed: u64, index: usize, unit: u64) -> u64 {
    let x = index as u64 * MAX_P_UNITS + unit.min(MAX_P_UNITS - 1);
    1_000_000_000 + (x * P_MULT + splitmix64(seed ^ SALT_PNUM) % P_SPACE) % P_SPACE
}

/// What both the business and its contacts need: drawn from a small stream of its own.
struct Core {
    industry: &'static Industry,
    form: &'static str,
    employees: u32,
    active: bool,
    consultant: Option<usize>,
}

fn core(seed: u64, index: usize, consultants: usize) -> Option<Core> {
    if index >= MAX_BUSINESSES {
        return None;
    }
    let mut rng = rng_for(seed, index, SALT_CORE);
    let industry = weighted_ref(&mut rng, names::INDUSTRIES, |i| i.weight)?;
    let mut employees = draw_employees(&mut rng, industry.size);
    let mut form = weighted(&mut rng, industry.forms.weights(), "aps");
    if form == "enk" && employees > 20 {
        employees = 1 + rng.random_range(0..20);
    }
    if employees >= 50 && matches!(form, "enk" | "is") {
        form = "aps";
    }
    if employees >= 250 && form == "aps" && chance(&mut rng, 50) {
        form = "as";
    }
    let active = chance(&mut rng, if employees == 0 { 75 } else { 96 });
    let consultant_pct = match employees {
        0 => 45,
        1..=9 => 66,
        10..=49 => 80,
        _ => 90,
    };
    let has_consultant = chance(&mut rng, consultant_pct);
    let consultant = (has_consultant && consultants > 0).then(|| below(&mut rng, consultants));
    Some(Core {
        industry,
        form,
        employees,
        active,
        consultant,
    })
}

fn draw_employees(rng: &mut ChaCha8Rng, size: Size) -> u32 {
    // Per mille: 0, 1-9, 10-49, 50-249, 250+.
    let [none, micro, small, medium, large] = match size {
        Size::Micro => [80, 840, 75, 5, 0],
        Size::Small => [50, 680, 227, 40, 3],
        Size::Medium => [35, 430, 360, 155, 20],
        Size::Large => [30, 300, 300, 270, 100],
    };
    let bucket = weighted(
        rng,
        &[(0, none), (1, micro), (2, small), (3, medium), (4, large)],
        1,
    );
    match bucket {
        0 => 0,
        1 => weighted(
            rng,
            &[
                (1, 22),
                (2, 18),
                (3, 15),
                (4, 12),
                (5, 10),
                (6, 8),
                (7, 6),
                (8, 5),
                (9, 4),
            ],
            1,
        ),
        2 => 10 + rng.random_range(0..40u32).min(rng.random_range(0..40)),
        3 => 50 + rng.random_range(0..200u32).min(rng.random_range(0..200)),
        _ => {
            let a = rng.random_range(0..2751u32);
            250 + a
                .min(rng.random_range(0..2751))
                .min(rng.random_range(0..2751))
        }
    }
}

/// Regenerates business `index` of the dataset `seed` (`None` beyond [`MAX_BUSINESSES`]).
pub fn business(seed: u64, index: usize, consultants: usize) -> Option<SeedBusiness> {
    let core = core(seed, index, consultants)?;
    let cvr = cvr_for_index(seed, index)?;
    let ind = core.industry;
    let rng = &mut rng_for(seed, index, SALT_DETAIL);

    let addr = address(rng)?;
    let named = business_name(rng, ind, core.form, &addr);
    let domain = format!("{}.{}", named.slug, named.tld);

    let mut segments: Vec<&'static str> = Vec::with_capacity(2);
    for &(segment, pct) in ind.segments {
        if segments.len() < 2 && chance(rng, pct) {
            segments.push(segment);
        }
    }
    if matches!(core.form, "forening" | "fond" | "amba" | "smba")
        && segments.len() < 2
        && !segments.contains(&"social_economy")
        && chance(rng, 25)
    {
        segments.push("social_economy");
    }

    let notes_pct = if core.consultant.is_some() { 38 } else { 11 };
    let notes = chance(rng, notes_pct).then(|| business_notes(rng, ind));
    let email = chance(rng, 80).then(|| {
        let local = weighted(rng, &[("info", 75), ("kontakt", 15), ("mail", 10)], "info");
        format!("{local}@{domain}")
    });
    let phone = chance(rng, 85).then(|| {
        if core.form == "enk" && core.employees < 5 && chance(rng, 60) {
            mobile(rng)
        } else {
            let prefix = pick(rng, names::LANDLINE_PREFIXES);
            phone_number(rng, prefix)
        }
    });

    let units = unit_count(rng, core.employees, ind.chain);
    let mut p_units = Vec::with_capacity(units as usize);
    p_units.push(SeedPUnit {
        p_number: p_number(seed, index, 0),
        street: addr.line.clone(),
        postal_code: addr.postal,
        city: addr.city.to_owned(),
    });
    for unit in 1..units {
        if let Some(a) = address(rng) {
            p_units.push(SeedPUnit {
                p_number: p_number(seed, index, unit),
                street: a.line,
                postal_code: a.postal,
                city: a.city.to_owned(),
            });
        }
    }

    let owner = match (named.owner_first, named.owner_last) {
        (None, None) => None,
        _ if core.form != "enk" && chance(rng, 50) => None,
        (first, last) => Some((
            first.unwrap_or_else(|| danish_first(rng)),
            last.unwrap_or_else(|| pick(rng, names::SURNAMES)),
        )),
    };
    let persons = persons(rng, &core, &domain, owner);
    Some(SeedBusiness {
        cvr,
        name: named.name,
        company_form: core.form,
        street: addr.line,
        postal_code: addr.postal,
        city: addr.city.to_owned(),
        industry_code: ind.code,
        employees: core.employees,
        advertising_protected: chance(rng, 20),
        active: core.active,
        segments,
        consultant: core.consultant,
        notes,
        email,
        phone,
        p_units,
        persons,
    })
}

fn unit_count(rng: &mut ChaCha8Rng, employees: u32, chain: bool) -> u64 {
    let mut n = match employees {
        0..=9 => weighted(rng, &[(1, 97), (2, 3)], 1),
        10..=49 => weighted(rng, &[(1, 85), (2, 12), (3, 3)], 1),
        50..=249 => weighted(rng, &[(1, 45), (2, 35), (3, 20)], 1),
        _ => 2 + rng.random_range(0..4u64),
    };
    if chain && employees >= 10 && chance(rng, 30) {
        n += 1;
    }
    n.min(MAX_P_UNITS)
}

struct Addr {
    street: &'static str,
    line: String,
    postal: u16,
    city: &'static str,
    places: &'static [&'static str],
}

/// A name stem, with the person in it if there is one ("Mette Jensens Frisørsalon").
struct Named {
    name: String,
    slug: String,
    tld: &'static str,
    owner_first: Option<&'static str>,
    owner_last: Option<&'static str>,
}

fn address(rng: &mut ChaCha8Rng) -> Option<Addr> {
    let area = weighted_ref(rng, names::AREAS, |a| a.weight)?;
    let &(postal, street, max) = area.streets.get(below(rng, area.streets.len()))?;
    let max = u32::from(max.max(1));
    let number = 1 + rng.random_range(0..max).min(rng.random_range(0..max));
    let mut line = format!("{street} {number}");
    if chance(rng, 7) {
        line.push(weighted(
            rng,
            &[('A', 50), ('B', 30), ('C', 15), ('D', 5)],
            'A',
        ));
    }
    let r = rng.random_range(0..100u32);
    let floor = rng.random_range(1..=5u32);
    let side = pick(rng, &["th", "tv", "mf"]);
    match r {
        0..45 => {}
        45..63 => line.push_str(", st."),
        63..70 => line.push_str(if side == "tv" { ", st. tv" } else { ", st. th" }),
        70..73 => line.push_str(", kl."),
        73..85 => line.push_str(&format!(", {floor}. sal")),
        _ => line.push_str(&format!(", {floor}. {side}")),
    }
    Some(Addr {
        street,
        line,
        postal,
        city: area.city,
        places: area.places,
    })
}

fn business_name(rng: &mut ChaCha8Rng, ind: &Industry, form: &str, addr: &Addr) -> Named {
    if matches!(form, "filial" | "andet") {
        let stem = if chance(rng, 50) {
            format!("{} {}", pick(rng, names::ENGLISH), ind.en)
        } else {
            format!("{} {}", coined(rng), ind.en)
        };
        let suffix = pick(rng, names::FOREIGN_SUFFIX);
        let name = if form == "filial" {
            format!("{stem} Danmark, filial af {stem} {suffix}")
        } else {
            format!("{stem} {suffix}")
        };
        return Named {
            name,
            slug: slug(&stem),
            tld: "com",
            owner_first: None,
            owner_last: None,
        };
    }
    let personal: Vec<&'static str> = ind
        .patterns
        .iter()
        .copied()
        .filter(|p| p.contains("{f}"))
        .collect();
    let pattern = if form == "enk" && !personal.is_empty() && chance(rng, 65) {
        pick(rng, &personal)
    } else {
        pick(rng, ind.patterns)
    };
    let (mut base, mut owner_first, mut owner_last) = fill(rng, pattern, ind, addr);
    let slug = slug(&base);
    if form == "enk" && owner_first.is_none() && chance(rng, 35) {
        let (first, last) = (danish_first(rng), pick(rng, names::SURNAMES));
        base.push_str(&format!(" v/{first} {last}"));
        (owner_first, owner_last) = (Some(first), Some(last));
    }
    let name = match form {
        "aps" => format!("{base} ApS"),
        "as" => format!("{base} A/S"),
        "is" => format!("{base} I/S"),
        "ks" => format!("{base} K/S"),
        "ps" => format!("{base} P/S"),
        "amba" => format!("{base} A.M.B.A."),
        "smba" => format!("{base} S.M.B.A."),
        "forening" if !base.to_lowercase().contains("forening") => format!("Foreningen {base}"),
        "fond" => format!("Fonden {base}"),
        _ => base,
    };
    Named {
        name,
        slug,
        tld: "dk",
        owner_first,
        owner_last,
    }
}

/// Fills a name pattern; see `names::Industry::patterns` for the placeholders.
/// Returns the name and the first name and surname of the person in it, if any.
fn fill(
    rng: &mut ChaCha8Rng,
    pattern: &str,
    ind: &Industry,
    addr: &Addr,
) -> (String, Option<&'static str>, Option<&'static str>) {
    let mut out = String::with_capacity(pattern.len() + 24);
    let mut first: Option<&'static str> = None;
    let mut surname: Option<&'static str> = None;
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            rest = &rest[start..];
            break;
        };
        match &after[..end] {
            "w" => out.push_str(pick(rng, ind.words)),
            "p" if chance(rng, 75) => out.push_str(pick(rng, addr.places)),
            "p" => out.push_str(pick(rng, names::PLACES)),
            "t" => out.push_str(addr.street),
            "n" => out.push_str(pick(rng, names::NOUNS)),
            "e" => out.push_str(pick(rng, names::ENGLISH)),
            "i" => out.push_str(pick(rng, names::ITALIAN)),
            "l" => out.push_str(pick(rng, names::LATIN)),
            "c" => out.push_str(&coined(rng)),
            "f" => out.push_str(first.get_or_insert_with(|| danish_first(rng))),
            "fs" => out.push_str(&genitive(first.get_or_insert_with(|| danish_first(rng)))),
            "s" => out.push_str(surname.get_or_insert_with(|| pick(rng, names::SURNAMES))),
            "sg" => {
                let s = surname.get_or_insert_with(|| pick(rng, names::SURNAMES));
                out.push_str(&genitive(s));
            }
            "s2" => {
                let mut other = pick(rng, names::SURNAMES);
                if Some(other) == surname {
                    other = pick(rng, names::SURNAMES);
                }
                out.push_str(other);
            }
            _ => {}
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (out, first, surname)
}

fn coined(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{}",
        pick(rng, names::COINED_PREFIX),
        pick(rng, names::COINED_SUFFIX)
    )
}

fn genitive(name: &str) -> String {
    if name.ends_with(['s', 'x', 'z']) {
        format!("{name}'")
    } else {
        format!("{name}s")
    }
}

/// Lowercase ASCII domain label: folded letters and digits, at most 30 characters.
fn slug(name: &str) -> String {
    let mut s: String = fold(name).chars().take(30).collect();
    if s.is_empty() {
        s.push_str("virksomhed");
    }
    s
}

/// Lowercase ASCII letters and digits only: æ->ae, ø->oe, å->aa, accents dropped.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for ch in text.chars().flat_map(char::to_lowercase) {
        match ch {
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'ü' => out.push_str("ue"),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'á' | 'à' | 'â' | 'ã' => out.push('a'),
            'í' | 'ì' | 'î' | 'ı' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
            'ú' | 'ù' | 'û' => out.push('u'),
            'ñ' | 'ń' => out.push('n'),
            'ç' | 'ć' => out.push('c'),
            'ş' | 'ś' | 'š' => out.push('s'),
            'ł' => out.push('l'),
            'ğ' => out.push('g'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

fn business_notes(rng: &mut ChaCha8Rng, ind: &Industry) -> String {
    let first = pick(rng, names::BUSINESS_NOTES);
    let mut text = first.replace("{job}", ind.job);
    if chance(rng, 30) {
        let second = pick(rng, names::BUSINESS_NOTES);
        if second != first {
            text.push(' ');
            text.push_str(&second.replace("{job}", ind.job));
        }
    }
    text
}

fn persons(
    rng: &mut ChaCha8Rng,
    core: &Core,
    domain: &str,
    owner: Option<(&'static str, &'static str)>,
) -> Vec<SeedPerson> {
    let count = match core.employees {
        0..=4 => weighted(rng, &[(1, 75), (2, 25)], 1),
        5..=49 => weighted(rng, &[(1, 45), (2, 40), (3, 15)], 1),
        _ => weighted(rng, &[(2, 40), (3, 60)], 2),
    };
    let mut out: Vec<SeedPerson> = Vec::with_capacity(count);
    let mut roles: Vec<&'static str> = Vec::with_capacity(count);
    for n in 0..count {
        let (first, last, full) = match owner {
            Some((first, last)) if n == 0 => (first, last, format!("{first} {last}")),
            _ => person_name(rng, core.industry.intl),
        };
        if out.iter().any(|p| p.name == full) {
            continue;
        }
        let mut role = if n == 0 {
            primary_role(rng, core)
        } else {
            secondary_role(rng, core.industry)
        };
        if roles.contains(&role) {
            role = secondary_role(rng, core.industry);
        }
        roles.push(role);
        let email = chance(rng, 85).then(|| {
            let (f, l) = (fold(first), fold(last));
            let local = if core.employees < 10 && chance(rng, 60) {
                f
            } else if chance(rng, 60) {
                format!("{f}.{l}")
            } else {
                f.chars().take(2).chain(l.chars().take(2)).collect()
            };
            format!("{local}@{domain}")
        });
        let phone = chance(rng, 80).then(|| mobile(rng));
        out.push(SeedPerson {
            name: full,
            role: role.to_owned(),
            email,
            phone,
            primary: n == 0,
        });
    }
    out
}

fn primary_role(rng: &mut ChaCha8Rng, core: &Core) -> &'static str {
    let ind = core.industry;
    match core.form {
        "enk" => "Indehaver",
        "forening" | "fond" => weighted(
            rng,
            &[("Formand", 50), ("Sekretariatsleder", 25), ("Direktør", 25)],
            "Formand",
        ),
        "is" if core.employees < 10 && chance(rng, 50) => "Medindehaver",
        _ if core.employees < 10 => {
            if chance(rng, 70) {
                pick(rng, names::OWNER_ROLES)
            } else {
                pick(rng, ind.roles)
            }
        }
        _ => {
            if chance(rng, 60) {
                pick(rng, names::HR_ROLES)
            } else {
                pick(rng, ind.roles)
            }
        }
    }
}

fn secondary_role(rng: &mut ChaCha8Rng, ind: &Industry) -> &'static str {
    if chance(rng, 50) {
        pick(rng, ind.roles)
    } else {
        pick(rng, names::GENERAL_ROLES)
    }
}

/// `(first, last, full name)`; Danish, sometimes with a middle name, or international.
fn person_name(rng: &mut ChaCha8Rng, intl_pct: u32) -> (&'static str, &'static str, String) {
    if chance(rng, intl_pct) {
        let (first, last) = intl_name(rng);
        return (first, last, format!("{first} {last}"));
    }
    let first = danish_first(rng);
    let last = pick(rng, names::SURNAMES);
    if chance(rng, 15) {
        let middle = pick(rng, names::SURNAMES);
        if middle != last {
            return (first, last, format!("{first} {middle} {last}"));
        }
    }
    (first, last, format!("{first} {last}"))
}

fn danish_first(rng: &mut ChaCha8Rng) -> &'static str {
    if chance(rng, 50) {
        pick(rng, names::FIRST_NAMES_F)
    } else {
        pick(rng, names::FIRST_NAMES_M)
    }
}

fn intl_name(rng: &mut ChaCha8Rng) -> (&'static str, &'static str) {
    match names::INTL_NAMES.get(below(rng, names::INTL_NAMES.len())) {
        Some((firsts, lasts)) => (pick(rng, firsts), pick(rng, lasts)),
        None => (danish_first(rng), pick(rng, names::SURNAMES)),
    }
}

fn mobile(rng: &mut ChaCha8Rng) -> String {
    let prefix = pick(rng, names::MOBILE_PREFIXES);
    phone_number(rng, prefix)
}

fn phone_number(rng: &mut ChaCha8Rng, prefix: &str) -> String {
    let n = rng.random_range(0..1_000_000u32);
    format!(
        "+45 {prefix} {:02} {:02} {:02}",
        n / 10_000,
        n / 100 % 100,
        n % 100
    )
}

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

/// Lazily generates the contacts of businesses `0..businesses` over the two years before
/// `today` (about three per business, most on businesses with a consultant). A contact's
/// consultant is usually the business's own, regenerated by the per-index rule
/// ([`business_consultant`]), so pass the same `seed` and `consultants` as to [`businesses`].
/// Ordered by business, not by time. No contacts when `consultants == 0`.
pub fn contacts(
    seed: u64,
    businesses: usize,
    consultants: usize,
    today: NaiveDate,
) -> impl Iterator<Item = SeedContact> {
    let n = if consultants == 0 {
        0
    } else {
        businesses.min(MAX_BUSINESSES)
    };
    (0..n).flat_map(move |b| contacts_for(seed, b, consultants, today))
}

fn contacts_for(seed: u64, b: usize, consultants: usize, today: NaiveDate) -> Vec<SeedContact> {
    let Some(core) = core(seed, b, consultants) else {
        return Vec::new();
    };
    let rng = &mut rng_for(seed, b, SALT_CONTACTS);
    let base: u32 = if core.consultant.is_some() { 400 } else { 105 };
    let size: u32 = match core.employees {
        0 => 50,
        1..=9 => 85,
        10..=49 => 130,
        50..=249 => 180,
        _ => 250,
    };
    let engagement = rng.random_range(50..=150u32);
    let activity: u32 = if core.active { 100 } else { 30 };
    // Expected count in hundredths; the count is Binomial(16, mean / 16).
    let mean = (base * size / 100 * engagement / 100 * activity / 100).min(1600);
    let count = (0..16)
        .filter(|_| rng.random_range(0..1600u32) < mean)
        .count();
    (0..count)
        .filter_map(|_| contact(rng, &core, b, consultants, today))
        .collect()
}

fn contact(
    rng: &mut ChaCha8Rng,
    core: &Core,
    business: usize,
    consultants: usize,
    today: NaiveDate,
) -> Option<SeedContact> {
    let consultant = match core.consultant {
        Some(c) if chance(rng, 85) => c,
        _ => below(rng, consultants),
    };
    let channel = weighted(
        rng,
        &[
            ("phone", 38),
            ("email", 30),
            ("meeting", 12),
            ("visit", 12),
            ("event", 8),
        ],
        "phone",
    );
    let date = contact_date(rng, channel, today)?;
    let occurred_at = date.and_time(contact_time(rng, channel)?);
    // need_registered, follow_up, information, no_need, not_reached
    let [need, follow, info, no_need, not_reached]: [u32; 5] = match channel {
        "phone" => [14, 19, 28, 19, 20],
        "email" => [10, 20, 42, 13, 15],
        "meeting" => [30, 27, 25, 18, 0],
        "visit" => [28, 27, 27, 18, 0],
        _ => [10, 15, 70, 5, 0],
    };
    let outcome = weighted(
        rng,
        &[
            ("need_registered", need),
            ("follow_up", follow),
            ("information", info),
            ("no_need", no_need),
            ("not_reached", not_reached),
        ],
        "information",
    );

    let ind = core.industry;
    let subjects = match channel {
        "phone" => names::SUBJECTS_PHONE,
        "email" => names::SUBJECTS_EMAIL,
        "meeting" => names::SUBJECTS_MEETING,
        "visit" => names::SUBJECTS_VISIT,
        _ => names::SUBJECTS_EVENT,
    };
    let subject = pick(rng, subjects)
        .replace("{job}", ind.job)
        .replace("{branche}", ind.branche)
        .replace("{area}", pick(rng, names::PLACES));
    let notes = chance(rng, 60).then(|| {
        let list = match outcome {
            "need_registered" => names::NOTES_NEED,
            "follow_up" => names::NOTES_FOLLOW_UP,
            "information" => names::NOTES_INFORMATION,
            "no_need" => names::NOTES_NO_NEED,
            _ if channel == "email" => names::NOTES_NOT_REACHED_EMAIL,
            _ => names::NOTES_NOT_REACHED_PHONE,
        };
        let next_month = names::MONTHS
            .get(date.month() as usize % 12)
            .copied()
            .unwrap_or("januar");
        pick(rng, list)
            .replace("{k}", &rng.random_range(2..=5u32).to_string())
            .replace("{job}", ind.job)
            .replace("{month}", next_month)
    });

    let follow_pct = match outcome {
        "follow_up" => 95,
        "need_registered" => 20,
        "not_reached" => 10,
        "information" => 2,
        _ => 0,
    };
    let mut follow_up_on = None;
    let mut follow_up_done = false;
    if chance(rng, follow_pct) {
        let mut due = date.checked_add_days(Days::new(rng.random_range(7..=42u64)))?;
        match due.weekday() {
            Weekday::Sat => due = due.checked_add_days(Days::new(2))?,
            Weekday::Sun => due = due.checked_add_days(Days::new(1))?,
            _ => {}
        }
        if due < today {
            let age = (today - due).num_days();
            follow_up_done = chance(rng, if age <= 21 { 75 } else { 97 });
        }
        follow_up_on = Some(due);
    }
    Some(SeedContact {
        business,
        consultant,
        channel,
        occurred_at,
        subject,
        notes,
        outcome,
        follow_up_on,
        follow_up_done,
    })
}

/// A day 1-730 days before `today`, mostly a weekday, with fewer contacts in July and over
/// Christmas.
fn contact_date(rng: &mut ChaCha8Rng, channel: &str, today: NaiveDate) -> Option<NaiveDate> {
    let mut date = today;
    for _ in 0..8 {
        date = today.checked_sub_days(Days::new(rng.random_range(1..=730u64)))?;
        let holiday = match (date.month(), date.day()) {
            (7, _) => chance(rng, 50),
            (12, 22..) | (1, 1..=2) => chance(rng, 85),
            _ => false,
        };
        if !holiday {
            break;
        }
    }
    let weekend_ok = chance(rng, if channel == "event" { 25 } else { 2 });
    Some(match date.weekday() {
        Weekday::Sat if !weekend_ok => date.checked_sub_days(Days::new(1))?,
        Weekday::Sun if !weekend_ok => date.checked_sub_days(Days::new(2))?,
        _ => date,
    })
}

fn contact_time(rng: &mut ChaCha8Rng, channel: &str) -> Option<NaiveTime> {
    let minutes: u32 = match channel {
        "meeting" | "visit" => 510 + 15 * rng.random_range(0..29u32), // 08:30-15:30
        "event" => {
            if chance(rng, 50) {
                480 + 30 * rng.random_range(0..3u32) // 08:00-09:00
            } else {
                900 + 30 * rng.random_range(0..5u32) // 15:00-17:00
            }
        }
        "email" if chance(rng, 5) => rng.random_range(990..1200u32), // 16:30-20:00
        "phone" if chance(rng, 3) => rng.random_range(450..480u32),  // 07:30-08:00
        _ => rng.random_range(480..990u32),                          // 08:00-16:30
    };
    NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0)
}

// ---------------------------------------------------------------------------------------------
// CVR export
// ---------------------------------------------------------------------------------------------

/// The register's wording of a company form code.
pub fn company_form_label(form: &str) -> &'static str {
    match form {
        "as" => "Aktieselskab",
        "aps" => "Anpartsselskab",
        "is" => "Interessentskab",
        "ks" => "Kommanditselskab",
        "ps" => "Partnerselskab",
        "enk" => "Enkeltmandsvirksomhed",
        "amba" => "Andelsselskab (-forening) med begrænset ansvar",
        "smba" => "Selskab med begrænset ansvar",
        "forening" => "Forening",
        "fond" => "Fond",
        "filial" => "Filial af udenlandsk aktieselskab",
        _ => "Anden udenlandsk virksomhed",
    }
}

/// The register's employee interval for a head count.
pub fn employee_interval(employees: u32) -> &'static str {
    match employees {
        0 => "0",
        1..=4 => "1-4",
        5..=9 => "5-9",
        10..=19 => "10-19",
        20..=49 => "20-49",
        50..=99 => "50-99",
        100..=249 => "100-249",
        _ => "250+",
    }
}

/// Writes businesses as a CVR-register-style CSV (UTF-8, [`CVR_CSV_HEADINGS`], quoted where
/// needed) and returns the number of data rows.
pub fn write_cvr_csv<W: Write>(
    businesses: impl Iterator<Item = SeedBusiness>,
    out: W,
    delimiter: u8,
) -> std::io::Result<u64> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    writer.write_record(CVR_CSV_HEADINGS)?;
    let mut rows = 0u64;
    for b in businesses {
        let p_number = b
            .p_units
            .first()
            .map(|p| p.p_number.to_string())
            .unwrap_or_default();
        writer.write_record([
            b.cvr.to_string().as_str(),
            &b.name,
            company_form_label(b.company_form),
            &b.street,
            &b.postal_code.to_string(),
            &b.city,
            &b.industry_code.to_string(),
            employee_interval(b.employees),
            if b.advertising_protected { "ja" } else { "nej" },
            &p_number,
            b.email.as_deref().unwrap_or(""),
            b.phone.as_deref().unwrap_or(""),
        ])?;
        rows += 1;
    }
    writer.flush()?;
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Randomness helpers (integer-only, so output is identical on every platform)
// ---------------------------------------------------------------------------------------------

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn rng_for(seed: u64, index: usize, salt: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ splitmix64(splitmix64(index as u64).wrapping_add(salt)))
}

fn chance(rng: &mut ChaCha8Rng, percent: u32) -> bool {
    rng.random_range(0..100u32) < percent
}

/// Uniform in `0..n` (0 when `n == 0`).
fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    match u32::try_from(n) {
        Ok(0) => 0,
        Ok(n) => rng.random_range(0..n) as usize,
        Err(_) => (rng.random::<u64>() % n as u64) as usize,
    }
}

fn pick(rng: &mut ChaCha8Rng, items: &[&'static str]) -> &'static str {
    items.get(below(rng, items.len())).copied().unwrap_or("")
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)], fallback: T) -> T {
    let total: u32 = items.iter().map(|&(_, w)| w).sum();
    if total == 0 {
        return fallback;
    }
    let mut r = rng.random_range(0..total);
    for &(item, w) in items {
        if r < w {
            return item;
        }
        r -= w;
    }
    fallback
}

fn weighted_ref<'a, T>(
    rng: &mut ChaCha8Rng,
    items: &'a [T],
    weight: impl Fn(&T) -> u32,
) -> Option<&'a T> {
    let total: u32 = items.iter().map(&weight).sum();
    if total == 0 {
        return None;
    }
    let mut r = rng.random_range(0..total);
    for item in items {
        let w = weight(item);
        if r < w {
            return Some(item);
        }
        r -= w;
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::Timelike;

    use super::*;

    const SEED: u64 = 20_260_101;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 16).expect("valid date")
    }

    fn cvr_valid(cvr: u32) -> bool {
        let digits: Vec<u32> = cvr
            .to_string()
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        digits.len() == 8
            && digits[0] != 0
            && digits
                .iter()
                .zip([2, 7, 6, 5, 4, 3, 2, 1])
                .map(|(d, w)| d * w)
                .sum::<u32>()
                % 11
                == 0
    }

    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }

    fn email_ok(email: &str) -> bool {
        let Some((local, domain)) = email.split_once('@') else {
            return false;
        };
        let Some((label, tld)) = domain.rsplit_once('.') else {
            return false;
        };
        !local.is_empty()
            && !local.starts_with('.')
            && !local.ends_with('.')
            && local
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.')
            && !label.is_empty()
            && label.len() <= 63
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && matches!(tld, "dk" | "com")
    }

    fn phone_ok(phone: &str) -> bool {
        let b = phone.as_bytes();
        phone.len() == 15
            && phone.starts_with("+45 ")
            && [6, 9, 12].iter().all(|&i| b[i] == b' ')
            && [4, 5, 7, 8, 10, 11, 13, 14]
                .iter()
                .all(|&i| b[i].is_ascii_digit())
            && b[4] != b'0'
    }

    fn city_for(postal: u16) -> Option<&'static str> {
        match postal {
            1050..=1472 => Some("København K"),
            1550..=1799 => Some("København V"),
            2100 => Some("København Ø"),
            2150 => Some("Nordhavn"),
            2200 => Some("København N"),
            2300 => Some("København S"),
            2400 => Some("København NV"),
            2450 => Some("København SV"),
            2500 => Some("Valby"),
            2700 => Some("Brønshøj"),
            2720 => Some("Vanløse"),
            2000 => Some("Frederiksberg"),
            2900 => Some("Hellerup"),
            2605 => Some("Brøndby"),
            2650 => Some("Hvidovre"),
            2800 => Some("Kongens Lyngby"),
            2770 => Some("Kastrup"),
            _ => None,
        }
    }

    fn address_known(street: &str, postal: u16, city: &str) -> bool {
        city_for(postal) == Some(city)
            && names::AREAS.iter().any(|a| {
                a.city == city
                    && a.streets.iter().any(|&(pc, name, max)| {
                        pc == postal
                            && street.strip_prefix(name).is_some_and(|rest| {
                                let number: String = rest
                                    .trim_start_matches(' ')
                                    .chars()
                                    .take_while(char::is_ascii_digit)
                                    .collect();
                                rest.starts_with(' ')
                                    && number.parse::<u16>().is_ok_and(|n| (1..=max).contains(&n))
                            })
                    })
            })
    }

    #[test]
    fn tables_are_consistent() {
        let mut codes = HashSet::new();
        for ind in names::INDUSTRIES {
            assert!((100_000..=999_999).contains(&ind.code), "{}", ind.code);
            assert!(codes.insert(ind.code), "duplicate {}", ind.code);
            assert!(!ind.patterns.is_empty() && !ind.words.is_empty() && !ind.roles.is_empty());
            assert!(ind.segments.iter().all(|(s, _)| SEGMENTS.contains(s)));
            assert!(
                ind.forms
                    .weights()
                    .iter()
                    .all(|(f, _)| COMPANY_FORMS.contains(f))
            );
        }
        assert!((45..=65).contains(&codes.len()));
        for area in names::AREAS {
            for &(pc, street, max) in area.streets {
                assert_eq!(city_for(pc), Some(area.city), "{street} {pc}");
                assert!(max >= 1);
            }
        }
        assert_eq!(gcd(CVR_MULT, CVR_SPACE), 1);
        assert_eq!(gcd(P_MULT, P_SPACE), 1);
    }

    #[test]
    fn same_seed_same_output() {
        let a: Vec<_> = businesses(SEED, 2_000, 40).collect();
        let b: Vec<_> = businesses(SEED, 2_000, 40).collect();
        assert_eq!(a, b);
        let c: Vec<_> = businesses(SEED + 1, 2_000, 40).collect();
        assert_ne!(a, c);
        let ca: Vec<_> = contacts(SEED, 2_000, 40, today()).collect();
        let cb: Vec<_> = contacts(SEED, 2_000, 40, today()).collect();
        assert_eq!(ca, cb);
        let mut csv_a = Vec::new();
        let mut csv_b = Vec::new();
        write_cvr_csv(a.into_iter(), &mut csv_a, b';').expect("csv");
        write_cvr_csv(businesses(SEED, 2_000, 40), &mut csv_b, b';').expect("csv");
        assert_eq!(csv_a, csv_b);
        assert_eq!(users(40), users(40));
    }

    #[test]
    fn regenerating_one_business_matches_the_stream() {
        for (i, b) in businesses(SEED, 300, 40).enumerate() {
            assert_eq!(business(SEED, i, 40).as_ref(), Some(&b));
            assert_eq!(business_consultant(SEED, i, 40), b.consultant);
        }
        assert!(business(SEED, MAX_BUSINESSES, 40).is_none());
        assert_eq!(businesses(SEED, usize::MAX, 40).take(3).count(), 3);
    }

    #[test]
    fn cvr_and_p_numbers_are_valid_and_unique() {
        let mut cvrs = HashSet::new();
        let mut pnums = HashSet::new();
        for b in businesses(SEED, 200_000, 40) {
            assert!(cvr_valid(b.cvr), "invalid CVR {}", b.cvr);
            assert!(cvrs.insert(b.cvr), "duplicate CVR {}", b.cvr);
            assert!((1..=5).contains(&b.p_units.len()));
            for p in &b.p_units {
                assert!((1_000_000_000..=9_999_999_999).contains(&p.p_number));
                assert!(
                    pnums.insert(p.p_number),
                    "duplicate P-number {}",
                    p.p_number
                );
            }
        }
        assert_eq!(cvrs.len(), 200_000);
        // Far indices too: the permutation stays a bijection up to MAX_BUSINESSES.
        let mut far = HashSet::new();
        for i in (MAX_BUSINESSES - 50_000)..MAX_BUSINESSES {
            let cvr = cvr_for_index(SEED, i).expect("in range");
            assert!(cvr_valid(cvr));
            assert!(far.insert(cvr));
        }
        assert_eq!(cvr_for_index(SEED, MAX_BUSINESSES), None);
    }

    #[test]
    fn businesses_are_plausible() {
        let n = 20_000;
        let all: Vec<_> = businesses(SEED, n, 40).collect();
        assert_eq!(all.len(), n);
        let count =
            |f: &dyn Fn(&SeedBusiness) -> bool| all.iter().filter(|b| f(b)).count() * 1000 / n;
        let codes: HashSet<u32> = names::INDUSTRIES.iter().map(|i| i.code).collect();
        for b in &all {
            assert!(COMPANY_FORMS.contains(&b.company_form));
            assert!(codes.contains(&b.industry_code));
            assert!(address_known(&b.street, b.postal_code, &b.city), "{b:?}");
            let first = &b.p_units[0];
            assert_eq!(
                (&first.street, first.postal_code, &first.city),
                (&b.street, b.postal_code, &b.city)
            );
            for p in &b.p_units {
                assert!(address_known(&p.street, p.postal_code, &p.city), "{p:?}");
            }
            assert!((1..=3).contains(&b.persons.len()));
            assert_eq!(b.persons.iter().filter(|p| p.primary).count(), 1);
            assert!(b.persons[0].primary);
            for p in &b.persons {
                assert!(!p.name.trim().is_empty() && !p.role.is_empty());
                assert!(p.email.as_deref().is_none_or(email_ok), "{p:?}");
                assert!(p.phone.as_deref().is_none_or(phone_ok), "{p:?}");
            }
            assert!(b.email.as_deref().is_none_or(email_ok), "{b:?}");
            assert!(b.phone.as_deref().is_none_or(phone_ok), "{b:?}");
            assert!(b.segments.len() <= 2);
            assert!(b.segments.iter().all(|s| SEGMENTS.contains(s)));
            assert_eq!(
                b.segments.iter().collect::<HashSet<_>>().len(),
                b.segments.len()
            );
            assert!(b.consultant.is_none_or(|c| c < 40));
            assert!(b.employees <= 3_000);
            assert!(!b.name.is_empty() && b.name.len() < 120 && b.name.trim() == b.name);
            assert!(!b.name.contains('{'), "{}", b.name);
            if b.company_form == "enk" {
                assert!(b.employees <= 20);
            }
        }
        let consultant = count(&|b| b.consultant.is_some());
        let active = count(&|b| b.active);
        let protected = count(&|b| b.advertising_protected);
        let notes = count(&|b| b.notes.is_some());
        let zero = count(&|b| b.employees == 0);
        let micro = count(&|b| (1..=9).contains(&b.employees));
        let big = count(&|b| b.employees >= 250);
        let outside = count(&|b| matches!(b.postal_code, 2000 | 2605 | 2650 | 2770 | 2800 | 2900));
        let main_forms = count(&|b| matches!(b.company_form, "aps" | "as" | "enk" | "is"));
        let aps = count(&|b| b.company_form == "aps");
        let multi = count(&|b| b.p_units.len() > 1);
        assert!((660..=740).contains(&consultant), "consultant {consultant}");
        assert!((930..=970).contains(&active), "active {active}");
        assert!((180..=220).contains(&protected), "protected {protected}");
        assert!((260..=340).contains(&notes), "notes {notes}");
        assert!((35..=75).contains(&zero), "zero {zero}");
        assert!(micro >= 550, "1-9 {micro}");
        assert!((1..=15).contains(&big), "250+ {big}");
        assert!((20..=40).contains(&outside), "outside {outside}");
        assert!(main_forms >= 850, "aps/as/enk/is {main_forms}");
        assert!(aps >= 400, "aps {aps}");
        assert!((20..=150).contains(&multi), "multi {multi}");
        let unique_names: HashSet<&str> = all.iter().map(|b| b.name.as_str()).collect();
        assert!(
            unique_names.len() * 100 >= n * 97,
            "only {} distinct names",
            unique_names.len()
        );
        let hotels = all.iter().filter(|b| b.industry_code == 551010);
        assert!(
            hotels
                .clone()
                .filter(|b| b.segments.contains(&"tourism"))
                .count()
                * 10
                >= hotels.count() * 9
        );
    }

    #[test]
    fn csv_round_trips() {
        for delimiter in [b';', b','] {
            let rows: Vec<_> = businesses(SEED, 1_500, 40).collect();
            let mut buf = Vec::new();
            let written =
                write_cvr_csv(rows.clone().into_iter(), &mut buf, delimiter).expect("csv");
            assert_eq!(written, 1_500);
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .from_reader(buf.as_slice());
            let headers = reader.headers().expect("headers").clone();
            assert_eq!(headers.iter().collect::<Vec<_>>(), CVR_CSV_HEADINGS);
            let mut n = 0;
            for (record, b) in reader.records().zip(&rows) {
                let r = record.expect("record");
                assert_eq!(&r[0], b.cvr.to_string());
                assert_eq!(&r[1], b.name);
                assert_eq!(&r[2], company_form_label(b.company_form));
                assert_eq!(&r[3], b.street);
                assert_eq!(&r[4], b.postal_code.to_string());
                assert_eq!(&r[5], b.city);
                assert_eq!(&r[6], b.industry_code.to_string());
                assert_eq!(&r[7], employee_interval(b.employees));
                assert_eq!(&r[8], if b.advertising_protected { "ja" } else { "nej" });
                assert_eq!(&r[9], b.p_units[0].p_number.to_string());
                assert_eq!(&r[10], b.email.as_deref().unwrap_or(""));
                assert_eq!(&r[11], b.phone.as_deref().unwrap_or(""));
                n += 1;
            }
            assert_eq!(n, 1_500);
        }
        assert_eq!(employee_interval(0), "0");
        assert_eq!(employee_interval(4), "1-4");
        assert_eq!(employee_interval(249), "100-249");
        assert_eq!(employee_interval(250), "250+");
        assert_eq!(company_form_label("enk"), "Enkeltmandsvirksomhed");
    }

    #[test]
    fn contacts_are_plausible() {
        let n = 20_000;
        let today = today();
        let midnight = today.and_time(NaiveTime::MIN);
        let earliest = today - Days::new(735);
        let consultant_of: Vec<Option<usize>> =
            (0..n).map(|i| business_consultant(SEED, i, 40)).collect();
        let all: Vec<_> = contacts(SEED, n, 40, today).collect();
        assert!(
            (54_000..=66_000).contains(&all.len()),
            "{} contacts",
            all.len()
        );
        let mut with_follow_up = 0;
        let (mut open_future, mut overdue, mut weekend, mut own_consultant, mut on_assigned) =
            (0, 0, 0, 0, 0);
        for c in &all {
            assert!(c.business < n && c.consultant < 40);
            assert!(CHANNELS.contains(&c.channel) && OUTCOMES.contains(&c.outcome));
            assert!(c.occurred_at < midnight, "future contact {c:?}");
            assert!(c.occurred_at.date() >= earliest);
            let minutes = c.occurred_at.hour() * 60 + c.occurred_at.minute();
            assert!((450..1200).contains(&minutes), "{c:?}");
            assert!(!c.subject.is_empty() && !c.subject.contains('{'));
            assert!(c.notes.as_deref().is_none_or(|t| !t.contains('{')));
            if matches!(c.occurred_at.weekday(), Weekday::Sat | Weekday::Sun) {
                weekend += 1;
            }
            if let Some(due) = c.follow_up_on {
                with_follow_up += 1;
                assert!(due > c.occurred_at.date());
                if due >= today {
                    assert!(!c.follow_up_done, "{c:?}");
                    open_future += 1;
                } else if !c.follow_up_done {
                    overdue += 1;
                }
            } else {
                assert!(!c.follow_up_done);
            }
            if let Some(own) = consultant_of[c.business] {
                on_assigned += 1;
                if own == c.consultant {
                    own_consultant += 1;
                }
            }
        }
        let total = all.len();
        assert!(
            (total * 20..=total * 30).contains(&(with_follow_up * 100)),
            "{with_follow_up}"
        );
        assert!(
            (100..=1_500).contains(&open_future),
            "open future {open_future}"
        );
        assert!((100..=1_500).contains(&overdue), "overdue {overdue}");
        assert!(weekend * 100 < total * 4, "weekend {weekend}");
        assert!(on_assigned * 100 >= total * 85, "on assigned {on_assigned}");
        assert!(own_consultant * 100 >= on_assigned * 80);
        assert_eq!(contacts(SEED, 100, 0, today).count(), 0);
    }

    #[test]
    fn users_are_fixed_then_consultants() {
        let u = users(40);
        assert_eq!(u.len(), 42);
        assert_eq!((u[0].username.as_str(), u[0].role), ("admin", "admin"));
        assert_eq!(
            (
                u[1].username.as_str(),
                u[1].role,
                u[1].display_name.as_str()
            ),
            ("konsulent", "consultant", "Demo Konsulent")
        );
        assert_eq!(
            (
                u[2].username.as_str(),
                u[2].role,
                u[2].display_name.as_str()
            ),
            ("raad", "council", "Erhvervsrådet Demo")
        );
        assert_eq!(u[3].username, "k001");
        assert_eq!(u[41].username, "k039");
        assert_eq!(u.iter().filter(|u| u.role == "consultant").count(), 40);
        assert_eq!(u.iter().map(|u| &u.email).collect::<HashSet<_>>().len(), 42);
        for user in &u[3..] {
            let (local, domain) = user.email.split_once('@').expect("email");
            assert_eq!(domain, "kk.dk");
            assert_eq!(local.matches('.').count(), 1, "{}", user.email);
            assert!(email_ok(&user.email));
        }
        assert_eq!(users(1).len(), 3);
        assert_eq!(users(0).len(), 3);
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Søren Ærø-Åberg"), "soerenaeroeaaberg");
        assert_eq!(fold("René O'Connor Müller"), "reneoconnormueller");
        assert_eq!(fold("Yılmaz Şahin Wójcik"), "yilmazsahinwojcik");
        assert_eq!(genitive("Jensen"), "Jensens");
        assert_eq!(genitive("Friis"), "Friis'");
    }

    /// Speed check: `cargo test --release -- --ignored --nocapture stream_a_million`.
    #[test]
    #[ignore = "slow; prints generation speed"]
    fn stream_a_million() {
        let start = std::time::Instant::now();
        let mut sink = std::io::sink();
        let rows = write_cvr_csv(businesses(SEED, 1_000_000, 40), &mut sink, b';').expect("csv");
        let csv_time = start.elapsed();
        let start = std::time::Instant::now();
        let n = businesses(SEED, 1_000_000, 40).count();
        let gen_time = start.elapsed();
        let start = std::time::Instant::now();
        let c = contacts(SEED, 1_000_000, 40, today()).count();
        println!(
            "{n} businesses in {gen_time:?}; CSV of {rows} in {csv_time:?}; {c} contacts in {:?}",
            start.elapsed()
        );
    }
}
