//! Streaming reader for business import files in the shape of a CVR register export.
//!
//! Staff import lists of businesses that come from the CVR register's search export, from
//! Excel or from other systems. Such files arrive in UTF-8 (with or without BOM) or in
//! Windows-1252 (Danish Excel's "CSV"), with `,` or `;` between fields, and with Danish or
//! English headings. The reader copes with all of these and turns every data row into
//! either a fully validated [`ImportRow`] or a [`RowError`] that names the line and field,
//! so a user can fix the file and import it again.
//!
//! Files can be large (the whole municipality is about a million rows), so nothing is read
//! into memory beyond a 64 KiB prefix used to detect encoding and delimiter, and the row
//! being parsed.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, Chain, Cursor, Read};

use encoding_rs::WINDOWS_1252;
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};
use serde::Serialize;

use crate::domain::{
    CompanyForm, Cvr, DomainError, EmailAddress, IndustryCode, Lang, PNumber, Phone, PostalCode,
    SizeBand, optional_text, required_text,
};

/// How much of the file is inspected to detect the encoding and the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
/// A row longer than this means a broken file (typically a quote that is never closed,
/// which would otherwise swallow the rest of the file into one field and into memory).
const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// How much of an offending value a [`RowError`] keeps: enough to recognise it.
const ERROR_VALUE_CHARS: usize = 60;

const NAME_MAX: usize = 255;
const STREET_MAX: usize = 255;
const CITY_MAX: usize = 100;

/// One valid business from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRow {
    /// 1-based physical line where the record starts (the header is line 1).
    pub line: u64,
    pub cvr: Cvr,
    pub name: String,
    pub company_form: Option<CompanyForm>,
    pub street: Option<String>,
    pub postal_code: Option<PostalCode>,
    pub city: Option<String>,
    pub industry_code: Option<IndustryCode>,
    /// The exact number of employees when the file gives one ("12").
    pub employees: Option<u32>,
    /// The size band, from the exact number or from an interval ("10-19").
    pub size: Option<SizeBand>,
    /// Whether the business has asked not to be contacted for marketing
    /// (reklamebeskyttelse); an empty cell means no.
    pub advertising_protected: bool,
    pub p_number: Option<PNumber>,
    pub email: Option<EmailAddress>,
    pub phone: Option<Phone>,
}

/// A row that could not be imported, with enough detail to find and fix it in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
pub struct RowError {
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// The field (`"cvr"`, `"name"`, ...) that was wrong, or `None` when the row as a whole
    /// was (wrong number of fields, unreadable file).
    pub field: Option<&'static str>,
    pub error: DomainError,
    /// The offending value, shortened to 60 characters.
    pub value: String,
}

impl RowError {
    /// E.g. "linje 7: CVR-nummer «1234»: CVR-nummeret skal være 8 cifre."
    pub fn message(&self, lang: Lang) -> String {
        let line_word = lang.pick("linje", "line");
        let reason = self.error.message(lang);
        match self.field.and_then(Column::from_field) {
            Some(column) if self.value.is_empty() => {
                format!(
                    "{line_word} {}: {}: {reason}",
                    self.line,
                    column.label(lang)
                )
            }
            Some(column) => format!(
                "{line_word} {}: {} «{}»: {reason}",
                self.line,
                column.label(lang),
                self.value
            ),
            None => format!("{line_word} {}: {reason}", self.line),
        }
    }
}

/// Why a file cannot be imported at all.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
pub enum ImportError {
    Io(#[from] io::Error),
    /// The file is empty or has only blank lines.
    NoHeader,
    /// A required column (`"cvr"` or `"name"`) has no heading.
    MissingColumn(&'static str),
    /// Two headings name the same column, so it is unclear which one to use.
    DuplicateColumn(&'static str),
    /// The file is in an encoding we do not read (UTF-16 from Excel's "Unicode text").
    UnsupportedEncoding(&'static str),
}

impl ImportError {
    pub fn message(&self, lang: Lang) -> String {
        let label = |field: &str| {
            Column::from_field(field)
                .map(|c| c.label(lang))
                .unwrap_or_default()
        };
        match (self, lang) {
            (ImportError::Io(e), Lang::Da) => format!("Filen kunne ikke læses: {e}"),
            (ImportError::Io(e), Lang::En) => format!("The file could not be read: {e}"),
            (ImportError::NoHeader, Lang::Da) => {
                "Filen er tom eller mangler en overskriftsrække.".to_owned()
            }
            (ImportError::NoHeader, Lang::En) => {
                "The file is empty or has no header row.".to_owned()
            }
            (ImportError::MissingColumn(f), Lang::Da) => format!(
                "Filen mangler kolonnen «{}». Tilføj en kolonne med den overskrift.",
                label(f)
            ),
            (ImportError::MissingColumn(f), Lang::En) => format!(
                "The file has no \"{}\" column. Add a column with the heading \"{f}\".",
                label(f)
            ),
            (ImportError::DuplicateColumn(f), Lang::Da) => format!(
                "Filen har mere end én kolonne for «{}». Slet eller omdøb den ene.",
                label(f)
            ),
            (ImportError::DuplicateColumn(f), Lang::En) => format!(
                "The file has more than one \"{}\" column. Delete or rename one of them.",
                label(f)
            ),
            (ImportError::UnsupportedEncoding(enc), Lang::Da) => format!(
                "Filen er gemt som {enc}, som ikke kan læses. Gem den som «CSV UTF-8» i Excel."
            ),
            (ImportError::UnsupportedEncoding(enc), Lang::En) => format!(
                "The file is saved as {enc}, which cannot be read. Save it as \"CSV UTF-8\" in Excel."
            ),
        }
    }
}

/// The columns the importer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Cvr,
    Name,
    CompanyForm,
    Street,
    PostalCode,
    City,
    IndustryCode,
    Employees,
    AdvertisingProtected,
    PNumber,
    Email,
    Phone,
}

impl Column {
    const ALL: [Column; 12] = [
        Column::Cvr,
        Column::Name,
        Column::CompanyForm,
        Column::Street,
        Column::PostalCode,
        Column::City,
        Column::IndustryCode,
        Column::Employees,
        Column::AdvertisingProtected,
        Column::PNumber,
        Column::Email,
        Column::Phone,
    ];

    /// The field name used in [`RowError::field`] and [`ImportError::MissingColumn`]; the
    /// same as the [`ImportRow`] field.
    fn field(self) -> &'static str {
        match self {
            Column::Cvr => "cvr",
            Column::Name => "name",
            Column::CompanyForm => "company_form",
            Column::Street => "street",
            Column::PostalCode => "postal_code",
            Column::City => "city",
            Column::IndustryCode => "industry_code",
            Column::Employees => "employees",
            Column::AdvertisingProtected => "advertising_protected",
            Column::PNumber => "p_number",
            Column::Email => "email",
            Column::Phone => "phone",
        }
    }

    fn from_field(field: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.field() == field)
    }

    fn label(self, lang: Lang) -> &'static str {
        match self {
            Column::Cvr => lang.pick("CVR-nummer", "CVR number"),
            Column::Name => lang.pick("Navn", "Name"),
            Column::CompanyForm => lang.pick("Virksomhedsform", "Company form"),
            Column::Street => lang.pick("Adresse", "Address"),
            Column::PostalCode => lang.pick("Postnummer", "Postal code"),
            Column::City => lang.pick("By", "City"),
            Column::IndustryCode => lang.pick("Branchekode", "Industry code"),
            Column::Employees => lang.pick("Antal ansatte", "Employees"),
            Column::AdvertisingProtected => lang.pick("Reklamebeskyttet", "Advertising protected"),
            Column::PNumber => lang.pick("P-nummer", "P-number"),
            Column::Email => lang.pick("E-mail", "Email"),
            Column::Phone => lang.pick("Telefon", "Phone"),
        }
    }

