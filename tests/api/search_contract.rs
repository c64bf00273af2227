//! The search contract: what every [`SearchIndex`] backend must do, checked
//! against a fixed set of Copenhagen documents through the public trait only
//! (so it runs against tantivy and against a real Meilisearch server alike).
//!
//! [`run_contract`] clears the index, loads the fixture and runs every case;
//! failures are collected and reported together, each with its case name.
//! It asserts ids, totals, facet counts and order only where the contract
//! defines it — never scores.
use std::collections::BTreeMap;
use std::fmt::Debug;

use erhverv::search::{
    DocKind, FACETS, Filters, SearchDoc, SearchIndex, SearchQuery, SearchResults,
};

/// Runs the whole contract; panics with every failing case listed.
pub async fn run_contract(index: &dyn SearchIndex) {
    let mut r = Report::new(index);
    r.case("setup: clear and load the fixture");
    if let Err(e) = index.clear().await {
        r.fail(format!("clear: {e}"));
    }
    if let Err(e) = index.upsert(&fixture()).await {
        r.fail(format!("upsert: {e}"));
    }
    if let Err(e) = index.ping().await {
        r.fail(format!("ping: {e}"));
    }
    r.finish_if_failed();

    empty_query_lists_everything(&mut r).await;
    documents_come_back_whole(&mut r).await;
    need_references(&mut r).await;
    typos(&mut r).await;
    prefix_while_typing(&mut r).await;
    danish_letters(&mut r).await;
    company_forms(&mut r).await;
    numbers(&mut r).await;
    persons_and_streets(&mut r).await;
    filters(&mut r).await;
    facets(&mut r).await;
    paging(&mut r).await;
    ranking(&mut r).await;
    highlights(&mut r).await;
    hostile_queries(&mut r).await;
    // These change the fixture: last.
    updates(&mut r).await;
    deletes(&mut r).await;

    r.finish();
}

// ---------------------------------------------------------------------------
// The fixture

const LARS: (i32, &str) = (1, "Lars Møller");
const ANNE: (i32, &str) = (2, "Anne Kjær");
const PETER: (i32, &str) = (3, "Peter Holm");

/// Number of documents in the fixture.
const FIXTURE_LEN: usize = 28;

#[allow(clippy::too_many_arguments)]
fn business(
    id: i32,
    title: &str,
    cvr: &str,
    p_numbers: &[&str],
    address: &str,
    district: &str,
    industry: (&str, &str, &str),
    size: &str,
    segments: &[&str],
    person: &str,
    consultant: (i32, &str),
) -> SearchDoc {
    let form = ["A/S", "ApS", "I/S"]
        .into_iter()
        .find(|f| title.ends_with(&format!(" {f}")));
    SearchDoc {
        id: SearchDoc::doc_id(DocKind::Business, id),
        kind: Some(DocKind::Business),
        record_id: id,
        title: title.to_string(),
        company_form: form.map(str::to_string),
        cvr: Some(cvr.to_string()),
        p_numbers: p_numbers.iter().map(|p| p.to_string()).collect(),
        addresses: vec![address.to_string()],
        district: Some(district.to_string()),
        industry_code: Some(industry.0.to_string()),
        industry_text: Some(industry.1.to_string()),
        section: Some(industry.2.to_string()),
        size: Some(size.to_string()),
        segments: segments.iter().map(|s| s.to_string()).collect(),
        persons: vec![person.to_string()],
        consultant: Some(consultant.1.to_string()),
        consultant_id: Some(consultant.0),
        active: true,
        text: None,
        owner: None,
        reference: None,
        status: None,
    }
}

fn other(
    kind: DocKind,
    id: i32,
    title: &str,
    text: &str,
    district: Option<&str>,
    segments: &[&str],
) -> SearchDoc {
    SearchDoc {
        id: SearchDoc::doc_id(kind, id),
        kind: Some(kind),
        record_id: id,
        title: title.to_string(),
        district: district.map(str::to_string),
        segments: segments.iter().map(|s| s.to_string()).collect(),
        active: true,
        text: Some(text.to_string()),
        ..SearchDoc::default()
    }
}

fn need(doc: SearchDoc, owner: &str, reference: &str, status: &str) -> SearchDoc {
    SearchDoc {
        owner: Some(owner.to_string()),
        reference: Some(reference.to_string()),
        status: Some(status.to_string()),
        ..doc
    }
}

