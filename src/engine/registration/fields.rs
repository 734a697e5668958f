//! One registration's fields, each read by the rules of the registration file
//! (docs/registration-csv.md), whether it came from a file or a request.
//!
//! Identity-document numbers are never repeated in error messages.

use super::{PersonAttributes, RegistrationRow, RowError};
use crate::engine::identity::{
    normalise_id_number, parse_resident_id, validate_other_id, ResidentId,
};
use crate::engine::model::{Gender, Group, IdKind, SkillLevel, Vocabulary};
use crate::i18n::messages::Msg;
use chrono::NaiveDate;

const MAX_NAME_CHARS: usize = 50;
const MAX_TEAM_CHARS: usize = 50;
const MAX_ORGANISATION_CHARS: usize = 100;
const MAX_START_NUMBER_CHARS: usize = 16;

/// A field of a registration: a column of the registration file, a key of a
/// JSON registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
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
    Frontline,
    Job,
    ServiceSince,
}

/// Every field, in the order of the documented file.
pub const COLUMNS: [Column; 13] = [
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
    Column::Frontline,
    Column::Job,
    Column::ServiceSince,
];

impl Column {
    /// The column's name in error locations and in English headers.
    pub fn name(self) -> &'static str {
        match self {
            Column::StartNumber => "start_number",
            Column::Team => "team",
            Column::Name => "name",
            Column::IdType => "id_type",
            Column::IdNumber => "id_number",
            Column::BirthDate => "birth_date",
            Column::Gender => "gender",
            Column::Organisation => "organisation",
            Column::Group => "group",
            Column::SkillLevel => "skill_level",
            Column::Frontline => "frontline",
            Column::Job => "job",
            Column::ServiceSince => "service_since",
        }
    }

    /// Orders a row's errors left to right; whole-row errors come first.
    pub(super) fn rank(name: &str) -> usize {
        COLUMNS
            .iter()
            .position(|c| c.name() == name)
            .map_or(0, |i| i + 1)
    }
}

/// One registration as written: the text of each field, or `None` for a field
/// its source does not have (a column missing from a file). Values are trimmed
/// when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawRow<'a> {
    /// Where errors are reported: a spreadsheet row, or a position in a request.
    pub row: usize,
    cells: [Option<&'a str>; COLUMNS.len()],
}

impl<'a> RawRow<'a> {
    /// A row with no fields yet.
    pub fn new(row: usize) -> Self {
        RawRow {
            row,
            cells: [None; COLUMNS.len()],
        }
    }

    pub fn set(&mut self, column: Column, text: &'a str) {
        self.cells[column as usize] = Some(text);
    }

    /// The trimmed value, or "" when the field is absent.
    fn get(&self, column: Column) -> &'a str {
        self.cells[column as usize].map_or("", str::trim)
    }

    fn has(&self, column: Column) -> bool {
        self.cells[column as usize].is_some()
    }
}

/// Collects the errors of one row.
struct RowErrors<'e> {
    row: usize,
    errors: &'e mut Vec<RowError>,
    found: bool,
}

impl RowErrors<'_> {
    fn push(&mut self, column: &str, message: impl Into<Msg>) {
        self.found = true;
        self.errors.push(RowError::new(self.row, column, message));
    }

    /// The value, or `None` after recording the error.
    fn take<T>(&mut self, column: Column, result: Result<T, Msg>) -> Option<T> {
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
    frontline: Option<Option<bool>>,
    job: Option<Option<String>>,
    service_since: Option<Option<NaiveDate>>,
}

/// What the checks across rows need from a row that has errors of its own.
pub(super) struct PartialRow {
    pub(super) row: usize,
    pub(super) id: Option<(IdKind, String)>,
    pub(super) team: Option<Option<String>>,
    pub(super) start_number: Option<Option<String>>,
    pub(super) organisation: Option<String>,
}

