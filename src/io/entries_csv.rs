//! The registration CSV: its columns, the parsing and validation of an uploaded
//! file (every problem of every row is reported at once), and the export of a
//! contest's entries.
//!
//! Identity-document numbers are never repeated in error messages.

use crate::engine::identity::{
    normalise_id_number, parse_resident_id, validate_other_id, ResidentId,
};
use crate::engine::model::{Gender, Group, IdKind, SkillLevel, Vocabulary};
pub use crate::engine::registration::{RegistrationRow, RowError};
use chrono::NaiveDate;
use csv::StringRecord;
use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::Write;

/// The most data rows one file may have.
pub const MAX_ROWS: usize = 500_000;

const MAX_NAME_CHARS: usize = 50;
const MAX_TEAM_CHARS: usize = 50;
const MAX_ORGANISATION_CHARS: usize = 100;
const MAX_START_NUMBER_CHARS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    StartNumber,
    Team,
    Name,
    IdType,
    IdNumber,
    BirthDate,
    Gender,
    Organisation,
    Group,
    SkillLevel,
}

const COLUMNS: [Column; 10] = [
    Column::StartNumber,
    Column::Team,
    Column::Name,
    Column::IdType,
    Column::IdNumber,
    Column::BirthDate,
    Column::Gender,
    Column::Organisation,
    Column::Group,
    Column::SkillLevel,
];

impl Column {
    fn name(self) -> &'static str {
        self.headers()[0]
    }

    /// Every accepted header: the canonical English name first.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Column::StartNumber => &["start_number", "参赛号"],
            Column::Team => &["team", "队名"],
            Column::Name => &["name", "姓名"],
            Column::IdType => &["id_type", "证件类型"],
            Column::IdNumber => &["id_number", "证件号码", "身份证号", "身份证号码"],
            Column::BirthDate => &["birth_date", "出生日期"],
            Column::Gender => &["gender", "性别"],
            Column::Organisation => &["organisation", "单位"],
            Column::Group => &["group", "组别"],
            Column::SkillLevel => &["skill_level", "技能等级"],
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            Column::Name | Column::IdNumber | Column::Organisation | Column::Group
        )
    }

    fn from_header(header: &str) -> Option<Column> {
        COLUMNS
            .into_iter()
            .find(|c| c.headers().iter().any(|h| h.eq_ignore_ascii_case(header)))
    }

    /// Orders a row's errors left to right; whole-row errors come first.
    fn rank(name: &str) -> usize {
        COLUMNS
            .iter()
            .position(|c| c.name() == name)
            .map_or(0, |i| i + 1)
    }
}

/// Reads, checks and returns every data row of a registration file, or every
/// problem found in it. Nothing is returned unless the whole file is valid.
pub fn parse_entries(text: &str) -> Result<Vec<RegistrationRow>, Vec<RowError>> {
    parse_with_limit(text, MAX_ROWS)
}

fn parse_with_limit(text: &str, max_rows: usize) -> Result<Vec<RegistrationRow>, Vec<RowError>> {
    let mut records = Records::new(text);
    let Some(header_row) = records.next().map_err(|e| vec![e])? else {
        return Err(vec![RowError::new(
            1,
            "",
            "the file is empty: it needs a header row naming the columns".to_string(),
        )]);
    };
    let mut errors = Vec::new();
    let layout = Layout::read(&records.record, header_row, &mut errors);
    let (valid, invalid) = read_rows(&mut records, &layout, max_rows, &mut errors)?;
    check_across_rows(&valid, &invalid, &mut errors);
    if errors.is_empty() {
        Ok(valid)
    } else {
        errors.sort_by_key(|e| (e.row, Column::rank(&e.column)));
        Err(errors)
    }
}

/// Checks every data row; fails alone, with a single error, past `max_rows`.
fn read_rows(
    records: &mut Records<'_>,
    layout: &Layout,
    max_rows: usize,
    errors: &mut Vec<RowError>,
) -> Result<(Vec<RegistrationRow>, Vec<PartialRow>), Vec<RowError>> {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    let mut count = 0;
    loop {
        let row = match records.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                errors.push(e);
                break;
            }
        };
        count += 1;
        if count > max_rows {
            return Err(vec![too_many_rows(row, max_rows)]);
        }
        match parse_row(layout, &records.record, row, errors) {
            Ok(parsed) => valid.push(parsed),
            Err(Some(partial)) => invalid.push(partial),
            Err(None) => {}
        }
    }
    Ok((valid, invalid))
}

/// The records of a file that are not blank, with their row numbers.
struct Records<'t> {
    reader: csv::Reader<&'t [u8]>,
    record: StringRecord,
    rows: RowCounter<'t>,
}

impl<'t> Records<'t> {
    fn new(text: &'t str) -> Self {
        Records {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes()),
            record: StringRecord::new(),
            rows: RowCounter {
                text: text.as_bytes(),
                last_row: 0,
            },
        }
    }

    /// Reads the next record that is not blank into `self.record` and gives its
    /// row number; `None` at the end of the file.
    fn next(&mut self) -> Result<Option<usize>, RowError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    let row = self.rows.row_of(&self.record);
                    if !self.record.iter().all(|f| f.trim().is_empty()) {
                        return Ok(Some(row));
                    }
                }
                Err(e) => {
                    let row = self.rows.last_row + 1;
                    return Err(RowError::new(
                        row,
                        "",
                        format!("the file could not be read as CSV: {e}"),
                    ));
                }
            }
        }
    }
}

/// Counts spreadsheet rows: every line is a row, blank ones included, except
/// that a quoted field spanning several lines keeps its record on one row. The
/// csv crate's own line numbers go wrong after blank lines and with CRLF line
/// ends, so rows are counted from the records' byte offsets instead: the csv
/// crate reports a record as starting right after the line end of the record
/// before, so only the blank lines in between need counting.
struct RowCounter<'t> {
    text: &'t [u8],
    /// The row of the last record read; 0 before the first.
    last_row: usize,
}

impl RowCounter<'_> {
    fn row_of(&mut self, record: &StringRecord) -> usize {
        let reported = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .min(self.text.len());
        let rest = self.text.get(reported..).unwrap_or(&[]);
        let start = reported + rest.iter().take_while(|&&b| is_line_end(b)).count();
        let row = if self.last_row == 0 {
            // Only blank lines come before the first record.
            1 + count_line_ends(self.text.get(..start).unwrap_or(&[]))
        } else {
            let from = reported.saturating_sub(1);
            let gap = self.text.get(from..start).unwrap_or(&[]);
            let ends_previous =
                usize::from(reported > 0 && gap.first().is_some_and(|&b| is_line_end(b)));
            (self.last_row + 1 + count_line_ends(gap)).saturating_sub(ends_previous)
        };
        self.last_row = row;
        row
    }
}

fn is_line_end(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

/// Counts CRLF, LF and lone CR line ends.
fn count_line_ends(bytes: &[u8]) -> usize {
    let count = |wanted: u8| bytes.iter().filter(|&&b| b == wanted).count();
    let line_feeds = count(b'\n');
    let returns = count(b'\r');
    if returns == 0 {
        return line_feeds;
    }
    let pairs = bytes.windows(2).filter(|w| w == b"\r\n").count();
    line_feeds + returns - pairs
}

fn too_many_rows(row: usize, max_rows: usize) -> RowError {
    RowError::new(
        row,
        "",
        format!("the file has more than {max_rows} data rows; split it into smaller files"),
    )
}

/// Where each column is in the file.
struct Layout {
    width: usize,
    positions: [Option<usize>; COLUMNS.len()],
    /// Fields with an empty header: tolerated as long as they stay empty.
    unnamed: Vec<usize>,
}

impl Layout {
    fn read(header: &StringRecord, row: usize, errors: &mut Vec<RowError>) -> Layout {
        let mut layout = Layout {
            width: header.len(),
            positions: [None; COLUMNS.len()],
            unnamed: Vec::new(),
        };
        for (at, raw) in header.iter().enumerate() {
            let text = raw.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                layout.unnamed.push(at);
                continue;
            }
            match Column::from_header(text) {
                Some(column) => layout.place(column, at, text, header, row, errors),
                None => errors.push(unknown_column(row, text)),
            }
        }
        layout.require_columns(row, errors);
        layout
    }

    fn place(
        &mut self,
        column: Column,
        at: usize,
        text: &str,
        header: &StringRecord,
        row: usize,
        errors: &mut Vec<RowError>,
    ) {
        match self.positions[column as usize] {
            Some(first) => errors.push(RowError::new(
                row,
                column.name(),
                format!(
                    "column '{}' appears twice: as '{}' in field {} and as '{text}' in field {}",
                    column.name(),
                    header.get(first).unwrap_or("").trim(),
                    first + 1,
                    at + 1
                ),
            )),
            None => self.positions[column as usize] = Some(at),
        }
    }

    fn require_columns(&self, row: usize, errors: &mut Vec<RowError>) {
        for column in COLUMNS {
            if column.required() && !self.has(column) {
                errors.push(RowError::new(
                    row,
                    column.name(),
                    format!(
                        "the required column '{}' ({}) is missing",
                        column.name(),
                        column.headers()[1]
                    ),
                ));
            }
        }
    }

    fn has(&self, column: Column) -> bool {
        self.positions[column as usize].is_some()
    }
}