/// 24 businesses, 2 recruitment needs, 2 initiatives.
#[rustfmt::skip]
pub fn fixture() -> Vec<SearchDoc> {
    const BAKERY: (&str, &str, &str) = ("107120", "Bagerier og konditorier", "C");
    const HOTEL: (&str, &str, &str) = ("551010", "Hoteller", "I");
    const CAFE: (&str, &str, &str) = ("563000", "Cafeer", "I");
    const ADVICE: (&str, &str, &str) = ("702200", "Virksomhedsrådgivning", "M");
    let mut docs: Vec<SearchDoc> = vec![
        business(1, "Nørrebro Bageri ApS", "62601817", &["1003456781"], "Nørrebrogade 45, 2200 København N", "norrebro", BAKERY, "5-9", &["retail"], "Mette Hansen", LARS),
        business(2, "Havnens Hotel A/S", "69083013", &["1004567892"], "Havnegade 12, 1058 København K", "indre_by", HOTEL, "50-99", &["tourism"], "Jens Kofoed", ANNE),
        business(3, "Havnens Hotel ApS", "76131864", &["1005678903"], "Islands Brygge 30, 2300 København S", "amager_vest", HOTEL, "10-19", &["tourism"], "Pia Lund", ANNE),
        business(4, "Ørestad Kontorservice ApS", "19139093", &["1006789014"], "Ørestads Boulevard 10, 2300 København S", "amager_vest", ("811000", "Ejendomsservice", "N"), "20-49", &[], "Karsten Brandt", PETER),
        business(5, "Ågade Cykler ApS", "72819489", &["1007890125"], "Ågade 8, 2200 København N", "norrebro", ("477200", "Detailhandel med cykler", "G"), "1-4", &["retail", "green_transition"], "Søren Aagaard", LARS),
        business(6, "Bager Jensen", "31993512", &["1008901236"], "Valby Langgade 20, 2500 Valby", "valby", BAKERY, "1-4", &[], "Ole Jensen", LARS),
        business(7, "Bageriet Ved Søerne ApS", "91909375", &["1009012347"], "Østerbrogade 100, 2100 København Ø", "osterbro", BAKERY, "10-19", &["retail"], "Lene Dam", ANNE),
        business(8, "Bagger Byg ApS", "96579756", &["1010123458"], "Frederikssundsvej 200, 2700 Brønshøj", "bronshoj_husum", ("412000", "Opførelse af bygninger", "F"), "20-49", &["green_transition"], "Bo Skytte", PETER),
        business(9, "Tech Hub Copenhagen ApS", "53231942", &["1011234569"], "Njalsgade 21, 2300 København S", "amager_vest", ("620100", "Computerprogrammering", "J"), "5-9", &["tech"], "Mikkel Thomsen", PETER),
        business(10, "Vesterbro Kaffebar I/S", "28625278", &["1012345670"], "Istedgade 50, 1650 København V", "vesterbro_kongens_enghave", CAFE, "1-4", &["retail"], "Camilla Friis", LARS),
        business(11, "Valby Maskinfabrik A/S", "70189550", &["1013456781", "1013456792"], "Gammel Køge Landevej 55, 2500 Valby", "valby", ("282200", "Fremstilling af løfte- og håndteringsudstyr", "C"), "100-249", &["green_transition"], "Henrik Dahl", ANNE),
        business(12, "Amager Strand Restaurant ApS", "69797113", &["1014567892"], "Amager Strandvej 100, 2300 København S", "amager_ost", ("561010", "Restauranter", "I"), "20-49", &["tourism"], "Louise Berg", PETER),
        business(13, "Grøn Omstilling Rådgivning ApS", "56507523", &["1015678903"], "Vesterbrogade 3, 1620 København V", "vesterbro_kongens_enghave", ADVICE, "5-9", &["green_transition"], "Ida Nørgaard", LARS),
        business(14, "Apsis Consulting A/S", "27034233", &["1016789014"], "Bredgade 30, 1260 København K", "indre_by", ADVICE, "10-19", &["tech"], "Thomas Vang", ANNE),
        business(15, "Bispebjerg Blomster", "66321223", &["1017890125"], "Frederiksborgvej 80, 2400 København NV", "bispebjerg", ("477600", "Blomsterhandler", "G"), "1-4", &[], "Hanne Skov", PETER),
        business(16, "Vanløse Auto ApS", "43079247", &["1018901236"], "Jernbane Allé 40, 2720 Vanløse", "vanlose", ("452000", "Vedligeholdelse af motorkøretøjer", "G"), "5-9", &[], "Kim Larsen", LARS),
        business(17, "Sydhavn Lager og Logistik A/S", "50268594", &["1019012347"], "Sydhavnsgade 10, 2450 København SV", "vesterbro_kongens_enghave", ("521000", "Oplagring", "H"), "50-99", &[], "Rasmus Krogh", ANNE),
        business(18, "Østerbro Tandklinik", "62890789", &["1020123458"], "Østerbrogade 52, 2100 København Ø", "osterbro", ("862300", "Tandlæger", "Q"), "10-19", &["life_science"], "Birgitte Holm", PETER),
        business(19, "Nordisk Biotek A/S", "76661766", &["1021234569"], "Ole Maaløes Vej 3, 2200 København N", "norrebro", ("721100", "Bioteknologisk forskning", "M"), "250+", &["life_science", "tech"], "Michael Sørensen", ANNE),
        business(20, "Christianshavns Boghandel ApS", "13137218", &["1022345670"], "Torvegade 40, 1400 København K", "indre_by", ("476100", "Boghandler", "G"), "1-4", &["creative_industries", "retail"], "Anders Kjeldsen", LARS),
        business(21, "Husum Malerfirma ApS", "91590131", &["1023456781"], "Frederikssundsvej 300, 2700 Brønshøj", "bronshoj_husum", ("433400", "Malerforretninger", "F"), "5-9", &[], "Jesper Mortensen", PETER),
        business(22, "Kødbyens Bryghus ApS", "72459571", &["1024567892"], "Flæsketorvet 20, 1711 København V", "vesterbro_kongens_enghave", ("110500", "Fremstilling af øl", "C"), "10-19", &["tourism", "creative_industries"], "Sofie Winther", ANNE),
        business(23, "Sundby Socialøkonomisk Café", "21777749", &["1025678903"], "Amagerbrogade 150, 2300 København S", "amager_ost", CAFE, "5-9", &["social_economy"], "Maja Eriksen", LARS),
        business(24, "Designstudiet Nordlys ApS", "22154729", &["1026789014"], "Refshalevej 1, 1432 København K", "indre_by", ("741000", "Industriel design", "M"), "1-4", &["creative_industries"], "Freja Lindholm", PETER),
        need(other(DocKind::Need, 1, "Bagermedhjælper", "RB-2026-000001\nNørrebro Bageri søger 2 bagermedhjælpere til morgenholdet fra 1. marts. Erfaring med dej er et plus; åben for fleksjob.", Some("norrebro"), &["retail"]), "Nørrebro Bageri ApS", "RB-2026-000001", "new"),
        need(other(DocKind::Need, 2, "Receptionist", "RB-2026-000002\nHavnens Hotel søger en receptionist, der taler dansk og engelsk; gerne med løntilskud.", Some("indre_by"), &["tourism"]), "Havnens Hotel A/S", "RB-2026-000002", "in_progress"),
        other(DocKind::Initiative, 1, "Grøn omstilling i små virksomheder", "Initiativ under erhvervsstrategiens spor for grøn omstilling: rådgivning til 200 virksomheder om energi og cirkulær økonomi.", None, &["green_transition"]),
        other(DocKind::Initiative, 2, "Turismens genstart", "Kampagne for flere internationale turister i København.", None, &["tourism"]),
    ];
    // Needs carry the consultant who took them.
    for d in &mut docs {
        if d.id == "need:1" {
            (d.consultant_id, d.consultant) = (Some(LARS.0), Some(LARS.1.to_string()));
            d.section = Some("C".into());
        }
        if d.id == "need:2" {
            (d.consultant_id, d.consultant) = (Some(ANNE.0), Some(ANNE.1.to_string()));
            d.section = Some("I".into());
        }
    }
    docs
}

