//! Property-based tests of everything that parses outside input (issue
//! 13, item 8): the CSV import reader, the domain parsers and the form
//! decoder. Arbitrary input never panics, and what is valid survives a
//! round trip unchanged. Each property runs 256 random cases (proptest's
//! default; `PROPTEST_CASES` changes it).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use crate::domain::{Cvr, EmailAddress, Phone, looks_like_cpr, optional_text, required_text};
use crate::import::parse::ImportReader;
use crate::web::form::FormData;

const DA_HEADER: &str = "CVR-nummer;Navn;Virksomhedsform;Adresse;Postnr.;By;Branchekode;Antal ansatte;Reklamebeskyttet;P-nummer;E-mail;Telefon";

fn valid_cvr() -> impl Strategy<Value = Cvr> {
    (1_000_000u32..10_000_000).prop_filter_map("no check digit", Cvr::with_check_digit)
}

/// A business name as registers write them: words of letters (Danish
/// ones too), digits and punctuation, the CSV delimiter and quotes among
/// them, one space apart.
fn name() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-zÆØÅæøåé0-9;\",.&/'()+-]{1,10}", 1..5).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn the_csv_reader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(reader) = ImportReader::new(bytes.as_slice()) {
            for row in reader.take(10_000) {
                let _ = row;
            }
        }
    }

    #[test]
    fn the_csv_reader_never_panics_on_arbitrary_rows_after_a_real_header(
        body in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = format!("{DA_HEADER}\r\n").into_bytes();
        bytes.extend_from_slice(&body);
        let reader = ImportReader::new(bytes.as_slice()).expect("the header is read");
        for row in reader.take(10_000) {
            if let Err(e) = row {
                // Every refusal can be told to a person, in both languages.
                prop_assert!(!e.message(crate::domain::Lang::Da).is_empty());
            }
        }
    }

    #[test]
    fn rows_written_as_csv_are_read_back_as_written(
        rows in prop::collection::vec((valid_cvr(), name()), 1..20),
    ) {
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
        w.write_record(DA_HEADER.split(';')).unwrap();
        for (cvr, name) in &rows {
            w.write_record([cvr.value().to_string().as_str(), name, "ApS", "", "", "", "", "", "", "", "", ""]).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let read: Vec<_> = ImportReader::new(bytes.as_slice()).unwrap().collect();
        prop_assert_eq!(read.len(), rows.len());
        for (got, (cvr, name)) in read.into_iter().zip(&rows) {
            let got = got.map_err(|e| TestCaseError::fail(e.message(crate::domain::Lang::En)))?;
            prop_assert_eq!(got.cvr, *cvr);
            prop_assert_eq!(&got.name, name);
        }
    }

    #[test]
    fn a_cvr_number_is_found_however_it_is_written(cvr in valid_cvr(), style in 0..4usize) {
        let digits = cvr.value().to_string();
        let written = match style {
            0 => digits.clone(),
            1 => format!("DK{digits}"),
            2 => format!("DK {} {} {} {}", &digits[0..2], &digits[2..4], &digits[4..6], &digits[6..8]),
            _ => format!("  {digits}  "),
        };
        prop_assert_eq!(Cvr::parse(&written), Ok(cvr));
    }

    #[test]
    fn only_valid_cvr_numbers_are_accepted(s in "\\PC{0,20}|[0-9 ]{0,12}") {
        if let Ok(cvr) = Cvr::parse(&s) {
            let v = cvr.value();
            prop_assert!((10_000_000..=99_999_999).contains(&v));
            prop_assert_eq!(Cvr::with_check_digit(v / 10), Some(cvr), "the check digit holds");
        }
    }

    #[test]
    fn contact_parsers_never_panic_and_accept_only_clean_values(s in "\\PC{0,60}|[ -~]{0,60}") {
        if let Ok(e) = EmailAddress::parse(&s) {
            prop_assert!(e.as_str().contains('@'));
            prop_assert!(!e.as_str().chars().any(|c| c.is_whitespace() || c.is_control()));
        }
        if let Ok(p) = Phone::parse(&s) {
            prop_assert!(!p.as_str().chars().any(char::is_control));
        }
        let _ = crate::contacts::parse_date(&s);
        let _ = crate::web::form::date(&s);
    }

    #[test]
    fn free_text_is_stored_trimmed_bounded_and_without_control_characters(
        s in "\\PC{0,300}|[\\x00-\\x7f]{0,300}",
    ) {
        if let Ok(t) = required_text(&s, 200) {
            prop_assert!(t.chars().count() <= 200);
            prop_assert_eq!(t.trim(), t.as_str());
            prop_assert!(!t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            prop_assert!(!looks_like_cpr(&t));
        }
    }

    #[test]
    fn a_cpr_number_is_refused_wherever_it_stands_in_a_text(
        day in 1u32..=28, month in 1u32..=12, year in 0u32..100, serial in 0u32..10_000,
        dash in any::<bool>(), before in "[a-zæøå ]{0,30}", after in "[a-zæøå ]{0,30}",
    ) {
        let cpr = if dash {
            format!("{day:02}{month:02}{year:02}-{serial:04}")
        } else {
            format!("{day:02}{month:02}{year:02}{serial:04}")
        };
        let text = format!("{before} {cpr} {after}");
        prop_assert_eq!(
            optional_text(&text, 1000),
            Err(crate::domain::DomainError::LooksLikeCpr)
        );
    }

    #[test]
    fn a_date_is_read_back_in_each_way_it_is_written(days in 0i64..73_000) {
        let date = chrono::NaiveDate::from_ymd_opt(1926, 1, 1).unwrap() + chrono::Duration::days(days);
        for f in ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"] {
            prop_assert_eq!(crate::contacts::parse_date(&date.format(f).to_string()), Some(date));
        }
    }

    #[test]
    fn form_decoding_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let f = FormData::parse(&bytes);
        let _ = (f.get("cvr"), f.all("segments"), f.checked("active"), f.token("idem"), f.optional_id("consultant_id"));
    }

    #[test]
    fn a_form_decodes_to_what_the_browser_encoded(
        pairs in prop::collection::vec(("[a-z_]{1,12}", "\\PC{0,40}|[\\x00-\\xff]{0,20}"), 0..12),
    ) {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .finish();
        let f = FormData::parse(body.as_bytes());
        for (k, _) in &pairs {
            let first = &pairs.iter().find(|(k2, _)| k2 == k).unwrap().1;
            prop_assert_eq!(f.get(k), first.as_str());
            let all: Vec<&str> = pairs.iter().filter(|(k2, _)| k2 == k).map(|(_, v)| v.as_str()).collect();
            prop_assert_eq!(f.all(k), all);
        }
    }
}