    /// Headings that mean this column, in the form produced by [`normalise_heading`].
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Cvr => &["cvrnummer", "cvr", "cvrnr", "cvrno", "cvrnumber"],
            Column::Name => &[
                "navn",
                "name",
                "virksomhedsnavn",
                "firmanavn",
                "companyname",
            ],
            Column::CompanyForm => &[
                "virksomhedsform",
                "companyform",
                "selskabsform",
                "legalform",
            ],
            Column::Street => &[
                "adresse",
                "address",
                "vejnavn",
                "street",
                "beliggenhedsadresse",
            ],
            Column::PostalCode => &[
                "postnr",
                "postnummer",
                "postalcode",
                "postcode",
                "zip",
                "zipcode",
            ],
            Column::City => &["by", "postdistrikt", "city", "bynavn"],
            Column::IndustryCode => &[
                "branchekode",
                "hovedbranche",
                "hovedbranchekode",
                "industrycode",
                "industry",
                "db07",
            ],
            Column::Employees => &["antalansatte", "ansatte", "employees", "numberofemployees"],
            Column::AdvertisingProtected => &[
                "reklamebeskyttet",
                "reklamebeskyttelse",
                "advertisingprotected",
                "advertisingprotection",
            ],
            Column::PNumber => &["pnummer", "pnr", "pnumber", "pno"],
            Column::Email => &["email", "mail", "emailadresse", "emailaddress"],
            Column::Phone => &[
                "telefon",
                "telefonnummer",
                "telefonnr",
                "tlf",
                "tlfnr",
                "phone",
                "phonenumber",
            ],
        }
    }
}

/// Lowercases, spells æ/ø/å out and keeps only letters and digits, so "CVR-nummer",
/// "cvr_nummer" and "CVR nummer" all match, and so do "Postnr." and "postnr".
fn normalise_heading(heading: &str) -> String {
    let mut out = String::new();
    for c in heading.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// How the bytes of the file are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoding {
    /// The prefix had non-ASCII UTF-8 (or a BOM): a field that is not UTF-8 is an error.
    Utf8,
    /// The prefix was plain ASCII, so the encoding is not known yet. Fields are read as
    /// UTF-8, and a field that is not valid UTF-8 is taken to be Windows-1252, which is by
    /// far the likeliest explanation for such a file.
    Utf8OrWindows1252,
    /// The stream is decoded from Windows-1252 before parsing, so fields are always UTF-8.
    Windows1252,
}

type Prefixed<R> = Chain<Cursor<Vec<u8>>, R>;

/// The byte stream the CSV parser reads: the file itself, or the file decoded from
/// Windows-1252 to UTF-8.
enum Source<R: Read> {
    Raw(Prefixed<R>),
    Decoded(DecodeReaderBytes<Prefixed<R>, Vec<u8>>),
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Raw(r) => r.read(buf),
            Source::Decoded(r) => r.read(buf),
        }
    }
}

/// Keeps the bytes of the record being parsed so that the line where it starts can be
/// found, and caps how long a record may get.
///
/// The `csv` crate's own record position is where it started looking, which is before any
/// blank lines it skipped and, for CRLF files, before the `\n` of the previous line; import
/// errors must point at the right line, so the line is recomputed here from the bytes.
struct Tracked<S> {
    inner: S,
    /// Bytes read from `inner` that belong to the current record or later.
    pending: VecDeque<u8>,
    /// Stream offset of `pending[0]`.
    pending_offset: u64,
    /// Line breaks before `pending_offset`.
    breaks: u64,
    /// Whether the byte before `pending_offset` was `\r` (so a following `\n` is the same
    /// line break).
    after_cr: bool,
    /// Set when a record exceeded [`MAX_RECORD_BYTES`].
    too_long: bool,
}

impl<S: Read> Tracked<S> {
    fn new(inner: S) -> Self {
        Tracked {
            inner,
            pending: VecDeque::new(),
            pending_offset: 0,
            breaks: 0,
            after_cr: false,
            too_long: false,
        }
    }