// ---------------------------------------------------------------------------
// Helpers

/// The ids of the hits, in order.
pub fn ids(results: &SearchResults) -> Vec<String> {
    results.hits.iter().map(|h| h.doc.id.clone()).collect()
}

fn b(id: i32) -> String {
    format!("business:{id}")
}

fn query(q: &str) -> SearchQuery {
    SearchQuery {
        q: q.to_string(),
        filters: Filters::default(),
        offset: 0,
        limit: 100,
    }
}

fn filtered(filters: Filters) -> SearchQuery {
    SearchQuery {
        filters,
        ..query("")
    }
}

fn position(ids: &[String], id: &str) -> Option<usize> {
    ids.iter().position(|i| i == id)
}

fn facet(results: &SearchResults, name: &str) -> Vec<(String, u64)> {
    results.facets.get(name).cloned().unwrap_or_default()
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(v, c)| (v.to_string(), *c)).collect()
}

/// The facet counts a backend should report for these documents.
fn expected_facets(docs: &[&SearchDoc]) -> BTreeMap<String, Vec<(String, u64)>> {
    let mut out = BTreeMap::new();
    for name in FACETS {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for d in docs {
            let values: Vec<String> = match name {
                "kind" => d.kind.map(|k| k.as_str().to_string()).into_iter().collect(),
                "district" => d.district.clone().into_iter().collect(),
                "section" => d.section.clone().into_iter().collect(),
                "size" => d.size.clone().into_iter().collect(),
                "consultant_id" => d.consultant_id.map(|c| c.to_string()).into_iter().collect(),
                _ => d.segments.clone(),
            };
            for v in values {
                *counts.entry(v).or_insert(0) += 1;
            }
        }
        let mut list: Vec<(String, u64)> = counts.into_iter().collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.insert(name.to_string(), list);
    }
    out
}