fn unknown_column(row: usize, text: &str) -> RowError {
    let known: Vec<String> = COLUMNS.iter().map(|c| c.headers().join("/")).collect();
    RowError::new(
        row,
        "",
        format!(
            "unknown column '{text}' (known columns: {})",
            known.join(", ")
        ),
    )
}

/// The trimmed fields of one record, by column.
struct Fields<'a> {
    record: &'a StringRecord,
    layout: &'a Layout,
}

impl<'a> Fields<'a> {
    /// The trimmed value, or "" when the column is absent.
    fn get(&self, column: Column) -> &'a str {
        self.layout.positions[column as usize]
            .and_then(|at| self.record.get(at))
            .map_or("", str::trim)
    }
}

/// Collects the errors of one row.
struct RowErrors<'e> {
    row: usize,
    errors: &'e mut Vec<RowError>,
    found: bool,
}

impl RowErrors<'_> {
    fn push(&mut self, column: &str, message: String) {
        self.found = true;
        self.errors.push(RowError::new(self.row, column, message));
    }

    /// The value, or `None` after recording the error.
    fn take<T>(&mut self, column: Column, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.push(column.name(), message))
            .ok()
    }
}

/// A row's values, each `None` where it was invalid; the optional columns hold
/// `Some(None)` when left empty.
struct Parsed {
    start_number: Option<Option<String>>,
    team: Option<Option<String>>,
    name: Option<String>,
    id: Option<(IdKind, String)>,
    birth_date: Option<NaiveDate>,
    gender: Option<Gender>,
    organisation: Option<String>,
    group: Option<Group>,
    skill_level: Option<Option<SkillLevel>>,
}

/// What the checks across rows need from a row that has errors of its own.
struct PartialRow {
    row: usize,
    id: Option<(IdKind, String)>,
    team: Option<Option<String>>,
    start_number: Option<Option<String>>,
    organisation: Option<String>,
}

/// A valid row, or, when the row has errors, what can still be checked against
/// other rows (nothing when its fields cannot be trusted at all).
fn parse_row(
    layout: &Layout,
    record: &StringRecord,
    row: usize,
    errors: &mut Vec<RowError>,
) -> Result<RegistrationRow, Option<PartialRow>> {
    let mut errs = RowErrors {
        row,
        errors,
        found: false,
    };
    if record.len() != layout.width {
        errs.push(
            "",
            format!(
                "the row has {} fields but the header has {}",
                record.len(),
                layout.width
            ),
        );
        return Err(None);
    }
    check_unnamed(layout, record, &mut errs);
    let fields = Fields { record, layout };
    let parsed = parse_fields(&fields, &mut errs);
    let found = errs.found;
    assemble(parsed, row, found)
}

fn check_unnamed(layout: &Layout, record: &StringRecord, errs: &mut RowErrors<'_>) {
    for &at in &layout.unnamed {
        if record.get(at).is_some_and(|v| !v.trim().is_empty()) {
            errs.push(
                "",
                format!("field {} has a value but its column has no header", at + 1),
            );
        }
    }
}

fn parse_fields(fields: &Fields<'_>, errs: &mut RowErrors<'_>) -> Parsed {
    use Column as C;
    let (id, identity) = parse_identity(fields, errs);
    Parsed {
        start_number: errs.take(
            C::StartNumber,
            parse_start_number(fields.get(C::StartNumber)),
        ),
        team: errs.take(C::Team, parse_team(fields.get(C::Team))),
        name: errs.take(C::Name, parse_name(fields.get(C::Name))),
        id,
        birth_date: resolve_birth_date(fields, &identity, errs),
        gender: resolve_gender(fields, &identity, errs),
        organisation: errs.take(
            C::Organisation,
            parse_organisation(fields.get(C::Organisation)),
        ),
        group: errs.take(C::Group, parse_group(fields.get(C::Group))),
        skill_level: errs.take(C::SkillLevel, parse_skill_level(fields.get(C::SkillLevel))),
    }
}

/// The document kind and normalised number, and what the document says about
/// its holder.
fn parse_identity(
    fields: &Fields<'_>,
    errs: &mut RowErrors<'_>,
) -> (Option<(IdKind, String)>, Derived) {
    let text = fields.get(Column::IdNumber);
    let Some(kind) = errs.take(Column::IdType, parse_id_kind(fields.get(Column::IdType))) else {
        if text.is_empty() {
            errs.push(Column::IdNumber.name(), MISSING_ID_NUMBER.to_string());
        }
        return (None, Derived::Unknown);
    };
    match errs.take(Column::IdNumber, parse_id_number(kind, text)) {
        None => (None, Derived::Unknown),
        Some((number, Some(resident))) => (Some((kind, number)), Derived::Resident(resident)),
        Some((number, None)) => (Some((kind, number)), Derived::NotResident(kind)),
    }
}

fn assemble(
    parsed: Parsed,
    row: usize,
    found: bool,
) -> Result<RegistrationRow, Option<PartialRow>> {
    let partial = |p: Parsed| PartialRow {
        row,
        id: p.id,
        team: p.team,
        start_number: p.start_number,
        organisation: p.organisation,
    };
    if found {
        return Err(Some(partial(parsed)));
    }
    match parsed {
        Parsed {
            start_number: Some(start_number),
            team: Some(team),
            name: Some(name),
            id: Some((id_kind, id_number)),
            birth_date: Some(birth_date),
            gender: Some(gender),
            organisation: Some(organisation),
            group: Some(group),
            skill_level: Some(skill_level),
        } => Ok(RegistrationRow {
            row,
            start_number,
            team,
            name,
            id_kind,
            id_number,
            birth_date,
            gender,
            organisation,
            group,
            skill_level,
        }),
        incomplete => Err(Some(partial(incomplete))),
    }
}

/// What the identity document says about birth date and gender.
enum Derived {
    Resident(ResidentId),
    NotResident(IdKind),
    /// The id type or number is invalid: already reported.
    Unknown,
}

fn resolve_birth_date(
    fields: &Fields<'_>,
    identity: &Derived,
    errs: &mut RowErrors<'_>,
) -> Option<NaiveDate> {
    let column = Column::BirthDate;
    let text = fields.get(column);
    let given = errs.take(column, parse_birth_date(text))?;
    match (given, identity) {
        (Some(date), Derived::Resident(id)) if date != id.birth_date => {
            errs.push(
                column.name(),
                format!(
                    "birth date '{text}' does not match the id number, which gives {}",
                    id.birth_date.format("%Y-%m-%d")
                ),
            );
            None
        }
        (Some(date), _) => Some(date),
        (None, Derived::Resident(id)) => Some(id.birth_date),
        (None, Derived::NotResident(kind)) => {
            errs.push(
                column.name(),
                missing_for(fields, column, "birth date", *kind),
            );
            None
        }
        (None, Derived::Unknown) => None,
    }
}

fn resolve_gender(
    fields: &Fields<'_>,
    identity: &Derived,
    errs: &mut RowErrors<'_>,
) -> Option<Gender> {
    let column = Column::Gender;
    let text = fields.get(column);
    let given = errs.take(column, parse_gender(text))?;
    match (given, identity) {
        (Some(gender), Derived::Resident(id)) if gender != id.gender => {
            errs.push(
                column.name(),
                format!(
                    "gender '{text}' does not match the id number, which gives {}",
                    id.gender
                ),
            );
            None
        }
        (Some(gender), _) => Some(gender),
        (None, Derived::Resident(id)) => Some(id.gender),
        (None, Derived::NotResident(kind)) => {
            errs.push(column.name(), missing_for(fields, column, "gender", *kind));
            None
        }
        (None, Derived::Unknown) => None,
    }
}