/// A valid row, or, when the row has errors, what can still be checked against
/// other rows.
pub(super) fn read_row(
    raw: &RawRow<'_>,
    errors: &mut Vec<RowError>,
) -> Result<RegistrationRow, PartialRow> {
    let mut errs = RowErrors {
        row: raw.row,
        errors,
        found: false,
    };
    let parsed = parse_fields(raw, &mut errs);
    let found = errs.found;
    assemble(parsed, raw.row, found)
}

fn parse_fields(fields: &RawRow<'_>, errs: &mut RowErrors<'_>) -> Parsed {
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
        frontline: errs.take(C::Frontline, parse_frontline(fields.get(C::Frontline))),
        job: errs.take(C::Job, parse_job(fields.get(C::Job))),
        service_since: errs.take(
            C::ServiceSince,
            parse_service_since(fields.get(C::ServiceSince)),
        ),
    }
}

/// The document kind and normalised number, and what the document says about
/// its holder.
fn parse_identity(
    fields: &RawRow<'_>,
    errs: &mut RowErrors<'_>,
) -> (Option<(IdKind, String)>, Derived) {
    let text = fields.get(Column::IdNumber);
    let Some(kind) = errs.take(Column::IdType, parse_id_kind(fields.get(Column::IdType))) else {
        if text.is_empty() {
            errs.push(Column::IdNumber.name(), Msg::new("row_id_number_missing"));
        }
        return (None, Derived::Unknown);
    };
    match errs.take(Column::IdNumber, parse_id_number(kind, text)) {
        None => (None, Derived::Unknown),
        Some((number, Some(resident))) => (Some((kind, number)), Derived::Resident(resident)),
        Some((number, None)) => (Some((kind, number)), Derived::NotResident(kind)),
    }
}

fn assemble(parsed: Parsed, row: usize, found: bool) -> Result<RegistrationRow, PartialRow> {
    let partial = |p: Parsed| PartialRow {
        row,
        id: p.id,
        team: p.team,
        start_number: p.start_number,
        organisation: p.organisation,
    };
    if found {
        return Err(partial(parsed));
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
            frontline: Some(frontline),
            job: Some(job),
            service_since: Some(service_since),
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
            attributes: PersonAttributes {
                frontline,
                job,
                service_since,
            },
        }),
        incomplete => Err(partial(incomplete)),
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
    fields: &RawRow<'_>,
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
                crate::msg!(
                    "row_birth_date_mismatch",
                    given = text,
                    derived = id.birth_date.format("%Y-%m-%d")
                ),
            );
            None
        }
        (Some(date), _) => Some(date),
        (None, Derived::Resident(id)) => Some(id.birth_date),
        (None, Derived::NotResident(kind)) => {
            errs.push(
                column.name(),
                missing_for(fields, column, Msg::new("what_birth_date"), *kind),
            );
            None
        }
        (None, Derived::Unknown) => None,
    }
}

fn resolve_gender(
    fields: &RawRow<'_>,
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
                crate::msg!("row_gender_mismatch", given = text)
                    .part("derived", Msg::new(gender_key(id.gender))),
            );
            None
        }
        (Some(gender), _) => Some(gender),
        (None, Derived::Resident(id)) => Some(id.gender),
        (None, Derived::NotResident(kind)) => {
            errs.push(
                column.name(),
                missing_for(fields, column, Msg::new("what_gender"), *kind),
            );
            None
        }
        (None, Derived::Unknown) => None,
    }
}

fn missing_for(fields: &RawRow<'_>, column: Column, what: Msg, kind: IdKind) -> Msg {
    let said = Msg::new("row_required_for_id_type")
        .part("what", what)
        .part("kind", Msg::new(kind_code_key(kind)));
    if fields.has(column) {
        said
    } else {
        Msg::new("row_required_no_column")
            .part("said", said)
            .arg("column", column.name())
    }
}

fn gender_key(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "word_male",
        Gender::Female => "word_female",
    }
}