    /// Forgets the bytes before stream offset `offset`, counting their line breaks.
    fn release(&mut self, offset: u64) {
        let wanted =
            usize::try_from(offset.saturating_sub(self.pending_offset)).unwrap_or(usize::MAX);
        let n = wanted.min(self.pending.len());
        for &b in self.pending.range(..n) {
            count_break(b, &mut self.breaks, &mut self.after_cr);
        }
        self.pending.drain(..n);
        self.pending_offset += n as u64;
    }

    /// The 1-based line of the first byte at or after `offset` that is not a line break:
    /// where the record read from `offset` starts.
    fn line_of_record_at(&mut self, offset: u64) -> u64 {
        self.release(offset);
        let mut breaks = self.breaks;
        let mut after_cr = self.after_cr;
        for &b in &self.pending {
            if b != b'\r' && b != b'\n' {
                break;
            }
            count_break(b, &mut breaks, &mut after_cr);
        }
        breaks + 1
    }
}

/// Counts `\n`, `\r\n` and a lone `\r` as one line break each.
fn count_break(b: u8, breaks: &mut u64, after_cr: &mut bool) {
    match b {
        b'\r' => *breaks += 1,
        b'\n' if !*after_cr => *breaks += 1,
        _ => {}
    }
    *after_cr = b == b'\r';
}

impl<S: Read> Read for Tracked<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.len() > MAX_RECORD_BYTES {
            self.too_long = true;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "record too long",
            ));
        }
        let n = self.inner.read(buf)?;
        self.pending.extend(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Reads an import file row by row. Construct with [`ImportReader::new`], which reads the
/// header, then iterate.
pub struct ImportReader<R: Read> {
    csv: csv::Reader<Tracked<Source<R>>>,
    record: csv::ByteRecord,
    decoding: Decoding,
    delimiter: u8,
    header_len: usize,
    /// Index in the record of each [`Column`], in the order of [`Column::ALL`].
    columns: [Option<usize>; 12],
    unknown_headings: Vec<String>,
    /// Set after a read error, which ends the iteration.
    done: bool,
}

impl<R: Read> ImportReader<R> {
    /// Detects encoding and delimiter and reads the header row.
    pub fn new(mut reader: R) -> Result<Self, ImportError> {
        let mut prefix = Vec::with_capacity(SNIFF_BYTES);
        (&mut reader)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut prefix)?;

        if prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF]) {
            return Err(ImportError::UnsupportedEncoding("UTF-16"));
        }
        let bom = prefix.starts_with(&[0xEF, 0xBB, 0xBF]);
        let body = if bom {
            prefix.get(3..).unwrap_or_default()
        } else {
            &prefix[..]
        };
        let decoding = if bom {
            Decoding::Utf8
        } else if body.is_ascii() {
            Decoding::Utf8OrWindows1252
        } else {
            match std::str::from_utf8(body) {
                Ok(_) => Decoding::Utf8,
                // A multi-byte character cut off by the end of the prefix is still UTF-8.
                Err(e) if e.error_len().is_none() => Decoding::Utf8,
                Err(_) => Decoding::Windows1252,
            }
        };
        let delimiter = sniff_delimiter(body);

        let mut cursor = Cursor::new(prefix);
        if bom {
            cursor.set_position(3);
        }
        let chained = cursor.chain(reader);
        let source = match decoding {
            Decoding::Windows1252 => Source::Decoded(
                DecodeReaderBytesBuilder::new()
                    .encoding(Some(WINDOWS_1252))
                    .build(chained),
            ),
            Decoding::Utf8 | Decoding::Utf8OrWindows1252 => Source::Raw(chained),
        };
        let csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(Tracked::new(source));

        let mut this = ImportReader {
            csv,
            record: csv::ByteRecord::new(),
            decoding,
            delimiter,
            header_len: 0,
            columns: [None; 12],
            unknown_headings: Vec::new(),
            done: false,
        };
        this.read_header()?;
        Ok(this)
    }

    fn read_header(&mut self) -> Result<(), ImportError> {
        loop {
            let start = self.csv.position().byte();
            self.csv.get_mut().release(start);
            match self.csv.read_byte_record(&mut self.record) {
                Ok(true) if is_blank(&self.record) => continue,
                Ok(true) => break,
                Ok(false) => return Err(ImportError::NoHeader),
                Err(e) => return Err(ImportError::Io(csv_to_io(e))),
            }
        }
        self.header_len = self.record.len();
        for (index, raw) in self.record.iter().enumerate() {
            let heading = decode_lossy(raw, self.decoding);
            let heading = heading.trim().trim_start_matches('\u{feff}').trim();
            let key = normalise_heading(heading);
            if key.is_empty() {
                continue;
            }
            let column = Column::ALL
                .into_iter()
                .find(|c| c.aliases().contains(&key.as_str()));
            match column {
                Some(column) => {
                    let Some(slot) = self.columns.get_mut(column as usize) else {
                        continue;
                    };
                    if slot.is_some() {
                        return Err(ImportError::DuplicateColumn(column.field()));
                    }
                    *slot = Some(index);
                }
                None => self.unknown_headings.push(heading.to_owned()),
            }
        }
        for required in [Column::Cvr, Column::Name] {
            if self.column_index(required).is_none() {
                return Err(ImportError::MissingColumn(required.field()));
            }
        }
        Ok(())
    }

    /// Headings that matched no known column, as written in the file, so the user can be
    /// told which columns were ignored.
    pub fn unknown_headings(&self) -> &[String] {
        &self.unknown_headings
    }

    /// The encoding the file is read in: "windows-1252" when the first 64 KiB were not
    /// UTF-8, otherwise "UTF-8".
    pub fn encoding(&self) -> &'static str {
        match self.decoding {
            Decoding::Utf8 | Decoding::Utf8OrWindows1252 => "UTF-8",
            Decoding::Windows1252 => "windows-1252",
        }
    }

    /// The field delimiter found in the header line: `b','` or `b';'`.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    fn column_index(&self, column: Column) -> Option<usize> {
        self.columns.get(column as usize).copied().flatten()
    }

    /// The text of a column in the current record; an absent column reads as empty.
    fn cell(&self, column: Column, line: u64) -> Result<Cow<'_, str>, RowError> {
        let Some(raw) = self.column_index(column).and_then(|i| self.record.get(i)) else {
            return Ok(Cow::Borrowed(""));
        };
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(_) if self.decoding == Decoding::Utf8OrWindows1252 => {
                Ok(WINDOWS_1252.decode_without_bom_handling(raw).0)
            }
            Err(_) => Err(RowError {
                line,
                field: Some(column.field()),
                error: DomainError::InvalidEncoding,
                value: shorten(&String::from_utf8_lossy(raw)),
            }),
        }
    }

    /// Parses one column of the current record with `parse`, attaching line, field and
    /// value to an error.
    fn field<T>(
        &self,
        column: Column,
        line: u64,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Result<T, RowError> {
        let text = self.cell(column, line)?;
        parse(&text).map_err(|error| RowError {
            line,
            field: Some(column.field()),
            error,
            value: shorten(text.trim()),
        })
    }

    fn parse_row(&self, line: u64) -> Result<ImportRow, RowError> {
        if self.record.len() != self.header_len {
            return Err(RowError {
                line,
                field: None,
                error: DomainError::FieldCount {
                    expected: self.header_len,
                    found: self.record.len(),
                },
                value: String::new(),
            });
        }
        let cvr = self.field(Column::Cvr, line, Cvr::parse)?;
        let name = self.field(Column::Name, line, |s| required_text(s, NAME_MAX))?;
        let company_form = self.field(Column::CompanyForm, line, |s| {
            optional(s, |s| {
                CompanyForm::from_text(s).ok_or(DomainError::CompanyFormUnknown)
            })
        })?;
        let street = self.field(Column::Street, line, |s| optional_text(s, STREET_MAX))?;
        let postal_code =
            self.field(Column::PostalCode, line, |s| optional(s, PostalCode::parse))?;
        let city = self.field(Column::City, line, |s| optional_text(s, CITY_MAX))?;
        let industry_code = self.field(Column::IndustryCode, line, |s| {
            optional(s, parse_industry_code)
        })?;
        let (employees, size) = self.field(Column::Employees, line, parse_employees)?;
        let advertising_protected = self.field(Column::AdvertisingProtected, line, parse_yes_no)?;
        let p_number = self.field(Column::PNumber, line, |s| optional(s, PNumber::parse))?;
        let email = self.field(Column::Email, line, |s| optional(s, EmailAddress::parse))?;
        let phone = self.field(Column::Phone, line, |s| optional(s, Phone::parse))?;
        Ok(ImportRow {
            line,
            cvr,
            name,
            company_form,
            street,
            postal_code,
            city,
            industry_code,
            employees,
            size,
            advertising_protected,
            p_number,
            email,
            phone,
        })
    }

    fn read_failed(&mut self, error: csv::Error, line: u64) -> RowError {
        self.done = true;
        let error = if self.csv.get_ref().too_long {
            DomainError::RecordTooLong {
                max_bytes: MAX_RECORD_BYTES,
            }
        } else {
            DomainError::ReadFailed(csv_to_io(error).to_string())
        };
        RowError {
            line,
            field: None,
            error,
            value: String::new(),
        }
    }
}