fn missing_for(fields: &Fields<'_>, column: Column, what: &str, kind: IdKind) -> String {
    let hint = if fields.layout.has(column) {
        String::new()
    } else {
        format!(" (the file has no {} column)", column.name())
    };
    format!("the {what} is required when the id type is {kind}{hint}")
}

fn parse_start_number(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let len = text.chars().count();
    if len > MAX_START_NUMBER_CHARS {
        return Err(format!(
            "start number '{text}' has {len} characters (at most {MAX_START_NUMBER_CHARS})"
        ));
    }
    if !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(format!(
            "start number '{text}' may contain only letters, digits and '-'"
        ));
    }
    Ok(Some(text.to_string()))
}

fn parse_team(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    check_text("team name", text, MAX_TEAM_CHARS).map(Some)
}

fn parse_name(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("the name is missing".to_string());
    }
    check_text("name", text, MAX_NAME_CHARS)
}

fn parse_organisation(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("the organisation is missing".to_string());
    }
    check_text("organisation", text, MAX_ORGANISATION_CHARS)
}

/// A free-text value: at most `max` characters and no control characters.
fn check_text(what: &str, text: &str, max: usize) -> Result<String, String> {
    // A character takes at least one byte, so short text needs no counting.
    let len = if text.len() <= max {
        text.len()
    } else {
        text.chars().count()
    };
    if len > max {
        return Err(format!(
            "{what} '{text}' has {len} characters (at most {max})"
        ));
    }
    if let Some(c) = find_control(text) {
        return Err(format!(
            "{what} '{}' contains a control character (U+{:04X})",
            text.escape_debug(),
            u32::from(c)
        ));
    }
    Ok(text.to_string())
}

fn find_control(text: &str) -> Option<char> {
    // C0 controls and DEL are single bytes; C1 controls start with 0xC2.
    let suspect = text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2);
    if suspect {
        text.chars().find(|c| c.is_control())
    } else {
        None
    }
}

fn parse_id_kind(text: &str) -> Result<IdKind, String> {
    if text.is_empty() {
        return Ok(IdKind::ResidentId);
    }
    const ALIASES: &[(&str, IdKind)] = &[
        ("居民身份证", IdKind::ResidentId),
        ("身份证", IdKind::ResidentId),
        ("护照", IdKind::Passport),
        ("其他", IdKind::Other),
        ("其它", IdKind::Other),
    ];
    lookup(text, ALIASES).ok_or_else(|| {
        format!(
            "unknown id type '{text}' (expected resident_id/居民身份证/身份证, \
             passport/护照 or other/其他)"
        )
    })
}

const MISSING_ID_NUMBER: &str = "the id number is missing";

/// The normalised number, with what it says about its holder when it is a
/// resident identity number.
fn parse_id_number(kind: IdKind, text: &str) -> Result<(String, Option<ResidentId>), String> {
    if text.is_empty() {
        return Err(MISSING_ID_NUMBER.to_string());
    }
    if looks_like_scientific_notation(text) {
        return Err(format!(
            "the id number was turned into a number ('{text}') by the spreadsheet; \
             format the column as text and enter the numbers again"
        ));
    }
    let number = normalise_id_number(text);
    let checked = match kind {
        IdKind::ResidentId => parse_resident_id(&number).map(Some),
        IdKind::Passport | IdKind::Other => validate_other_id(&number).map(|()| None),
    };
    match checked {
        Ok(resident) => Ok((number, resident)),
        Err(reason) => Err(format!("invalid {} number: {reason}", kind_label(kind))),
    }
}

fn kind_label(kind: IdKind) -> &'static str {
    match kind {
        IdKind::ResidentId => "resident id",
        IdKind::Passport => "passport",
        IdKind::Other => "identity document",
    }
}

/// Spreadsheets show long numbers like `1.10105E+17`.
fn looks_like_scientific_notation(text: &str) -> bool {
    if !text.as_bytes().contains(&b'+') {
        return false;
    }
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let Some(exponent) = exponent.strip_prefix('+') else {
        return false;
    };
    let all = |s: &str, ok: fn(u8) -> bool| !s.is_empty() && s.bytes().all(ok);
    all(mantissa, |b| b.is_ascii_digit() || b == b'.') && all(exponent, |b| b.is_ascii_digit())
}

/// Accepts YYYY-MM-DD, YYYY/M/D, YYYY.M.D (months and days with one or two
/// digits, whatever the separator) and YYYYMMDD.
fn parse_birth_date(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_date(text)
        .map(Some)
        .ok_or_else(|| format!("birth date '{text}' is not a date (expected YYYY-MM-DD)"))
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let (year, month, day) = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        (&text[..4], &text[4..6], &text[6..])
    } else {
        let separator = text.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        let mut parts = text.split(separator);
        let parts = (parts.next()?, parts.next()?, parts.next()?, parts.next());
        match parts {
            (year, month, day, None) => (year, month, day),
            _ => return None,
        }
    };
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

fn parse_gender(text: &str) -> Result<Option<Gender>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    const ALIASES: &[(&str, Gender)] = &[
        ("男", Gender::Male),
        ("女", Gender::Female),
        ("m", Gender::Male),
        ("f", Gender::Female),
    ];
    lookup(text, ALIASES)
        .map(Some)
        .ok_or_else(|| format!("unknown gender '{text}' (expected 男, 女, M, F, male or female)"))
}

fn parse_group(text: &str) -> Result<Group, String> {
    if text.is_empty() {
        return Err("the group is missing (expected 职工/employee or 学生/student)".to_string());
    }
    const ALIASES: &[(&str, Group)] = &[("职工", Group::Employee), ("学生", Group::Student)];
    lookup(text, ALIASES)
        .ok_or_else(|| format!("unknown group '{text}' (expected 职工/employee or 学生/student)"))
}

fn parse_skill_level(text: &str) -> Result<Option<SkillLevel>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(level) = SkillLevel::parse_any(text) {
        return Ok(Some(level));
    }
    lookup::<SkillLevel>(text, &[]).map(Some).ok_or_else(|| {
        let allowed: Vec<String> = SkillLevel::ALL
            .iter()
            .map(|l| format!("{}/{}", l.code(), l.name_zh()))
            .collect();
        format!(
            "unknown skill level '{text}' (expected one of: {})",
            allowed.join(", ")
        )
    })
}

/// A vocabulary value by its code or an alias, ignoring ASCII case.
fn lookup<V: Vocabulary>(text: &str, aliases: &[(&str, V)]) -> Option<V> {
    V::ALL
        .iter()
        .copied()
        .find(|v| v.code().eq_ignore_ascii_case(text))
        .or_else(|| {
            aliases
                .iter()
                .find(|(alias, _)| alias.eq_ignore_ascii_case(text))
                .map(|&(_, v)| v)
        })
}

/// What the checks across rows look at in one row; `None` where the row's own
/// value was invalid (and so already reported).
#[derive(Clone, Copy)]
enum Facts<'a> {
    Valid(&'a RegistrationRow),
    Partial(&'a PartialRow),
}

impl<'a> Facts<'a> {
    fn row(self) -> usize {
        match self {
            Facts::Valid(r) => r.row,
            Facts::Partial(p) => p.row,
        }
    }

    fn id(self) -> Option<(IdKind, &'a str)> {
        match self {
            Facts::Valid(r) => Some((r.id_kind, r.id_number.as_str())),
            Facts::Partial(p) => p.id.as_ref().map(|(kind, number)| (*kind, number.as_str())),
        }
    }

    fn team(self) -> Option<Option<&'a str>> {
        match self {
            Facts::Valid(r) => Some(r.team.as_deref()),
            Facts::Partial(p) => p.team.as_ref().map(Option::as_deref),
        }
    }

    fn start_number(self) -> Option<Option<&'a str>> {
        match self {
            Facts::Valid(r) => Some(r.start_number.as_deref()),
            Facts::Partial(p) => p.start_number.as_ref().map(Option::as_deref),
        }
    }

    fn organisation(self) -> Option<&'a str> {
        match self {
            Facts::Valid(r) => Some(r.organisation.as_str()),
            Facts::Partial(p) => p.organisation.as_deref(),
        }
    }
}

/// Checks that involve more than one row: the same person twice, start
/// numbers shared between entries, and the members of a team disagreeing.
fn check_across_rows(
    valid: &[RegistrationRow],
    invalid: &[PartialRow],
    errors: &mut Vec<RowError>,
) {
    let mut facts: Vec<Facts<'_>> = valid
        .iter()
        .map(Facts::Valid)
        .chain(invalid.iter().map(Facts::Partial))
        .collect();
    if !invalid.is_empty() {
        facts.sort_by_key(|f| f.row());
    }
    check_people(&facts, errors);
    check_start_numbers(&facts, errors);
    check_teams(&facts, errors);
}