fn kind_code_key(kind: IdKind) -> &'static str {
    match kind {
        IdKind::ResidentId => "word_id_type_resident_id",
        IdKind::Passport => "word_id_type_passport",
        IdKind::Other => "word_id_type_other",
    }
}

fn kind_key(kind: IdKind) -> &'static str {
    match kind {
        IdKind::ResidentId => "word_resident_id",
        IdKind::Passport => "word_passport",
        IdKind::Other => "word_other_id",
    }
}

fn parse_start_number(text: &str) -> Result<Option<String>, Msg> {
    if text.is_empty() {
        return Ok(None);
    }
    let len = text.chars().count();
    if len > MAX_START_NUMBER_CHARS {
        return Err(crate::msg!(
            "row_text_too_long",
            text = text,
            len = len,
            max = MAX_START_NUMBER_CHARS
        )
        .part("what", Msg::new("what_start_number")));
    }
    if !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(crate::msg!("row_start_number_characters", text = text));
    }
    Ok(Some(text.to_string()))
}

fn parse_team(text: &str) -> Result<Option<String>, Msg> {
    if text.is_empty() {
        return Ok(None);
    }
    check_text(Msg::new("what_team_name"), text, MAX_TEAM_CHARS).map(Some)
}

fn parse_name(text: &str) -> Result<String, Msg> {
    if text.is_empty() {
        return Err(Msg::new("row_name_missing"));
    }
    check_text(Msg::new("what_name"), text, MAX_NAME_CHARS)
}

fn parse_organisation(text: &str) -> Result<String, Msg> {
    if text.is_empty() {
        return Err(Msg::new("row_organisation_missing"));
    }
    check_text(Msg::new("what_organisation"), text, MAX_ORGANISATION_CHARS)
}