/// Collects failures, each under the name of the case it happened in.
struct Report<'a> {
    index: &'a dyn SearchIndex,
    case: &'static str,
    failures: Vec<String>,
}

impl<'a> Report<'a> {
    fn new(index: &'a dyn SearchIndex) -> Self {
        Report {
            index,
            case: "",
            failures: Vec::new(),
        }
    }

    fn case(&mut self, name: &'static str) {
        self.case = name;
    }

    fn fail(&mut self, message: String) {
        self.failures
            .push(format!("[{}] {}: {message}", self.index.name(), self.case));
    }

    fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.fail(message());
        }
    }

    fn eq<T: PartialEq + Debug>(&mut self, got: T, want: T, what: &str) {
        if got != want {
            self.fail(format!("{what}: got {got:?}, want {want:?}"));
        }
    }

    /// Runs a search; an error is a failure (and gives empty results).
    async fn search(&mut self, q: SearchQuery) -> SearchResults {
        match self.index.search(&q).await {
            Ok(r) => r,
            Err(e) => {
                self.fail(format!("search {:?} failed: {e}", q.q));
                SearchResults {
                    total: 0,
                    hits: Vec::new(),
                    facets: BTreeMap::new(),
                }
            }
        }
    }

    async fn ids(&mut self, q: &str) -> Vec<String> {
        ids(&self.search(query(q)).await)
    }

    /// The query finds `id` first.
    async fn first(&mut self, q: &str, id: &str) {
        let got = self.ids(q).await;
        self.check(got.first().map(String::as_str) == Some(id), || {
            format!("{q:?}: want {id} first, got {got:?}")
        });
    }

    /// The query finds `id` (anywhere).
    async fn finds(&mut self, q: &str, id: &str) {
        let got = self.ids(q).await;
        self.check(got.iter().any(|i| i == id), || {
            format!("{q:?}: want {id} among {got:?}")
        });
    }

    /// The query does not find `id`.
    async fn misses(&mut self, q: &str, id: &str) {
        let got = self.ids(q).await;
        self.check(!got.iter().any(|i| i == id), || {
            format!("{q:?}: want no {id}, got {got:?}")
        });
    }

    fn finish_if_failed(&self) {
        if !self.failures.is_empty() {
            self.finish();
        }
    }

    fn finish(&self) {
        assert!(
            self.failures.is_empty(),
            "search contract: {} failure(s)\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        );
    }
}

// ---------------------------------------------------------------------------
// The cases

async fn empty_query_lists_everything(r: &mut Report<'_>) {
    r.case("empty query lists every document, by title");
    for q in ["", "   ", "*?~:\"()"] {
        let res = r.search(query(q)).await;
        r.eq(res.total, FIXTURE_LEN, &format!("{q:?} total"));
        r.eq(res.hits.len(), FIXTURE_LEN, &format!("{q:?} hits"));
        let titles: Vec<String> = res
            .hits
            .iter()
            .map(|h| erhverv::search::normalize::fold(&h.doc.title))
            .collect();
        let mut sorted = titles.clone();
        sorted.sort();
        r.eq(titles, sorted, &format!("{q:?}: titles in folded order"));
    }
}

async fn documents_come_back_whole(r: &mut Report<'_>) {
    r.case("every field of a document comes back as it was stored");
    let res = r.search(query("")).await;
    for want in fixture() {
        match res.hits.iter().find(|h| h.doc.id == want.id) {
            Some(hit) => r.eq(&hit.doc, &want, &want.id),
            None => r.fail(format!("{} missing", want.id)),
        }
    }
}

async fn need_references(r: &mut Report<'_>) {
    r.case("a recruitment need is found by its reference");
    r.first("RB-2026-000002", "need:2").await;
    r.first("rb-2026-000001", "need:1").await;
    r.misses("RB-2026-000002", "need:1").await;
}