/// The same identity document on two rows. Rows are grouped by sorting hashes
/// of their ids, which is quicker than a hash map for a set this size.
fn check_people(facts: &[Facts<'_>], errors: &mut Vec<RowError>) {
    let state = RandomState::new();
    let mut order: Vec<(u64, usize)> = facts
        .iter()
        .enumerate()
        .filter_map(|(at, f)| Some((state.hash_one(f.id()?), at)))
        .collect();
    order.sort_unstable();
    for same_hash in order
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        let rows = same_hash
            .iter()
            .filter_map(|&(_, at)| facts.get(at).copied());
        report_duplicates(rows, errors);
    }
}

/// `rows`, in file order, have ids with the same hash: nearly always the same
/// id, but different ids can share a hash.
fn report_duplicates<'a>(rows: impl Iterator<Item = Facts<'a>>, errors: &mut Vec<RowError>) {
    let mut firsts: Vec<(Option<(IdKind, &str)>, usize)> = Vec::new();
    for f in rows {
        let id = f.id();
        match firsts.iter().find(|(first_id, _)| *first_id == id) {
            Some(&(_, first)) => errors.push(RowError::new(
                f.row(),
                Column::IdNumber.name(),
                format!("the same person as row {first} (the same id number)"),
            )),
            None => firsts.push((id, f.row())),
        }
    }
}