/// A free-text value: at most `max` characters and no control characters.
fn check_text(what: Msg, text: &str, max: usize) -> Result<String, Msg> {
    // A character takes at least one byte, so short text needs no counting.
    let len = if text.len() <= max {
        text.len()
    } else {
        text.chars().count()
    };
    if len > max {
        return Err(
            crate::msg!("row_text_too_long", text = text, len = len, max = max).part("what", what),
        );
    }
    if let Some(c) = find_control(text) {
        return Err(crate::msg!(
            "row_text_control",
            text = text.escape_debug(),
            code = format!("U+{:04X}", u32::from(c))
        )
        .part("what", what));
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

fn parse_id_kind(text: &str) -> Result<IdKind, Msg> {
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
    lookup(text, ALIASES).ok_or_else(|| crate::msg!("row_id_type_unknown", text = text))
}

/// The normalised number, with what it says about its holder when it is a
/// resident identity number.
fn parse_id_number(kind: IdKind, text: &str) -> Result<(String, Option<ResidentId>), Msg> {
    if text.is_empty() {
        return Err(Msg::new("row_id_number_missing"));
    }
    if looks_like_scientific_notation(text) {
        return Err(crate::msg!("row_id_number_scientific", text = text));
    }
    let number = normalise_id_number(text);
    let checked = match kind {
        IdKind::ResidentId => parse_resident_id(&number).map(Some),
        IdKind::Passport | IdKind::Other => validate_other_id(&number).map(|()| None),
    };
    match checked {
        Ok(resident) => Ok((number, resident)),
        Err(reason) => Err(Msg::new("row_id_number_invalid")
            .part("kind", Msg::new(kind_key(kind)))
            .part("reason", reason)),
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
fn parse_birth_date(text: &str) -> Result<Option<NaiveDate>, Msg> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_date(text)
        .map(Some)
        .ok_or_else(|| crate::msg!("row_birth_date_invalid", text = text))
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

fn parse_gender(text: &str) -> Result<Option<Gender>, Msg> {
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
        .ok_or_else(|| crate::msg!("row_gender_unknown", text = text))
}

fn parse_group(text: &str) -> Result<Group, Msg> {
    if text.is_empty() {
        return Err(Msg::new("row_group_missing"));
    }
    const ALIASES: &[(&str, Group)] = &[("职工", Group::Employee), ("学生", Group::Student)];
    lookup(text, ALIASES).ok_or_else(|| crate::msg!("row_group_unknown", text = text))
}

fn parse_skill_level(text: &str) -> Result<Option<SkillLevel>, Msg> {
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
        crate::msg!(
            "row_skill_level_unknown",
            text = text,
            allowed = allowed.join(", ")
        )
    })
}

/// Whether the person is a frontline worker (一线职工): yes or no in
/// either language; empty when not given.
fn parse_frontline(text: &str) -> Result<Option<bool>, Msg> {
    if text.is_empty() {
        return Ok(None);
    }
    const YES: &[&str] = &["true", "yes", "1", "是", "一线"];
    const NO: &[&str] = &["false", "no", "0", "否", "非一线"];
    if YES.iter().any(|y| y.eq_ignore_ascii_case(text)) {
        Ok(Some(true))
    } else if NO.iter().any(|n| n.eq_ignore_ascii_case(text)) {
        Ok(Some(false))
    } else {
        Err(crate::msg!("row_frontline_unknown", text = text))
    }
}

/// A job title: at most 100 characters, no control characters.
fn parse_job(text: &str) -> Result<Option<String>, Msg> {
    if text.is_empty() {
        return Ok(None);
    }
    let n = text.chars().count();
    if n > 100 || text.chars().any(char::is_control) {
        return Err(crate::msg!("row_job_invalid", n = n));
    }
    Ok(Some(text.to_string()))
}

/// The day the person started work, written as the birth date is.
fn parse_service_since(text: &str) -> Result<Option<NaiveDate>, Msg> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_date(text)
        .map(Some)
        .ok_or_else(|| crate::msg!("row_service_since_invalid", text = text))
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

#[cfg(test)]
mod tests {
    use super::super::test_rows::*;
    use super::*;

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
        let said: Vec<String> = errors.iter().map(|e| e.message.english()).collect();
        let messages: Vec<(usize, &str, &str)> = errors
            .iter()
            .zip(&said)
            .map(|(e, m)| (e.row, e.column.as_str(), m.as_str()))
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
            .english()
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
            person("A\tB", &rid("19900315", "017")),
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
            check_text("name".into(), "A\u{85}B", 50).unwrap_err(),
            "name 'A\\u{85}B' contains a control character (U+0085)"
        );
        assert_eq!(
            check_text("name".into(), "A\u{7f}", 50).unwrap_err(),
            "name 'A\\u{7f}' contains a control character (U+007F)"
        );
        // A no-break space and a middle dot are ordinary characters.
        assert_eq!(
            check_text("name".into(), "Ann\u{a0}Lee", 50).unwrap(),
            "Ann\u{a0}Lee"
        );
        assert_eq!(
            check_text("name".into(), "买买提·吐尔逊", 50).unwrap(),
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

    #[test]
    fn attributes_for_honours_are_read_when_given() {
        assert_eq!(parse_frontline("是"), Ok(Some(true)));
        assert_eq!(parse_frontline("FALSE"), Ok(Some(false)));
        assert_eq!(parse_frontline("非一线"), Ok(Some(false)));
        assert_eq!(parse_frontline(""), Ok(None));
        assert!(parse_frontline("maybe").unwrap_err().contains("'maybe'"));
        assert_eq!(parse_job("维修电工"), Ok(Some("维修电工".to_string())));
        assert!(parse_job(&"长".repeat(101)).is_err());
        assert_eq!(
            parse_service_since("2012-07-01"),
            Ok(Some(NaiveDate::from_ymd_opt(2012, 7, 1).unwrap()))
        );
        assert!(parse_service_since("2012-13-01")
            .unwrap_err()
            .contains("'2012-13-01'"));
    }
}