impl<R: Read> Iterator for ImportReader<R> {
    type Item = Result<ImportRow, RowError>;

    /// The next data row. A read error (or a runaway record) is reported once as a
    /// [`RowError`] and ends the iteration, since nothing after it can be trusted.
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let start = self.csv.position().byte();
            self.csv.get_mut().release(start);
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) if is_blank(&self.record) => continue,
                Ok(true) => {
                    let line = self.csv.get_mut().line_of_record_at(start);
                    return Some(self.parse_row(line));
                }
                Err(e) => {
                    let line = self.csv.get_mut().line_of_record_at(start);
                    return Some(Err(self.read_failed(e, line)));
                }
            }
        }
    }
}

/// Picks `;` or `,`, whichever occurs more often outside quotes in the first non-blank
/// line; a single-column file gets `,`.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut in_quotes = false;
    let mut seen_content = false;
    let (mut commas, mut semicolons) = (0usize, 0usize);
    for &b in bytes {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                seen_content = true;
            }
            b'\r' | b'\n' if !in_quotes => {
                if seen_content {
                    break;
                }
            }
            b',' if !in_quotes => {
                commas += 1;
                seen_content = true;
            }
            b';' if !in_quotes => {
                semicolons += 1;
                seen_content = true;
            }
            _ => seen_content = true,
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

fn is_blank(record: &csv::ByteRecord) -> bool {
    record
        .iter()
        .all(|field| field.iter().all(u8::is_ascii_whitespace))
}

fn decode_lossy(raw: &[u8], decoding: Decoding) -> Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) if decoding == Decoding::Utf8OrWindows1252 => {
            WINDOWS_1252.decode_without_bom_handling(raw).0
        }
        Err(_) => String::from_utf8_lossy(raw),
    }
}

fn csv_to_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}

/// At most [`ERROR_VALUE_CHARS`] characters, control characters shown as spaces, so the
/// value fits in an error list.
fn shorten(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(ERROR_VALUE_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if value.chars().nth(ERROR_VALUE_CHARS).is_some() {
        out.pop();
        out.push('…');
    }
    out
}

/// An empty cell is `None`; anything else must parse.
fn optional<T>(
    s: &str,
    parse: impl FnOnce(&str) -> Result<T, DomainError>,
) -> Result<Option<T>, DomainError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}