/// One start number belongs to one entry: a person on their own, or a team.
/// Members of a team usually follow each other, and then need no look-up.
fn check_start_numbers(facts: &[Facts<'_>], errors: &mut Vec<RowError>) {
    let mut owners: HashMap<&str, (usize, Option<&str>)> = HashMap::with_capacity(facts.len());
    let mut previous: Option<(&str, &str, Option<usize>)> = None;
    for f in facts {
        let (Some(Some(number)), Some(team)) = (f.start_number(), f.team()) else {
            continue;
        };
        let clash = match (team, previous) {
            (Some(team), Some((n, t, clash))) if n == number && t == team => clash,
            _ => {
                let &mut (first, first_team) = owners.entry(number).or_insert((f.row(), team));
                let same_entry = first == f.row() || (team.is_some() && team == first_team);
                (!same_entry).then_some(first)
            }
        };
        previous = team.map(|team| (number, team, clash));
        if let Some(first) = clash {
            errors.push(RowError::new(
                f.row(),
                Column::StartNumber.name(),
                format!("start number '{number}' is already used by row {first}"),
            ));
        }
    }
}

/// The first valid start number and organisation given for a team, with their
/// rows.
#[derive(Default)]
struct TeamFirst<'a> {
    start_number: Option<(usize, Option<&'a str>)>,
    organisation: Option<(usize, &'a str)>,
}

/// All members of a team give the same start number and organisation: each is
/// compared with the first member whose value is valid. Members of a team
/// usually follow each other, and then need no look-up.
fn check_teams(facts: &[Facts<'_>], errors: &mut Vec<RowError>) {
    let mut slots: HashMap<&str, usize> = HashMap::with_capacity(facts.len());
    let mut teams: Vec<TeamFirst<'_>> = Vec::new();
    let mut previous: Option<(&str, usize)> = None;
    for &f in facts {
        let Some(Some(team)) = f.team() else { continue };
        let slot = match previous {
            Some((name, slot)) if name == team => slot,
            _ => *slots.entry(team).or_insert_with(|| {
                teams.push(TeamFirst::default());
                teams.len() - 1
            }),
        };
        previous = Some((team, slot));
        if let Some(first) = teams.get_mut(slot) {
            check_team_member(f, team, first, errors);
        }
    }
}

fn check_team_member<'a>(
    f: Facts<'a>,
    team: &str,
    first: &mut TeamFirst<'a>,
    errors: &mut Vec<RowError>,
) {
    if let Some(number) = f.start_number() {
        match first.start_number {
            None => first.start_number = Some((f.row(), number)),
            Some((row, expected)) if expected != number => errors.push(RowError::new(
                f.row(),
                Column::StartNumber.name(),
                format!(
                    "team '{team}' has start number {} on row {row} but {} here; \
                     every member must give the team's start number",
                    quoted_or_none(expected),
                    quoted_or_none(number)
                ),
            )),
            Some(_) => {}
        }
    }
    if let Some(organisation) = f.organisation() {
        match first.organisation {
            None => first.organisation = Some((f.row(), organisation)),
            Some((row, expected)) if expected != organisation => errors.push(RowError::new(
                f.row(),
                Column::Organisation.name(),
                format!(
                    "team '{team}' is from '{expected}' on row {row} but from \
                     '{organisation}' here; all members of a team belong to one organisation"
                ),
            )),
            Some(_) => {}
        }
    }
}

fn quoted_or_none(value: Option<&str>) -> String {
    value.map_or_else(|| "none".to_string(), |v| format!("'{v}'"))
}

/// One entry's member as exported. The full identity-document number is never
/// stored, so only its last 4 characters are exported.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub start_number: String,
    pub team: Option<String>,
    pub name: String,
    pub id_kind: IdKind,
    pub id_last4: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub organisation_code: String,
    pub organisation_name: String,
    pub group: Group,
    pub skill_level: Option<SkillLevel>,
    pub status: String,
}

const EXPORT_HEADERS: [&str; 12] = [
    "start_number",
    "team",
    "name",
    "id_type",
    "id_last4",
    "birth_date",
    "gender",
    "organisation",
    "organisation_name",
    "group",
    "skill_level",
    "status",
];

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes entries as UTF-8 CSV with English headers and vocabulary codes. The
/// file starts with a byte order mark so that spreadsheet programs read the
/// Chinese text correctly. Text that a spreadsheet would take for a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with
/// `'`. Because only the last 4 characters of id numbers are written, an
/// exported file cannot be imported again as it is.
pub fn write_entries<W: Write>(mut w: W, rows: &[ExportRow]) -> Result<(), csv::Error> {
    w.write_all(UTF8_BOM)?;
    let mut writer = csv::Writer::from_writer(w);
    writer.write_record(EXPORT_HEADERS)?;
    for row in rows {
        writer.write_record(export_fields(row).iter().map(|c| c.as_bytes()))?;
    }
    writer.flush()?;
    Ok(())
}

fn export_fields(row: &ExportRow) -> [Cow<'_, str>; 12] {
    [
        cell(&row.start_number),
        cell(row.team.as_deref().unwrap_or("")),
        cell(&row.name),
        Cow::Borrowed(row.id_kind.code()),
        cell(&row.id_last4),
        Cow::Owned(row.birth_date.format("%Y-%m-%d").to_string()),
        Cow::Borrowed(row.gender.code()),
        cell(&row.organisation_code),
        cell(&row.organisation_name),
        Cow::Borrowed(row.group.code()),
        Cow::Borrowed(row.skill_level.map_or("", SkillLevel::code)),
        cell(&row.status),
    ]
}

/// Keeps spreadsheet programs from running a value as a formula.
pub fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::identity::check_character;
    use std::time::Instant;

    /// A valid resident id number: region 110105, the given birth date and a
    /// 3-digit sequence whose last digit is odd for a man.
    fn rid(birth: &str, seq: &str) -> String {
        let first17 = format!("110105{birth}{seq}");
        format!("{first17}{}", check_character(&first17).unwrap())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn e(row: usize, column: &str, message: &str) -> RowError {
        RowError::new(row, column, message.to_string())
    }

    fn ok(text: &str) -> Vec<RegistrationRow> {
        match parse_entries(text) {
            Ok(rows) => rows,
            Err(errors) => panic!("unexpected errors: {errors:#?}"),
        }
    }

    fn errs(text: &str) -> Vec<RowError> {
        match parse_entries(text) {
            Ok(rows) => panic!("unexpectedly valid: {rows:#?}"),
            Err(errors) => errors,
        }
    }

    const HEADER: &str = "name,id_number,organisation,group";

    /// A file with the four required columns and one row per given line.
    fn minimal(lines: &[String]) -> String {
        let mut text = format!("{HEADER}\n");
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    fn person(name: &str, id: &str) -> String {
        format!("{name},{id},GZ01,employee")
    }

    #[test]
    fn a_complete_file_with_chinese_headers_parses() {
        let man = rid("19900315", "011");
        let woman = rid("20010704", "022");
        let text = format!(
            "参赛号,队名,姓名,证件类型,证件号码,出生日期,性别,单位,组别,技能等级\n\
             A01,,张三,居民身份证,{man},,,广州市第一技师学院,学生,高级工\n\
             T01,红队,李四,身份证,{woman},2001-07-04,女,GZ01,职工,\n\
             T01,红队,John Smith,护照,E12345678,1988/2/9,M,GZ01,职工,技师\n"
        );
        let rows = ok(&text);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0],
            RegistrationRow {
                row: 2,
                start_number: Some("A01".into()),
                team: None,
                name: "张三".into(),
                id_kind: IdKind::ResidentId,
                id_number: man,
                birth_date: d(1990, 3, 15),
                gender: Gender::Male,
                organisation: "广州市第一技师学院".into(),
                group: Group::Student,
                skill_level: Some(SkillLevel::Level3),
            }
        );
        assert_eq!(rows[1].team.as_deref(), Some("红队"));
        assert_eq!(rows[1].gender, Gender::Female);
        assert_eq!(rows[1].skill_level, None);
        assert_eq!(rows[2].row, 4);
        assert_eq!(rows[2].id_kind, IdKind::Passport);
        assert_eq!(rows[2].id_number, "E12345678");
        assert_eq!(rows[2].birth_date, d(1988, 2, 9));
        assert_eq!(rows[2].gender, Gender::Male);
        assert_eq!(rows[2].skill_level, Some(SkillLevel::Technician));
    }

    #[test]
    fn headers_match_ignoring_case_and_surrounding_space() {
        let id = rid("19900315", "011");
        let text =
            format!(" NAME ,Id_Number,\u{3000}Organisation, GROUP\n王五,{id},GZ01,Employee\n");
        let rows = ok(&text);
        assert_eq!(rows[0].name, "王五");
        assert_eq!(rows[0].group, Group::Employee);
    }

    #[test]
    fn every_header_spelling_is_accepted() {
        for column in COLUMNS {
            for header in column.headers() {
                assert_eq!(Column::from_header(header), Some(column), "{header}");
            }
        }
        let id = rid("19900315", "011");
        for header in ["身份证号", "身份证号码", "证件号码", "ID_NUMBER"] {
            let text = format!("姓名,{header},单位,组别\n王五,{id},GZ01,职工\n");
            assert_eq!(ok(&text)[0].id_number, id, "{header}");
        }
    }

    #[test]
    fn fields_and_a_leading_bom_are_trimmed() {
        let id = rid("19900315", "011");
        let text = format!(
            "\u{feff}name,id_number,organisation,group\n  王五 , {id} ,  GZ01\t,employee \n"
        );
        let row = &ok(&text)[0];
        assert_eq!(
            (row.name.as_str(), row.organisation.as_str()),
            ("王五", "GZ01")
        );
    }

    #[test]
    fn id_numbers_are_normalised() {
        let id = rid("19491231", "002");
        assert!(id.ends_with('X'));
        let spaced = format!("{} {} {}", &id[..6], &id[6..14], id[14..].to_lowercase());
        assert_eq!(ok(&minimal(&[person("王五", &spaced)]))[0].id_number, id);
    }

    #[test]
    fn a_resident_id_gives_birth_date_and_gender() {
        let text = format!(
            "name,id_number,birth_date,gender,organisation,group\n\
             甲,{},,,GZ01,employee\n\
             乙,{},2000-02-29,female,GZ01,employee\n\
             丙,{},20000229,F,GZ01,employee\n\
             丁,{},2000/2/29,女,GZ01,employee\n",
            rid("19491231", "001"),
            rid("20000229", "002"),
            rid("20000229", "004"),
            rid("20000229", "006"),
        );
        let rows = ok(&text);
        assert_eq!(
            (rows[0].birth_date, rows[0].gender),
            (d(1949, 12, 31), Gender::Male)
        );
        for row in &rows[1..] {
            assert_eq!(
                (row.birth_date, row.gender),
                (d(2000, 2, 29), Gender::Female)
            );
        }
    }

    #[test]
    fn a_birth_date_or_gender_that_contradicts_the_id_is_an_error() {
        let text = format!(
            "name,id_number,birth_date,gender,organisation,group\n甲,{},1990-03-16,男,GZ01,employee\n",
            rid("19900315", "002"),
        );
        assert_eq!(
            errs(&text),
            vec![
                e(
                    2,
                    "birth_date",
                    "birth date '1990-03-16' does not match the id number, which gives 1990-03-15"
                ),
                e(
                    2,
                    "gender",
                    "gender '男' does not match the id number, which gives female"
                ),
            ]
        );
    }

    #[test]
    fn other_documents_need_a_birth_date_and_gender() {
        let text = "name,id_type,id_number,birth_date,gender,organisation,group\n\
                    Ann,passport,E12345678,,,GZ01,employee\n\
                    Bob,other,HK-1234567,1990.1.2,m,GZ01,employee\n";
        assert_eq!(
            errs(text),
            vec![
                e(
                    2,
                    "birth_date",
                    "the birth date is required when the id type is passport"
                ),
                e(
                    2,
                    "gender",
                    "the gender is required when the id type is passport"
                ),
            ]
        );
        let without_columns =
            "name,id_type,id_number,organisation,group\nAnn,护照,E12345678,GZ01,employee\n";
        assert_eq!(
            errs(without_columns),
            vec![
                e(2, "birth_date", "the birth date is required when the id type is passport (the file has no birth_date column)"),
                e(2, "gender", "the gender is required when the id type is passport (the file has no gender column)"),
            ]
        );
    }

    #[test]
    fn id_types_accept_codes_and_chinese_names() {
        let cases = [
            ("", IdKind::ResidentId),
            ("resident_id", IdKind::ResidentId),
            ("RESIDENT_ID", IdKind::ResidentId),
            ("居民身份证", IdKind::ResidentId),
            ("身份证", IdKind::ResidentId),
            ("passport", IdKind::Passport),
            ("Passport", IdKind::Passport),
            ("护照", IdKind::Passport),
            ("other", IdKind::Other),
            ("其他", IdKind::Other),
        ];
        for (text, kind) in cases {
            assert_eq!(parse_id_kind(text), Ok(kind), "{text}");
        }
        assert_eq!(
            parse_id_kind("驾照").unwrap_err(),
            "unknown id type '驾照' (expected resident_id/居民身份证/身份证, passport/护照 or other/其他)"
        );
    }

    #[test]
    fn id_number_errors_are_specific_and_do_not_repeat_the_number() {
        let bad_check = format!("{}0", &rid("19900315", "011")[..17]);
        let bad_check = if bad_check == rid("19900315", "011") {
            format!("{}1", &bad_check[..17])
        } else {
            bad_check
        };
        let text = format!(
            "name,id_type,id_number,birth_date,gender,organisation,group\n\
             甲,,1101051990031501,,,GZ01,employee\n\
             乙,,{bad_check},,,GZ01,employee\n\
             丙,,{},,,GZ01,employee\n\
             丁,护照,E12,1990-01-01,男,GZ01,employee\n\
             戊,,,,,GZ01,employee\n\
             己,,1.10105E+17,,,GZ01,employee\n",
            rid("19990231", "011")
        );
        let errors = errs(&text);
        let messages: Vec<(usize, &str, &str)> = errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.message.as_str()))
            .collect();
        let expected_check = rid("19900315", "011").chars().last().unwrap();
        let found_check = bad_check.chars().last().unwrap();
        assert_eq!(
            messages,
            vec![
                (2, "id_number", "invalid resident id number: must have 18 characters, found 16"),
                (3, "id_number", format!("invalid resident id number: check character should be '{expected_check}', found '{found_check}'").as_str()),
                (4, "id_number", "invalid resident id number: contains a birth date 19990231 that does not exist"),
                (5, "id_number", "invalid passport number: must have 5 to 20 characters, found 3"),
                (6, "id_number", "the id number is missing"),
                (7, "id_number", "the id number was turned into a number ('1.10105E+17') by the spreadsheet; format the column as text and enter the numbers again"),
            ]
        );
        for error in &errors {
            assert!(!error.message.contains(&bad_check), "{error:?}");
            assert!(!error.message.contains("1101051990031501"), "{error:?}");
        }
    }

    #[test]
    fn an_unknown_id_type_still_reports_a_missing_number() {
        let text = "name,id_type,id_number,organisation,group\n甲,驾照,,GZ01,employee\n乙,驾照,123,GZ01,employee\n";
        let errors = errs(text);
        let columns: Vec<(usize, &str)> =
            errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            columns,
            vec![(2, "id_type"), (2, "id_number"), (3, "id_type")]
        );
        assert_eq!(errors[1].message, "the id number is missing");
    }

    #[test]
    fn birth_dates_accept_the_documented_formats() {
        for text in [
            "1999-02-03",
            "1999-2-3",
            "1999/02/03",
            "1999/2/3",
            "1999.2.3",
            "1999.02.03",
            "19990203",
        ] {
            assert_eq!(parse_date(text), Some(d(1999, 2, 3)), "{text}");
        }
        for text in [
            "1999-02-31",
            "99-2-3",
            "1999-2",
            "1999-2-3-4",
            "1999/2-3",
            "19990231",
            "1999023",
            "199902031",
            "1999-002-03",
            "２０００-1-1",
            "1999-+2-3",
            "1999 2 3",
            "3/2/1999",
            "2-3-1999",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
        assert_eq!(
            parse_birth_date("1999-02-31").unwrap_err(),
            "birth date '1999-02-31' is not a date (expected YYYY-MM-DD)"
        );
    }

    #[test]
    fn genders_groups_and_skill_levels_accept_their_spellings() {
        for (text, gender) in [
            ("男", Gender::Male),
            ("女", Gender::Female),
            ("M", Gender::Male),
            ("f", Gender::Female),
            ("Male", Gender::Male),
            ("FEMALE", Gender::Female),
        ] {
            assert_eq!(parse_gender(text), Ok(Some(gender)), "{text}");
        }
        assert_eq!(parse_gender(""), Ok(None));
        assert_eq!(
            parse_gender("x").unwrap_err(),
            "unknown gender 'x' (expected 男, 女, M, F, male or female)"
        );
        for (text, group) in [
            ("职工", Group::Employee),
            ("employee", Group::Employee),
            ("学生", Group::Student),
            ("Student", Group::Student),
        ] {
            assert_eq!(parse_group(text), Ok(group), "{text}");
        }
        assert_eq!(
            parse_group("教师").unwrap_err(),
            "unknown group '教师' (expected 职工/employee or 学生/student)"
        );
        assert!(parse_group("")
            .unwrap_err()
            .starts_with("the group is missing"));
        for level in SkillLevel::ALL {
            assert_eq!(parse_skill_level(level.code()), Ok(Some(*level)));
            assert_eq!(parse_skill_level(level.name_zh()), Ok(Some(*level)));
            assert_eq!(
                parse_skill_level(&level.code().to_uppercase()),
                Ok(Some(*level))
            );
        }
        assert_eq!(parse_skill_level(""), Ok(None));
        assert_eq!(
            parse_skill_level("大师").unwrap_err(),
            "unknown skill level '大师' (expected one of: level5/初级工, level4/中级工, level3/高级工, technician/技师, senior_technician/高级技师)"
        );
    }

    #[test]
    fn names_are_checked() {
        let id = rid("19900315", "011");
        let fifty = "名".repeat(50);
        assert_eq!(ok(&minimal(&[person(&fifty, &id)]))[0].name, fifty);
        let text = minimal(&[
            person(&"名".repeat(51), &rid("19900315", "013")),
            person("", &rid("19900315", "015")),
            person("\"A\tB\"", &rid("19900315", "017")),
        ]);
        assert_eq!(
            errs(&text),
            vec![
                e(
                    2,
                    "name",
                    &format!("name '{}' has 51 characters (at most 50)", "名".repeat(51))
                ),
                e(3, "name", "the name is missing"),
                e(
                    4,
                    "name",
                    "name 'A\\tB' contains a control character (U+0009)"
                ),
            ]
        );
    }

    #[test]
    fn control_characters_are_found_anywhere_in_unicode() {
        assert_eq!(
            check_text("name", "A\u{85}B", 50).unwrap_err(),
            "name 'A\\u{85}B' contains a control character (U+0085)"
        );
        assert_eq!(
            check_text("name", "A\u{7f}", 50).unwrap_err(),
            "name 'A\\u{7f}' contains a control character (U+007F)"
        );
        // A no-break space and a middle dot are ordinary characters.
        assert_eq!(
            check_text("name", "Ann\u{a0}Lee", 50).unwrap(),
            "Ann\u{a0}Lee"
        );
        assert_eq!(
            check_text("name", "买买提·吐尔逊", 50).unwrap(),
            "买买提·吐尔逊"
        );
    }

    #[test]
    fn start_numbers_teams_and_organisations_are_checked() {
        let text = format!(
            "start_number,team,name,id_number,organisation,group\n\
             A 01,,甲,{},GZ01,employee\n\
             A0123456789012345,,乙,{},GZ01,employee\n\
             -7,{},丙,{},,employee\n",
            rid("19900315", "011"),
            rid("19900315", "013"),
            "队".repeat(51),
            rid("19900315", "015"),
        );
        assert_eq!(
            errs(&text),
            vec![
                e(
                    2,
                    "start_number",
                    "start number 'A 01' may contain only letters, digits and '-'"
                ),
                e(
                    3,
                    "start_number",
                    "start number 'A0123456789012345' has 17 characters (at most 16)"
                ),
                e(
                    4,
                    "team",
                    &format!(
                        "team name '{}' has 51 characters (at most 50)",
                        "队".repeat(51)
                    )
                ),
                e(4, "organisation", "the organisation is missing"),
            ]
        );
    }

    #[test]
    fn every_error_of_every_row_is_reported_in_order() {
        let text = format!(
            "name,id_number,gender,organisation,group,skill_level\n\
             ,{},x,GZ01,teacher,大师\n\
             乙,{},,GZ01,employee,\n\
             丙,123,,,,\n",
            rid("19900315", "011"),
            rid("19900315", "013"),
        );
        let found: Vec<(usize, String)> =
            errs(&text).into_iter().map(|e| (e.row, e.column)).collect();
        let expected = [
            (2, "name"),
            (2, "gender"),
            (2, "group"),
            (2, "skill_level"),
            (4, "id_number"),
            (4, "organisation"),
            (4, "group"),
        ];
        let expected: Vec<(usize, String)> =
            expected.iter().map(|(r, c)| (*r, c.to_string())).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn rows_with_the_wrong_number_of_fields_are_errors() {
        let id = rid("19900315", "011");
        let text = format!("{HEADER}\n甲,{id},GZ01\n乙,{id},GZ01,employee,extra\n");
        assert_eq!(
            errs(&text),
            vec![
                e(2, "", "the row has 3 fields but the header has 4"),
                e(3, "", "the row has 5 fields but the header has 4"),
            ]
        );
    }

    /// Rows 3, 5 and 7 of a file with a blank row 2, a row 4 of empty fields
    /// and a row 6 whose quoted name spans two lines, using `eol` line ends.
    fn file_with_gaps(eol: &str) -> String {
        [
            HEADER.to_string(),
            String::new(),
            person("甲", &rid("19900315", "011")),
            ",,,".to_string(),
            person("乙", &rid("19900315", "013")),
            format!("\"多行{eol}名字\",{},GZ01,employee", rid("19900315", "015")),
            person("丙", "123"),
            String::new(),
        ]
        .join(eol)
    }

    #[test]
    fn row_numbers_are_spreadsheet_rows() {
        for eol in ["\n", "\r\n", "\r"] {
            let errors = errs(&file_with_gaps(eol));
            let rows: Vec<(usize, &str)> =
                errors.iter().map(|e| (e.row, e.column.as_str())).collect();
            // The two-line name stays on row 6, so the next record is row 7.
            assert_eq!(rows, vec![(6, "name"), (7, "id_number")], "{eol:?}");
            let fixed = file_with_gaps(eol)
                .replace(&format!("多行{eol}名字"), "多行名字")
                .replace("123", &rid("19900315", "017"));
            let rows: Vec<usize> = ok(&fixed).iter().map(|r| r.row).collect();
            assert_eq!(rows, vec![3, 5, 6, 7], "{eol:?}");
        }
    }

    #[test]
    fn blank_lines_are_skipped_and_a_header_alone_is_no_rows() {
        assert_eq!(ok(&format!("{HEADER}\n")), vec![]);
        assert_eq!(ok(HEADER), vec![]);
        assert_eq!(ok(&format!("\n\n{HEADER}\n\n,, ,\n")), vec![]);
        let id = rid("19900315", "011");
        let rows = ok(&format!("\r\n{HEADER}\r\n\r\n{}", person("甲", &id)));
        assert_eq!(rows[0].row, 4);
        // A blank header line moves the header down, as in a spreadsheet.
        let errors = errs("\n\nemail\n");
        assert!(errors.iter().all(|e| e.row == 3), "{errors:?}");
    }

    #[test]
    fn line_ends_are_counted_once_each() {
        assert_eq!(count_line_ends(b""), 0);
        assert_eq!(count_line_ends(b"a\nb\r\nc\rd"), 3);
        assert_eq!(count_line_ends(b"\r\n\r\n"), 2);
        assert_eq!(count_line_ends(b"\n\r"), 2);
        assert_eq!(count_line_ends(b"\r\r\n"), 2);
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let expected = vec![e(
            1,
            "",
            "the file is empty: it needs a header row naming the columns",
        )];
        assert_eq!(errs(""), expected);
        assert_eq!(errs("\n \n"), expected);
    }

    #[test]
    fn unknown_duplicate_and_missing_columns_are_reported() {
        let errors = errs("姓名,name,email,单位,组别\n");
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert_eq!(
            errors[0],
            e(1, "", "unknown column 'email' (known columns: start_number/参赛号, team/队名, name/姓名, id_type/证件类型, id_number/证件号码/身份证号/身份证号码, birth_date/出生日期, gender/性别, organisation/单位, group/组别, skill_level/技能等级)")
        );
        assert_eq!(
            errors[1],
            e(
                1,
                "name",
                "column 'name' appears twice: as '姓名' in field 1 and as 'name' in field 2"
            )
        );
        assert_eq!(
            errors[2],
            e(
                1,
                "id_number",
                "the required column 'id_number' (证件号码) is missing"
            )
        );
        let missing: Vec<String> = errs("team\n").into_iter().map(|e| e.column).collect();
        assert_eq!(missing, vec!["name", "id_number", "organisation", "group"]);
    }

    #[test]
    fn header_problems_do_not_hide_row_problems() {
        let text = "name,id_number,organisation,group,email\n,x,GZ01,employee,a@b.c\n";
        let columns: Vec<(usize, String)> =
            errs(text).into_iter().map(|e| (e.row, e.column)).collect();
        assert_eq!(
            columns,
            vec![
                (1, String::new()),
                (2, "name".into()),
                (2, "id_number".into())
            ]
        );
    }

    #[test]
    fn columns_without_a_header_must_stay_empty() {
        let id = rid("19900315", "011");
        let text = format!("{HEADER},,\n{},,\n", person("甲", &id));
        assert_eq!(ok(&text).len(), 1);
        let text = format!("{HEADER},,\n{},,note\n", person("甲", &id));
        assert_eq!(
            errs(&text),
            vec![e(2, "", "field 6 has a value but its column has no header")]
        );
    }

    #[test]
    fn the_same_person_twice_is_an_error() {
        let id = rid("19491231", "002");
        let lower = id.to_lowercase();
        let text = minimal(&[
            person("甲", &id),
            person("乙", &rid("19900315", "013")),
            person("甲", &format!(" {lower} ")),
            format!("甲,{id},GZ01,teacher"),
        ]);
        assert_eq!(
            errs(&text),
            vec![
                e(
                    4,
                    "id_number",
                    "the same person as row 2 (the same id number)"
                ),
                e(
                    5,
                    "id_number",
                    "the same person as row 2 (the same id number)"
                ),
                e(
                    5,
                    "group",
                    "unknown group 'teacher' (expected 职工/employee or 学生/student)"
                ),
            ]
        );
    }

    #[test]
    fn the_same_number_on_different_document_kinds_is_not_a_duplicate() {
        let text = "name,id_type,id_number,birth_date,gender,organisation,group\n\
                    甲,passport,E12345678,1990-01-01,男,GZ01,employee\n\
                    乙,other,E12345678,1990-01-01,男,GZ01,employee\n";
        assert_eq!(ok(text).len(), 2);
    }

    fn entries(lines: &[(&str, &str, &str)]) -> String {
        let mut text = "start_number,team,name,id_number,organisation,group\n".to_string();
        for (i, (start, team, org)) in lines.iter().enumerate() {
            let id = rid("19900315", &format!("{:03}", 100 + i));
            text.push_str(&format!("{start},{team},成员{i},{id},{org},employee\n"));
        }
        text
    }

    #[test]
    fn team_members_share_a_start_number() {
        let rows = ok(&entries(&[
            ("T1", "红队", "GZ01"),
            ("T1", "红队", "GZ01"),
            ("A1", "", "GZ01"),
            ("T2", "蓝队", "SZ02"),
            ("T2", "蓝队", "SZ02"),
            ("", "", "GZ01"),
            ("", "", "GZ01"),
        ]));
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[6].start_number, None);
    }

    #[test]
    fn a_start_number_belongs_to_one_entry() {
        let text = entries(&[
            ("A1", "", "GZ01"),
            ("A1", "", "GZ01"),
            ("T1", "红队", "GZ01"),
            ("T1", "蓝队", "GZ01"),
            ("T1", "", "GZ01"),
        ]);
        assert_eq!(
            errs(&text),
            vec![
                e(
                    3,
                    "start_number",
                    "start number 'A1' is already used by row 2"
                ),
                e(
                    5,
                    "start_number",
                    "start number 'T1' is already used by row 4"
                ),
                e(
                    6,
                    "start_number",
                    "start number 'T1' is already used by row 4"
                ),
            ]
        );
    }

    #[test]
    fn team_members_need_not_be_adjacent() {
        let text = entries(&[
            ("T1", "红队", "GZ01"),
            ("A1", "", "GZ01"),
            ("T1", "红队", "GZ01"),
            ("T2", "蓝队", "GZ01"),
            ("T1", "红队", "GZ01"),
        ]);
        assert_eq!(ok(&text).len(), 5);
        let text = entries(&[
            ("T1", "", "GZ01"),
            ("T1", "红队", "GZ01"),
            ("T1", "红队", "GZ01"),
            ("A1", "", "GZ01"),
            ("T1", "红队", "SZ02"),
        ]);
        assert_eq!(
            errs(&text),
            vec![
                e(3, "start_number", "start number 'T1' is already used by row 2"),
                e(4, "start_number", "start number 'T1' is already used by row 2"),
                e(6, "start_number", "start number 'T1' is already used by row 2"),
                e(6, "organisation", "team '红队' is from 'GZ01' on row 3 but from 'SZ02' here; all members of a team belong to one organisation"),
            ]
        );
    }

    #[test]
    fn team_members_must_agree() {
        let text = entries(&[
            ("T1", "红队", "GZ01"),
            ("T2", "红队", "GZ01"),
            ("", "红队", "SZ02"),
            ("T1", "红队", "GZ01"),
        ]);
        assert_eq!(
            errs(&text),
            vec![
                e(3, "start_number", "team '红队' has start number 'T1' on row 2 but 'T2' here; every member must give the team's start number"),
                e(4, "start_number", "team '红队' has start number 'T1' on row 2 but none here; every member must give the team's start number"),
                e(4, "organisation", "team '红队' is from 'GZ01' on row 2 but from 'SZ02' here; all members of a team belong to one organisation"),
            ]
        );
    }

    #[test]
    fn checks_across_rows_include_rows_with_other_errors() {
        let id = rid("19900315", "011");
        let text = format!(
            "start_number,team,name,id_number,organisation,group\n\
             A1,,甲,{id},GZ01,teacher\n\
             A1,,乙,{id},GZ01,employee\n\
             A 2,红队,丙,{},GZ01,employee\n\
             A3,红队,丁,{},GZ01,employee\n",
            rid("19900315", "013"),
            rid("19900315", "015"),
        );
        // Row 4's start number is invalid, so the team's start number is taken
        // from row 5 and not compared with it.
        assert_eq!(
            errs(&text),
            vec![
                e(
                    2,
                    "group",
                    "unknown group 'teacher' (expected 职工/employee or 学生/student)"
                ),
                e(
                    3,
                    "start_number",
                    "start number 'A1' is already used by row 2"
                ),
                e(
                    3,
                    "id_number",
                    "the same person as row 2 (the same id number)"
                ),
                e(
                    4,
                    "start_number",
                    "start number 'A 2' may contain only letters, digits and '-'"
                ),
            ]
        );
    }

    #[test]
    fn too_many_rows_is_a_single_error() {
        assert_eq!(MAX_ROWS, 500_000);
        let rows: Vec<String> = (0..4).map(|i| format!(",x{i},,")).collect();
        let text = minimal(&rows);
        assert_eq!(
            parse_with_limit(&text, 3).unwrap_err(),
            vec![e(
                5,
                "",
                "the file has more than 3 data rows; split it into smaller files"
            )]
        );
        assert!(parse_with_limit(&text, 4).unwrap_err().len() > 1);
    }

    #[test]
    fn row_errors_serialise_as_the_api_reports_them() {
        let json = serde_json::to_value(e(3, "id_number", "the id number is missing")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"row": 3, "column": "id_number", "message": "the id number is missing"})
        );
    }

    #[test]
    fn scientific_notation_is_recognised() {
        for text in ["1.10105E+17", "1.10105e+17", "4E+17", "4.4052418800101E+17"] {
            assert!(looks_like_scientific_notation(text), "{text}");
        }
        for text in [
            "E12345678",
            "1.1E17",
            "E+17",
            "1.1E+",
            "11010519491231002X",
            "AE+12",
        ] {
            assert!(!looks_like_scientific_notation(text), "{text}");
        }
    }

    /// The complete example in docs/registration-csv.md.
    const DOCUMENTED_EXAMPLE: &str = "\
参赛号,队名,姓名,证件类型,证件号码,出生日期,性别,单位,组别,技能等级
A001,,陈志强,身份证,440106199003150036,,,GZ-ELEC-01,职工,高级工
A002,,林晓敏,,440305200107040026,2001-07-04,女,深圳市第二职业技术学校,学生,
T001,电气一队,王建国,居民身份证,440106198811220050,,,GZ-ELEC-01,职工,技师
T001,电气一队,李秀英,居民身份证,440106198912030088,,,GZ-ELEC-01,职工,技师
A003,,Maria Santos,护照,P1234567,1995/3/8,F,GZ-ELEC-01,职工,
";

    #[test]
    fn the_documented_example_parses() {
        let rows = ok(DOCUMENTED_EXAMPLE);
        let summary: Vec<(usize, Option<&str>, Gender, NaiveDate)> = rows
            .iter()
            .map(|r| (r.row, r.team.as_deref(), r.gender, r.birth_date))
            .collect();
        assert_eq!(
            summary,
            vec![
                (2, None, Gender::Male, d(1990, 3, 15)),
                (3, None, Gender::Female, d(2001, 7, 4)),
                (4, Some("电气一队"), Gender::Male, d(1988, 11, 22)),
                (5, Some("电气一队"), Gender::Female, d(1989, 12, 3)),
                (6, None, Gender::Female, d(1995, 3, 8)),
            ]
        );
        assert_eq!(rows[4].id_kind, IdKind::Passport);
        assert_eq!(rows[1].skill_level, None);
        assert_eq!(rows[3].skill_level, Some(SkillLevel::Technician));
    }

    #[test]
    fn the_documented_example_parses_when_saved_as_gbk_with_crlf() {
        use crate::io::encoding::{decode, TextEncoding};
        let windows = DOCUMENTED_EXAMPLE.replace('\n', "\r\n");
        let (bytes, _, _) = encoding_rs::GB18030.encode(&windows);
        let (text, encoding) = decode(&bytes, None).unwrap();
        assert_eq!(encoding, TextEncoding::Gbk);
        let rows: Vec<usize> = ok(&text).iter().map(|r| r.row).collect();
        assert_eq!(rows, vec![2, 3, 4, 5, 6]);
    }

    #[test]
    fn the_documented_error_report_matches() {
        let text = "姓名,证件号码,单位,组别\n\
                    张三,44010619900315003,GZ-ELEC-01,职工\n\
                    李四,440106199003150036,GZ-ELEC-01,教师\n\
                    王五,440106199003150036,GZ-ELEC-01,职工\n";
        let details = serde_json::to_value(errs(text)).unwrap();
        assert_eq!(
            details,
            serde_json::json!([
                {"row": 2, "column": "id_number", "message": "invalid resident id number: must have 18 characters, found 17"},
                {"row": 3, "column": "group", "message": "unknown group '教师' (expected 职工/employee or 学生/student)"},
                {"row": 4, "column": "id_number", "message": "the same person as row 3 (the same id number)"}
            ])
        );
    }

    fn export_row() -> ExportRow {
        ExportRow {
            start_number: "T01".into(),
            team: Some("红队".into()),
            name: "张三".into(),
            id_kind: IdKind::ResidentId,
            id_last4: "002X".into(),
            birth_date: d(1949, 12, 31),
            gender: Gender::Female,
            organisation_code: "GZ01".into(),
            organisation_name: "广州市第一技师学院, 南校区".into(),
            group: Group::Employee,
            skill_level: Some(SkillLevel::SeniorTechnician),
            status: "active".into(),
        }
    }

    fn export(rows: &[ExportRow]) -> Vec<u8> {
        let mut out = Vec::new();
        write_entries(&mut out, rows).unwrap();
        out
    }

    #[test]
    fn export_writes_a_bom_english_headers_and_codes() {
        let second = ExportRow {
            team: None,
            skill_level: None,
            id_kind: IdKind::Passport,
            gender: Gender::Male,
            ..export_row()
        };
        let bytes = export(&[export_row(), second]);
        assert!(bytes.starts_with(UTF8_BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(
            text,
            "start_number,team,name,id_type,id_last4,birth_date,gender,organisation,organisation_name,group,skill_level,status\n\
             T01,红队,张三,resident_id,002X,1949-12-31,female,GZ01,\"广州市第一技师学院, 南校区\",employee,senior_technician,active\n\
             T01,,张三,passport,002X,1949-12-31,male,GZ01,\"广州市第一技师学院, 南校区\",employee,,active\n"
        );
    }

    #[test]
    fn export_of_no_rows_is_the_header() {
        let bytes = export(&[]);
        assert_eq!(
            &bytes[3..],
            format!("{}\n", EXPORT_HEADERS.join(",")).as_bytes()
        );
    }

    #[test]
    fn exported_text_cannot_run_as_a_formula() {
        let row = ExportRow {
            name: "=HYPERLINK(\"http://x\")".into(),
            team: Some("+1".into()),
            start_number: "-A1".into(),
            organisation_name: "@SUM(A1)".into(),
            ..export_row()
        };
        let bytes = export(&[row]);
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[0], "'-A1");
        assert_eq!(&record[1], "'+1");
        assert_eq!(&record[2], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&record[8], "'@SUM(A1)");
        assert_eq!(cell("A-1"), "A-1");
    }

    #[test]
    fn an_export_reads_back_but_does_not_import() {
        let bytes = export(&[export_row()]);
        // The csv crate skips the byte order mark.
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            EXPORT_HEADERS
        );
        assert_eq!(reader.records().count(), 1);
        let text = String::from_utf8(bytes).unwrap();
        let unknown: Vec<String> = errs(&text).into_iter().map(|e| e.message).collect();
        assert!(
            unknown
                .iter()
                .any(|m| m.starts_with("unknown column 'id_last4'")),
            "{unknown:?}"
        );
        assert!(unknown
            .iter()
            .any(|m| m.starts_with("unknown column 'organisation_name'")));
        assert!(unknown
            .iter()
            .any(|m| m.starts_with("unknown column 'status'")));
        assert!(unknown
            .iter()
            .any(|m| m == "the required column 'id_number' (证件号码) is missing"));
    }

    /// A file of `n` valid rows in pairs of team members, with every column.
    fn big_file(n: usize) -> String {
        let mut text = String::with_capacity(n * 110);
        text.push_str("start_number,team,name,id_type,id_number,birth_date,gender,organisation,group,skill_level\n");
        for i in 0..n {
            let birth = d(1960, 1, 1) + chrono::Days::new((i / 1000) as u64);
            let first17 = format!("440106{}{:03}", birth.format("%Y%m%d"), i % 1000);
            let id = format!("{first17}{}", check_character(&first17).unwrap());
            let region = i / 60_000;
            let team = i / 2;
            text.push_str(&format!(
                "S{team:06},队{team}-{region},选手{i},身份证,{id},,,单位{},职工,高级工\n",
                team % 500
            ));
        }
        text
    }

    #[test]
    fn a_generated_file_parses() {
        let rows = ok(&big_file(2_000));
        assert_eq!(rows.len(), 2_000);
        assert_eq!(rows[1999].row, 2_001);
    }

    /// Run with `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn perf_200k_rows() {
        let text = big_file(200_000);
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let rows = ok(&text);
            times.push(started.elapsed());
            assert_eq!(rows.len(), 200_000);
        }
        times.sort();
        eprintln!(
            "parsed 200000 rows ({} bytes): fastest {:?}, median {:?}, slowest {:?}",
            text.len(),
            times[0],
            times[2],
            times[4]
        );
    }
}