async fn typos(r: &mut Report<'_>) {
    r.case("typos: one in a 5-8 letter word");
    r.first("kafebar ", &b(10)).await; // kaffebar, a letter missing
    r.first("blomstre ", &b(15)).await; // blomster, a transposition is one typo
    r.first("vesterbor kafebar ", &b(10)).await;

    r.case("typos: two in a 9+ letter word");
    r.first("maskimfabrek ", &b(11)).await; // maskinfabrik
    r.first("valby maskimfabrek ", &b(11)).await;

    r.case("typos: not more than allowed");
    r.misses("maskimfabrekk ", &b(11)).await; // three
    r.misses("kafebr ", &b(10)).await; // two in a 6-letter word

    r.case("typos: none in a 4-letter word");
    let res = r.search(query("holn ")).await; // holm
    r.eq(ids(&res), Vec::<String>::new(), "\"holn \" finds nothing");
    r.finds("holm ", &b(18)).await;
}

async fn prefix_while_typing(r: &mut Report<'_>) {
    r.case("prefix: as you type");
    r.first("nørreb", &b(1)).await;
    r.first("Nørrebro Bag", &b(1)).await;
    r.finds("nørreb", "need:1").await; // in a need's text
    r.case("prefix: only the last word, only while typing");
    r.misses("nørreb ", &b(1)).await;
    r.misses("nørreb bageri", &b(1)).await;
}

async fn danish_letters(r: &mut Report<'_>) {
    r.case("Danish letters: ø/oe/o, å/aa/a, æ/ae/a are the same");
    for group in [
        ["Ørestad", "Oerestad", "orestad"],
        ["Ågade", "Aagade", "agade"],
        ["Nørgaard", "Noergaard", "Nørgård"],
        ["Kødbyens", "Koedbyens", "kodbyens"],
        ["Flæsketorvet", "Flaesketorvet", "flasketorvet"],
    ] {
        let mut all = Vec::new();
        for q in group {
            all.push((q, r.ids(q).await));
        }
        let (q0, first) = &all[0];
        r.check(!first.is_empty(), || format!("{q0:?} finds something"));
        for (q, got) in &all[1..] {
            r.eq(got, first, &format!("{q:?} finds what {q0:?} finds"));
        }
    }
    r.first("Ørestad", &b(4)).await;
    r.first("aagade cykler", &b(5)).await;
    r.first("søren ågaard", &b(5)).await;
    r.first("noerrebro bageri", &b(1)).await;
}

async fn company_forms(r: &mut Report<'_>) {
    r.case("company forms: optional, but preferred when given");
    let res = r.search(query("havnens hotel a/s")).await;
    let got = ids(&res);
    r.eq(
        got.first(),
        Some(&b(2)),
        "\"havnens hotel a/s\": the A/S first",
    );
    r.check(got.contains(&b(3)), || {
        format!("\"havnens hotel a/s\" also finds the ApS: {got:?}")
    });
    let got = r.ids("Havnens Hotel ApS").await;
    r.eq(
        got.first(),
        Some(&b(3)),
        "\"Havnens Hotel ApS\": the ApS first",
    );
    r.check(got.contains(&b(2)), || {
        format!("\"Havnens Hotel ApS\" also finds the A/S: {got:?}")
    });
    let got = r.ids("havnens hotel").await;
    r.check(
        got.len() >= 2 && got[..2].contains(&b(2)) && got[..2].contains(&b(3)),
        || format!("\"havnens hotel\": both hotels first, got {got:?}"),
    );
    r.first("nordisk biotek as", &b(19)).await;

    r.case("company forms: a form alone does not drown a name");
    let got = r.ids("aps").await;
    r.eq(
        got.first(),
        Some(&b(14)),
        "\"aps\": Apsis Consulting (a name) first",
    );
    r.first("apsis", &b(14)).await;
    r.first("vesterbro kaffebar i/s", &b(10)).await;
}

async fn numbers(r: &mut Report<'_>) {
    r.case("numbers: CVR first");
    for q in [
        "91909375",
        "9190 9375",
        "DK91909375",
        "DK 9190 9375",
        "dk-91909375",
    ] {
        r.first(q, &b(7)).await;
    }
    r.case("numbers: P-number first");
    for q in ["1013456792", "10 1345 6792", "1013456781"] {
        r.first(q, &b(11)).await;
    }
    r.first("1024567892", &b(22)).await;
    r.case("numbers: digits are a prefix of CVR and P-numbers");
    r.first("9190", &b(7)).await;
    r.finds("101345", &b(11)).await;
    r.finds("2300", &b(12)).await; // a postal code in an address
}

async fn persons_and_streets(r: &mut Report<'_>) {
    r.case("contact persons and streets find the business");
    r.first("mette hansen", &b(1)).await;
    r.first("Mette", &b(1)).await;
    r.first("michael sørensen", &b(19)).await;
    r.first("istedgade", &b(10)).await;
    r.first("Njalsgade 21", &b(9)).await;
    r.first("ole maaløes vej", &b(19)).await;
    r.finds("lars møller", &b(1)).await; // the consultant
    r.finds("cykler", &b(5)).await; // industry text too
}