/// An industry code, also when the register's export writes its title after it
/// ("561010 Restauranter", "56.10.10 - Restauranter").
fn parse_industry_code(s: &str) -> Result<IndustryCode, DomainError> {
    let s = s.trim();
    match IndustryCode::parse(s) {
        Err(DomainError::IndustryCodeFormat) => {
            let end = s
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ' '))
                .unwrap_or(s.len());
            let code = s.get(..end).unwrap_or_default();
            let title = s.get(end..).unwrap_or_default();
            let titled = title
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '-' || c == '–');
            if titled && !code.trim().is_empty() {
                IndustryCode::parse(code)
            } else {
                Err(DomainError::IndustryCodeFormat)
            }
        }
        other => other,
    }
}

/// "12" gives the exact count and its band; an interval ("10-19") gives only the band.
fn parse_employees(s: &str) -> Result<(Option<u32>, Option<SizeBand>), DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok((None, None));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = s.parse().map_err(|_| DomainError::EmployeesFormat)?;
        return Ok((Some(n), Some(SizeBand::from_employees(n))));
    }
    SizeBand::parse_interval(s)
        .map(|band| (None, Some(band)))
        .ok_or(DomainError::EmployeesFormat)
}

/// Yes/no as Danish and English exports write it; an empty cell is no.
fn parse_yes_no(s: &str) -> Result<bool, DomainError> {
    match s.trim().to_lowercase().as_str() {
        "ja" | "yes" | "true" | "1" | "x" => Ok(true),
        "nej" | "no" | "false" | "0" | "" => Ok(false),
        _ => Err(DomainError::YesNoFormat),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DA_HEADER: &str = "CVR-nummer;Navn;Virksomhedsform;Adresse;Postnr.;By;Branchekode;Antal ansatte;Reklamebeskyttet;P-nummer;E-mail;Telefon";
    const EN_HEADER: &str = "cvr,name,company_form,address,postal_code,city,industry_code,employees,advertising_protected,p_number,email,phone";

    fn reader(bytes: &[u8]) -> ImportReader<&[u8]> {
        ImportReader::new(bytes).unwrap()
    }

    fn rows(bytes: &[u8]) -> Vec<Result<ImportRow, RowError>> {
        reader(bytes).collect()
    }

    fn ok_rows(bytes: &[u8]) -> Vec<ImportRow> {
        rows(bytes).into_iter().map(Result::unwrap).collect()
    }

    #[test]
    fn danish_headings_semicolon_windows_1252() {
        let text = format!(
            "{DA_HEADER}\r\n\
             10150817;Søren Ærø ApS;Anpartsselskab;Ørestads Boulevard 80;2300;København S;561010;12;ja;1012345678;info@sørenærø.dk;33 66 33 66\r\n\
             24256790;Bådebyggeriet Å/S;A/S;Frederiksborgvej 5;2400;København NV;56.10.10;10-19 ansatte;nej;;;\r\n"
        );
        let (bytes, _, had_errors) = WINDOWS_1252.encode(&text);
        assert!(!had_errors);
        assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
        let r = reader(&bytes);
        assert_eq!(r.encoding(), "windows-1252");
        assert_eq!(r.delimiter(), b';');
        assert!(r.unknown_headings().is_empty());
        let rows: Vec<ImportRow> = r.map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        let first = &rows[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.cvr.value(), 10_150_817);
        assert_eq!(first.name, "Søren Ærø ApS");
        assert_eq!(first.company_form, Some(CompanyForm::Aps));
        assert_eq!(first.street.as_deref(), Some("Ørestads Boulevard 80"));
        assert_eq!(first.postal_code.map(PostalCode::value), Some(2300));
        assert_eq!(first.city.as_deref(), Some("København S"));
        assert_eq!(first.industry_code.map(IndustryCode::value), Some(561_010));
        assert_eq!(first.employees, Some(12));
        assert_eq!(first.size, Some(SizeBand::From10To19));
        assert!(first.advertising_protected);
        assert_eq!(first.p_number.map(PNumber::value), Some(1_012_345_678));
        assert_eq!(
            first.email.as_ref().map(EmailAddress::as_str),
            Some("info@sørenærø.dk")
        );
        assert_eq!(
            first.phone.as_ref().map(Phone::as_str),
            Some("+45 33 66 33 66")
        );
        let second = &rows[1];
        assert_eq!(second.line, 3);
        assert_eq!(second.name, "Bådebyggeriet Å/S");
        assert_eq!(second.company_form, Some(CompanyForm::As));
        assert_eq!(second.employees, None);
        assert_eq!(second.size, Some(SizeBand::From10To19));
        assert!(!second.advertising_protected);
        assert_eq!(second.p_number, None);
        assert_eq!(second.email, None);
        assert_eq!(second.phone, None);
    }

    #[test]
    fn english_headings_comma_bom() {
        let text = format!(
            "\u{feff}{EN_HEADER}\n\
             25313763,\"Nordic Tech, ApS\",ApS,\"Njalsgade 76\",2300,Copenhagen S,620100,250+,no,,hello@nordic.example.com,+49 151 2345 6789\n"
        );
        let r = reader(text.as_bytes());
        assert_eq!(r.encoding(), "UTF-8");
        assert_eq!(r.delimiter(), b',');
        assert!(r.unknown_headings().is_empty());
        let rows: Vec<ImportRow> = r.map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.cvr.value(), 25_313_763);
        assert_eq!(row.name, "Nordic Tech, ApS");
        assert_eq!(row.size, Some(SizeBand::From250));
        assert_eq!(row.employees, None);
        assert_eq!(
            row.phone.as_ref().map(Phone::as_str),
            Some("+4915123456789")
        );
        assert_eq!(
            row.postal_code
                .and_then(|p| p.district(row.street.as_deref())),
            Some(crate::domain::District::AmagerVest)
        );
    }

    #[test]
    fn embedded_newlines_keep_line_numbers_right() {
        let text = "cvr;name;address\n\
                    10150817;\"Hansen \"\"Smed\"\" ApS\";\"Islands Brygge 43\n2. th\"\n\
                    \n\
                    1234;Broken;Somewhere\n\
                    24256790;\"Multi\n\nline\";x\n\
                    ;;\n\
                    25313763;Last;\"a\"\n";
        let rows = rows(text.as_bytes());
        assert_eq!(rows.len(), 4);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(first.name, "Hansen \"Smed\" ApS");
        assert_eq!(first.street.as_deref(), Some("Islands Brygge 43\n2. th"));
        let err = rows[1].as_ref().unwrap_err();
        assert_eq!(err.line, 5);
        assert_eq!(err.field, Some("cvr"));
        assert_eq!(err.error, DomainError::CvrFormat);
        assert_eq!(err.value, "1234");
        assert_eq!(
            err.message(Lang::Da),
            "linje 5: CVR-nummer «1234»: CVR-nummeret skal være 8 cifre."
        );
        assert_eq!(
            err.message(Lang::En),
            "line 5: CVR number «1234»: The CVR number must be 8 digits."
        );
        assert_eq!(rows[2].as_ref().unwrap().line, 6);
        assert_eq!(rows[3].as_ref().unwrap().line, 10);
    }

    #[test]
    fn crlf_and_lone_cr_line_numbers() {
        let crlf = "cvr,name\r\n\r\n10150817,\"A\r\nB\"\r\nbad,C\r\n\r\n24256790,D";
        let rows = rows(crlf.as_bytes());
        assert_eq!(rows[0].as_ref().unwrap().line, 3);
        assert_eq!(rows[1].as_ref().unwrap_err().line, 5);
        assert_eq!(rows[2].as_ref().unwrap().line, 7);
        let cr = "cvr,name\r10150817,A\r\rbad,B\r";
        let rows = super::tests::rows(cr.as_bytes());
        assert_eq!(rows[0].as_ref().unwrap().line, 2);
        assert_eq!(rows[1].as_ref().unwrap_err().line, 4);
    }

    #[test]
    fn header_after_blank_lines() {
        let text = "\n;;\n\ncvr;name;x\n10150817;A;1\n";
        let r = reader(text.as_bytes());
        assert_eq!(r.unknown_headings(), ["x"]);
        let rows: Vec<_> = r.collect();
        assert_eq!(rows[0].as_ref().unwrap().line, 5);
    }

    #[test]
    fn unknown_headings_are_reported_as_written() {
        let text = "CVR-nr.,Navn, Kontaktperson ,Hjemmeside,,Oprettet dato\n10150817,A,B,C,D,E\n";
        let r = reader(text.as_bytes());
        assert_eq!(
            r.unknown_headings(),
            ["Kontaktperson", "Hjemmeside", "Oprettet dato"]
        );
        assert_eq!(r.count(), 1);
    }

    #[test]
    fn heading_variants_match() {
        let headings = [
            ("cvr_nummer", "cvr"),
            ("CVR NR", "cvr"),
            ("Virksomhedsnavn", "name"),
            ("VIRKSOMHEDSFORM", "company_form"),
            ("Vejnavn", "street"),
            ("Postnummer", "postal_code"),
            ("ZIP", "postal_code"),
            ("Postdistrikt", "city"),
            ("Hovedbranche", "industry_code"),
            ("Ansatte", "employees"),
            ("Reklame-beskyttet", "advertising_protected"),
            ("PNR", "p_number"),
            ("e-mail", "email"),
            ("Telefonnummer", "phone"),
        ];
        for (heading, field) in headings {
            let column = Column::ALL
                .into_iter()
                .find(|c| c.aliases().contains(&normalise_heading(heading).as_str()));
            assert_eq!(column.map(Column::field), Some(field), "{heading}");
        }
    }

    #[test]
    fn missing_duplicate_and_empty() {
        let missing_cvr = ImportReader::new("Navn;Adresse\nA;B\n".as_bytes());
        assert!(matches!(
            missing_cvr,
            Err(ImportError::MissingColumn("cvr"))
        ));
        let missing_name = ImportReader::new("cvr,address\n10150817,B\n".as_bytes());
        assert!(matches!(
            missing_name,
            Err(ImportError::MissingColumn("name"))
        ));
        let duplicate = ImportReader::new("cvr,name,Email,E-mail\n".as_bytes());
        assert!(matches!(
            duplicate,
            Err(ImportError::DuplicateColumn("email"))
        ));
        for empty in ["", "\n\n", "\r\n;;;\r\n", "\u{feff}"] {
            let r = ImportReader::new(empty.as_bytes());
            assert!(matches!(r, Err(ImportError::NoHeader)), "{empty:?}");
        }
        let utf16 = ImportReader::new(&[0xFF, 0xFE, b'c', 0][..]);
        assert!(matches!(
            utf16,
            Err(ImportError::UnsupportedEncoding("UTF-16"))
        ));
        let e = ImportError::MissingColumn("cvr");
        assert_eq!(
            e.message(Lang::Da),
            "Filen mangler kolonnen «CVR-nummer». Tilføj en kolonne med den overskrift."
        );
        assert_eq!(
            e.to_string(),
            "The file has no \"CVR number\" column. Add a column with the heading \"cvr\"."
        );
    }

    #[test]
    fn header_only_gives_no_rows() {
        assert!(rows(format!("{EN_HEADER}\n").as_bytes()).is_empty());
    }

    #[test]
    fn each_bad_field_names_its_field() {
        // A valid row in EN_HEADER order; each case replaces one field.
        let good = [
            "10150817",
            "Hansen ApS",
            "ApS",
            "Vesterbrogade 1",
            "1620",
            "København V",
            "561010",
            "12",
            "nej",
            "1012345678",
            "a@b.dk",
            "12345678",
        ];
        let cases: &[(usize, &str, &str, DomainError)] = &[
            (0, "", "cvr", DomainError::Required),
            (0, "10150818", "cvr", DomainError::CvrChecksum),
            (0, "DK", "cvr", DomainError::CvrFormat),
            (1, "", "name", DomainError::Required),
            (1, "A\u{7}B", "name", DomainError::ControlCharacter),
            (2, "GmbH", "company_form", DomainError::CompanyFormUnknown),
            (3, "\u{1b}[2J", "street", DomainError::ControlCharacter),
            (4, "DK-1620", "postal_code", DomainError::PostalCodeFormat),
            (4, "0999", "postal_code", DomainError::PostalCodeRange),
            (5, "x\u{0}", "city", DomainError::ControlCharacter),
            (6, "5610", "industry_code", DomainError::IndustryCodeFormat),
            (
                6,
                "401000",
                "industry_code",
                DomainError::IndustryCodeUnknown,
            ),
            (7, "mange", "employees", DomainError::EmployeesFormat),
            (
                7,
                "99999999999999999999",
                "employees",
                DomainError::EmployeesFormat,
            ),
            (7, "-3", "employees", DomainError::EmployeesFormat),
            (
                8,
                "måske",
                "advertising_protected",
                DomainError::YesNoFormat,
            ),
            (9, "123", "p_number", DomainError::PNumberFormat),
            (10, "a@b", "email", DomainError::EmailFormat),
            (11, "1234", "phone", DomainError::PhoneFormat),
        ];
        let check = |values: &[&str]| {
            let text = format!("{EN_HEADER}\n{}\n", csv_line(values));
            rows(text.as_bytes()).remove(0)
        };
        assert!(check(&good).is_ok());
        for (index, value, field, error) in cases {
            let mut values = good;
            values[*index] = value;
            let err = check(&values).unwrap_err();
            assert_eq!(err.line, 2);
            assert_eq!(err.field, Some(*field), "{value:?}");
            assert_eq!(err.error, *error, "{value:?}");
        }
    }

    fn csv_line(values: &[&str]) -> String {
        values
            .iter()
            .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn cell_values() {
        let text = "cvr;name;reklamebeskyttet;ansatte;branchekode;virksomhedsform\n\
                    10150817;A;X;0;561010 Restauranter;Filial af udenlandsk aktieselskab, kommanditakties\n\
                    10150817;B;TRUE;ANTAL_20_49;56.10.10 - Restauranter;\n\
                    10150817;C;;;;\n\
                    10150817;D;1;250 og derover;;\n\
                    10150817;E;Yes;4000000000;;\n";
        let rows = ok_rows(text.as_bytes());
        assert!(rows[0].advertising_protected);
        assert_eq!(rows[0].employees, Some(0));
        assert_eq!(rows[0].size, Some(SizeBand::Zero));
        assert_eq!(
            rows[0].industry_code.map(IndustryCode::value),
            Some(561_010)
        );
        assert_eq!(rows[0].company_form, Some(CompanyForm::Filial));
        assert!(rows[1].advertising_protected);
        assert_eq!(rows[1].size, Some(SizeBand::From20To49));
        assert_eq!(
            rows[1].industry_code.map(IndustryCode::value),
            Some(561_010)
        );
        assert_eq!(rows[1].company_form, None);
        assert!(!rows[2].advertising_protected);
        assert_eq!((rows[2].employees, rows[2].size), (None, None));
        assert_eq!(rows[2].industry_code, None);
        assert_eq!(rows[3].size, Some(SizeBand::From250));
        assert_eq!(rows[4].employees, Some(4_000_000_000));
    }

    #[test]
    fn wrong_field_count_is_a_row_error() {
        let text = "cvr;name;city\n10150817;A\n10150817;A;B;C\n10150817;A;B\n";
        let rows = rows(text.as_bytes());
        let err = rows[0].as_ref().unwrap_err();
        assert_eq!(err.field, None);
        assert_eq!(
            err.error,
            DomainError::FieldCount {
                expected: 3,
                found: 2
            }
        );
        assert_eq!(
            err.message(Lang::Da),
            "linje 2: Rækken har 2 felter, men overskriften har 3."
        );
        assert_eq!(
            rows[1].as_ref().unwrap_err().error,
            DomainError::FieldCount {
                expected: 3,
                found: 4
            }
        );
        assert!(rows[2].is_ok());
    }

    #[test]
    fn long_values_are_shortened_in_errors() {
        let long = "ø".repeat(100);
        let text = format!("cvr;name\n{long};A\n");
        let err = rows(text.as_bytes()).remove(0).unwrap_err();
        assert_eq!(err.value.chars().count(), 60);
        assert!(err.value.ends_with('…'));
        let err = rows("cvr;name\n;A\n".as_bytes()).remove(0).unwrap_err();
        assert_eq!(
            err.message(Lang::En),
            "line 2: CVR number: This field is required."
        );
    }

    /// A file whose first 64 KiB show it is UTF-8, with a stray Windows-1252 byte later.
    #[test]
    fn invalid_utf8_after_the_prefix_is_a_row_error() {
        let mut bytes = b"cvr;name;city\n".to_vec();
        let mut line = 1;
        while bytes.len() < SNIFF_BYTES + 1000 {
            bytes.extend_from_slice("10150817;Jensen;Kø\n".as_bytes());
            line += 1;
        }
        bytes.extend_from_slice(b"10150817;J\xf8rgensen;K\n");
        bytes.extend_from_slice(b"10150817;Ok;K\xf8\n");
        bytes.extend_from_slice("24256790;Last;Kø\n".as_bytes());
        let r = reader(&bytes);
        assert_eq!(r.encoding(), "UTF-8");
        let rows: Vec<_> = r.collect();
        assert_eq!(rows.len() as u64, line - 1 + 3);
        let n = rows.len();
        let err = rows[n - 3].as_ref().unwrap_err();
        assert_eq!(err.line, line + 1);
        assert_eq!(err.field, Some("name"));
        assert_eq!(err.error, DomainError::InvalidEncoding);
        assert_eq!(err.value, "J\u{fffd}rgensen");
        assert_eq!(rows[n - 2].as_ref().unwrap_err().field, Some("city"));
        assert_eq!(rows[n - 1].as_ref().unwrap().line, line + 3);
    }

    /// A file that is plain ASCII for 64 KiB and has Windows-1252 letters later.
    #[test]
    fn ascii_prefix_then_windows_1252_is_decoded() {
        let mut bytes = b"cvr;name\n".to_vec();
        while bytes.len() < SNIFF_BYTES + 10 {
            bytes.extend_from_slice(b"10150817;Jensen\n");
        }
        bytes.extend_from_slice(b"10150817;J\xf8rgensen \xc6bler\n");
        let rows = ok_rows(&bytes);
        assert_eq!(rows.last().unwrap().name, "Jørgensen Æbler");
    }

    /// A multi-byte character split by the end of the 64 KiB prefix must not make the file
    /// look like Windows-1252.
    #[test]
    fn utf8_char_cut_at_prefix_end() {
        let mut bytes = "cvr;name\n10150817;Å\n".as_bytes().to_vec();
        while bytes.len() < SNIFF_BYTES - 30 {
            bytes.extend_from_slice(b"10150817;A\n");
        }
        // Pad so that "ø" starts on the last byte of the prefix.
        let pad = SNIFF_BYTES - 1 - bytes.len() - "10150817;".len();
        bytes.extend_from_slice(b"10150817;");
        bytes.extend(std::iter::repeat_n(b'x', pad));
        bytes.extend_from_slice("ø\n".as_bytes());
        assert_eq!(bytes[SNIFF_BYTES - 1], 0xC3);
        let r = reader(&bytes);
        assert_eq!(r.encoding(), "UTF-8");
        let rows: Vec<ImportRow> = r.map(Result::unwrap).collect();
        assert!(rows.last().unwrap().name.ends_with("xø"));
    }

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,2,3,4,5"), b';');
        assert_eq!(sniff_delimiter(b"a,b;c,d"), b',');
        assert_eq!(sniff_delimiter(b"\"Navn, fuldt\";\"CVR\"\n"), b';');
        assert_eq!(sniff_delimiter(b"\"a;b;c\",d\n"), b',');
        assert_eq!(sniff_delimiter(b"\r\n\r\na;b\n"), b';');
        assert_eq!(sniff_delimiter(b"cvr"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
        assert_eq!(sniff_delimiter(b"\"unclosed;quote\nx,y"), b',');
    }

    /// An unclosed quote would swallow the rest of the file into one field; the reader
    /// stops with an error instead of buffering it all.
    #[test]
    fn runaway_record_stops_the_import() {
        let mut bytes = b"cvr;name\n10150817;A\n10150817;\"never closed\n".to_vec();
        for _ in 0..100_000 {
            bytes.extend_from_slice(b"10150817;B\n");
        }
        let rows = rows(&bytes);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_ok());
        let err = rows[1].as_ref().unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(
            err.error,
            DomainError::RecordTooLong {
                max_bytes: MAX_RECORD_BYTES
            }
        );
    }

    /// A reader that fails part-way: the failure is reported once and ends the iteration.
    #[test]
    fn read_error_ends_iteration() {
        struct Failing {
            data: Vec<u8>,
            pos: usize,
        }
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let rest = self.data.get(self.pos..).unwrap_or_default();
                if rest.is_empty() {
                    return Err(io::Error::other("disk gone"));
                }
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                self.pos += n;
                Ok(n)
            }
        }
        let mut data = b"cvr;name\n".to_vec();
        let mut rows = 0;
        while data.len() < 2 * SNIFF_BYTES {
            data.extend_from_slice(b"10150817;A\n");
            rows += 1;
        }
        let results: Vec<_> = ImportReader::new(Failing { data, pos: 0 })
            .unwrap()
            .collect();
        assert_eq!(results.len(), rows + 1);
        assert!(results[..rows].iter().all(Result::is_ok));
        let err = results[rows].as_ref().unwrap_err();
        assert_eq!(err.line, rows as u64 + 2);
        assert_eq!(err.error, DomainError::ReadFailed("disk gone".to_owned()));
        assert!(err.message(Lang::Da).contains("disk gone"));

        let failing_at_start = Failing {
            data: Vec::new(),
            pos: 0,
        };
        assert!(matches!(
            ImportReader::new(failing_at_start),
            Err(ImportError::Io(_))
        ));
    }

    /// Generates rows on demand, so the test input is never in memory as a whole.
    struct Generated {
        next_row: u32,
        rows: u32,
        pending: Vec<u8>,
        pos: usize,
    }

    impl Read for Generated {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pos >= self.pending.len() {
                self.pending.clear();
                self.pos = 0;
                if self.next_row == 0 {
                    self.pending.extend_from_slice(DA_HEADER.as_bytes());
                    self.pending.extend_from_slice(b"\r\n");
                }
                while self.pending.len() < 4096 && self.next_row < self.rows {
                    let cvr = Cvr::with_check_digit(2_000_000 + self.next_row * 7)
                        .or_else(|| Cvr::with_check_digit(2_000_000 + self.next_row * 7 + 1))
                        .unwrap();
                    let line = format!(
                        "{cvr};\"Virksomhed nr. {n}\";ApS;\"Vesterbrogade {n}\";1620;København V;620100;{n};nej;;kontakt{n}@example.dk;{phone}\r\n",
                        n = self.next_row,
                        phone = 20_000_000 + self.next_row,
                    );
                    self.pending.extend_from_slice(line.as_bytes());
                    self.next_row += 1;
                }
            }
            let available = self.pending.get(self.pos..).unwrap_or_default();
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            self.pos += n;
            Ok(n)
        }
    }

    #[test]
    fn streams_200k_rows() {
        let source = Generated {
            next_row: 0,
            rows: 200_000,
            pending: Vec::new(),
            pos: 0,
        };
        let r = ImportReader::new(source).unwrap();
        assert_eq!(r.encoding(), "UTF-8");
        let mut count = 0u64;
        for row in r {
            let row = row.unwrap();
            count += 1;
            assert_eq!(row.line, count + 1);
        }
        assert_eq!(count, 200_000);
    }
}