async fn filters(r: &mut Report<'_>) {
    let all = fixture();
    let expect = |pred: &dyn Fn(&SearchDoc) -> bool| -> Vec<String> {
        let mut v: Vec<String> = all
            .iter()
            .filter(|d| pred(d))
            .map(|d| d.id.clone())
            .collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let cases: Vec<(&'static str, Filters, Vec<String>)> = vec![
        (
            "filters: district",
            Filters {
                district: Some("norrebro".into()),
                ..Filters::default()
            },
            expect(&|d| d.district.as_deref() == Some("norrebro")),
        ),
        (
            "filters: section",
            Filters {
                section: Some("C".into()),
                ..Filters::default()
            },
            expect(&|d| d.section.as_deref() == Some("C")),
        ),
        (
            "filters: size",
            Filters {
                size: Some("1-4".into()),
                ..Filters::default()
            },
            expect(&|d| d.size.as_deref() == Some("1-4")),
        ),
        (
            "filters: consultant",
            Filters {
                consultant_id: Some(PETER.0),
                ..Filters::default()
            },
            expect(&|d| d.consultant_id == Some(PETER.0)),
        ),
        (
            "filters: segment",
            Filters {
                segment: Some("tourism".into()),
                ..Filters::default()
            },
            expect(&|d| d.segments.iter().any(|s| s == "tourism")),
        ),
        (
            "filters: kind",
            Filters {
                kind: Some(DocKind::Need),
                ..Filters::default()
            },
            expect(&|d| d.kind == Some(DocKind::Need)),
        ),
        (
            "filters: all must hold",
            Filters {
                kind: Some(DocKind::Business),
                district: Some("indre_by".into()),
                segment: Some("creative_industries".into()),
                ..Filters::default()
            },
            vec![b(20), b(24)],
        ),
        (
            "filters: nothing matches",
            Filters {
                district: Some("valby".into()),
                segment: Some("tech".into()),
                ..Filters::default()
            },
            Vec::new(),
        ),
        (
            "filters: unknown value",
            Filters {
                district: Some("aarhus".into()),
                ..Filters::default()
            },
            Vec::new(),
        ),
    ];
    for (name, f, want) in cases {
        r.case(name);
        let res = r.search(filtered(f)).await;
        r.eq(res.total, want.len(), "total");
        r.eq(sorted(ids(&res)), sorted(want), "ids");
    }

    r.case("filters: with a query");
    let res = r
        .search(SearchQuery {
            filters: Filters {
                district: Some("indre_by".into()),
                ..Filters::default()
            },
            ..query("havnens")
        })
        .await;
    r.eq(
        sorted(ids(&res)),
        sorted(vec![b(2), "need:2".into()]),
        "\"havnens\" in indre_by",
    );
}

async fn facets(r: &mut Report<'_>) {
    let all = fixture();

    r.case("facets: every facet, exact counts, for everything");
    let res = r.search(query("")).await;
    r.eq(
        res.facets.keys().cloned().collect::<Vec<_>>(),
        {
            let mut names: Vec<String> = FACETS.iter().map(|f| f.to_string()).collect();
            names.sort();
            names
        },
        "facet names",
    );
    r.eq(
        facet(&res, "kind"),
        pairs(&[("business", 24), ("initiative", 2), ("need", 2)]),
        "kind",
    );
    r.eq(
        facet(&res, "consultant_id"),
        pairs(&[("1", 9), ("2", 9), ("3", 8)]),
        "consultant_id (decimal strings, the initiatives have none)",
    );
    r.eq(
        facet(&res, "segments"),
        pairs(&[
            ("retail", 6),
            ("tourism", 6),
            ("green_transition", 5),
            ("creative_industries", 3),
            ("tech", 3),
            ("life_science", 2),
            ("social_economy", 1),
        ]),
        "segments (multi-valued)",
    );
    r.eq(
        facet(&res, "district").first().cloned(),
        Some(("indre_by".to_string(), 5)),
        "district: most first",
    );
    let want = expected_facets(&all.iter().collect::<Vec<_>>());
    for name in FACETS {
        r.eq(
            facet(&res, name),
            want.get(name).cloned().unwrap_or_default(),
            &format!("facet {name}"),
        );
    }

    r.case("facets: count the query's matches, all pages");
    let res = r
        .search(SearchQuery {
            limit: 1,
            ..query("havnens")
        })
        .await;
    r.eq(res.total, 3, "\"havnens\" total");
    r.eq(
        facet(&res, "kind"),
        pairs(&[("business", 2), ("need", 1)]),
        "kind",
    );
    r.eq(
        facet(&res, "district"),
        pairs(&[("indre_by", 2), ("amager_vest", 1)]),
        "district",
    );
    r.eq(
        facet(&res, "consultant_id"),
        pairs(&[("2", 3)]),
        "consultant_id",
    );

    r.case("facets: count the filtered documents");
    let f = Filters {
        district: Some("norrebro".into()),
        ..Filters::default()
    };
    let res = r.search(filtered(f)).await;
    let matching: Vec<&SearchDoc> = all
        .iter()
        .filter(|d| d.district.as_deref() == Some("norrebro"))
        .collect();
    let want = expected_facets(&matching);
    for name in FACETS {
        r.eq(
            facet(&res, name),
            want.get(name).cloned().unwrap_or_default(),
            &format!("facet {name}"),
        );
    }
    r.eq(
        facet(&res, "section"),
        pairs(&[("C", 2), ("G", 1), ("M", 1)]),
        "section",
    );
}

async fn paging(r: &mut Report<'_>) {
    r.case("paging: pages add up to the whole list, total stable");
    for q in ["", "københavn"] {
        let whole = r.search(query(q)).await;
        let mut paged = Vec::new();
        for offset in (0..whole.total + 5).step_by(5) {
            let page = r
                .search(SearchQuery {
                    offset,
                    limit: 5,
                    ..query(q)
                })
                .await;
            r.eq(
                page.total,
                whole.total,
                &format!("{q:?} total at offset {offset}"),
            );
            r.check(page.hits.len() <= 5, || {
                format!("{q:?} page at {offset} has {} hits", page.hits.len())
            });
            paged.extend(ids(&page));
        }
        r.eq(paged, ids(&whole), &format!("{q:?} pages concatenated"));
    }
    r.case("paging: past the end and zero limit");
    let res = r
        .search(SearchQuery {
            offset: 1000,
            ..query("")
        })
        .await;
    r.eq(
        (res.total, res.hits.len()),
        (FIXTURE_LEN, 0),
        "offset past the end",
    );
    let res = r
        .search(SearchQuery {
            limit: 0,
            ..query("")
        })
        .await;
    r.eq((res.total, res.hits.len()), (FIXTURE_LEN, 0), "limit 0");
    r.eq(facet(&res, "kind").len(), 3, "facets with limit 0");
}

async fn ranking(r: &mut Report<'_>) {
    r.case("ranking: exact name > prefix > typo");
    let got = r.ids("bager").await;
    r.eq(
        got.first(),
        Some(&b(6)),
        "\"bager\": Bager Jensen (exact) first",
    );
    let typo = position(&got, &b(8)); // Bagger Byg
    r.check(typo.is_some(), || {
        format!("\"bager\" finds Bagger Byg (one typo): {got:?}")
    });
    for prefix in [b(7), b(1), "need:1".to_string()] {
        let p = position(&got, &prefix);
        r.check(p.is_some() && p < typo && p > Some(0), || {
            format!(
                "\"bager\": {prefix} (prefix) after the exact match and before the typo: {got:?}"
            )
        });
    }

    r.case("ranking: a name match outranks other fields");
    r.first("nørrebro", &b(1)).await; // also in need:1's text and an address
    r.first("holm", &b(18)).await; // Birgitte Holm (person) beats Peter Holm (consultant)
    let got = r.ids("østerbro").await;
    r.eq(
        got.first(),
        Some(&b(18)),
        "\"østerbro\": Østerbro Tandklinik before the Østerbrogade address",
    );
    r.check(got.contains(&b(7)), || {
        format!("\"østerbro\" also finds Østerbrogade 100: {got:?}")
    });

    r.case("ranking: more words matched in the name first");
    r.first("amager strand", &b(12)).await;
    r.first("grøn omstilling rådgivning", &b(13)).await;
    r.first("grøn omstilling i små virksomheder", "initiative:1")
        .await;
}

async fn highlights(r: &mut Report<'_>) {
    r.case("highlights: the name's matched words");
    let res = r.search(query("havnens hotel")).await;
    match res.hits.iter().find(|h| h.doc.id == b(2)) {
        None => r.fail(format!("no hit for {}", b(2))),
        Some(hit) => {
            let title = hit.highlights.first();
            r.eq(
                title.map(|h| h.field.as_str()),
                Some("title"),
                "title highlighted first",
            );
            if let Some(h) = title {
                let text: String = h.fragments.iter().map(|f| f.text.as_str()).collect();
                r.eq(
                    text.as_str(),
                    "Havnens Hotel A/S",
                    "fragments give back the title",
                );
                let marked: Vec<&str> = h
                    .fragments
                    .iter()
                    .filter(|f| f.hit)
                    .map(|f| f.text.as_str())
                    .collect();
                r.eq(marked, vec!["Havnens", "Hotel"], "marked words");
            }
        }
    }
    let res = r.search(query("mette")).await;
    let fields: Vec<String> = res
        .hits
        .first()
        .map(|h| h.highlights.iter().map(|h| h.field.clone()).collect())
        .unwrap_or_default();
    r.eq(
        fields,
        vec!["persons".to_string()],
        "\"mette\" highlights the person only",
    );
    let res = r.search(query("")).await;
    r.check(res.hits.iter().all(|h| h.highlights.is_empty()), || {
        "empty query: no highlights".into()
    });
}

async fn hostile_queries(r: &mut Report<'_>) {
    r.case("hostile queries don't fail");
    let long_word = "x".repeat(10_000);
    let long_words = "københavn ".repeat(1_000);
    let long_digits = "1".repeat(10_000);
    let queries = [
        "",
        " ",
        "*",
        "?",
        "~",
        ":",
        "\"",
        "(",
        ")",
        "*?~:\"()",
        "title:bager",
        "bager~2",
        "\"nørrebro bageri\"",
        "bager AND NOT hotel",
        "'; DROP TABLE businesses; --",
        "1=1 OR '' = ''",
        "😀",
        "🇩🇰 bager 😀",
        "\u{0}\u{1}\u{7f}",
        "\\",
        "a/s",
        "A.m.b.A.",
        "DK",
        "DK-",
        "-",
        "00000000",
        "İstanbul",
        "ß",
        "<script>alert(1)</script>",
        &long_word,
        &long_words,
        &long_digits,
    ];
    for q in queries {
        let shown: String = q.chars().take(40).collect();
        let index = r.index;
        match index.search(&query(q)).await {
            Ok(res) => r.check(res.hits.len() <= res.total, || {
                format!("{shown:?}: more hits than total")
            }),
            Err(e) => r.fail(format!("{shown:?} failed: {e}")),
        }
    }
}

async fn updates(r: &mut Report<'_>) {
    r.case("updates: a changed name is found by its new name only");
    let mut doc = fixture()
        .into_iter()
        .find(|d| d.id == b(16))
        .unwrap_or_default();
    doc.title = "Vanløse Bilværksted ApS".into();
    doc.size = Some("10-19".into());
    if let Err(e) = r.index.upsert(std::slice::from_ref(&doc)).await {
        r.fail(format!("upsert: {e}"));
    }
    r.misses("auto ", &b(16)).await;
    r.first("bilværksted", &b(16)).await;
    let res = r.search(query("")).await;
    r.eq(res.total, FIXTURE_LEN, "total after an update");
    let hit = res.hits.iter().find(|h| h.doc.id == b(16));
    r.eq(
        hit.map(|h| h.doc.title.as_str()),
        Some("Vanløse Bilværksted ApS"),
        "the stored document",
    );
    let want_sizes = {
        let docs: Vec<SearchDoc> = fixture()
            .into_iter()
            .map(|d| if d.id == doc.id { doc.clone() } else { d })
            .collect();
        expected_facets(&docs.iter().collect::<Vec<_>>())
            .get("size")
            .cloned()
            .unwrap_or_default()
    };
    r.eq(
        facet(&res, "size"),
        want_sizes,
        "size facet after an update",
    );
}

async fn deletes(r: &mut Report<'_>) {
    r.case("deletes: gone from results and facets");
    let ids_to_delete = vec![b(22), "business:9999".to_string()];
    if let Err(e) = r.index.delete(&ids_to_delete).await {
        r.fail(format!("delete: {e}"));
    }
    r.misses("kødbyens bryghus", &b(22)).await;
    r.misses("72459571", &b(22)).await;
    let res = r.search(query("")).await;
    r.eq(res.total, FIXTURE_LEN - 1, "total after a delete");
    r.eq(
        facet(&res, "kind").first().cloned(),
        Some(("business".to_string(), 23)),
        "kind facet after a delete",
    );
    let creative = facet(&res, "segments")
        .into_iter()
        .find(|(v, _)| v == "creative_industries");
    r.eq(
        creative,
        Some(("creative_industries".to_string(), 2)),
        "segment facet after a delete",
    );

    r.case("deletes: clear empties the index");
    if let Err(e) = r.index.clear().await {
        r.fail(format!("clear: {e}"));
    }
    let res = r.search(query("")).await;
    r.eq((res.total, res.hits.len()), (0, 0), "after clear");
    r.check(res.facets.values().all(Vec::is_empty), || {
        format!("facets after clear: {:?}", res.facets)
    });
}
