//! The registration CSV: its headers (in Chinese or English), reading an
//! uploaded file into rows for the registration rules
//! (`engine::registration`), and the export of a contest's entries.

use crate::engine::model::{Gender, Group, Vocabulary};
use crate::engine::model::{IdKind, SkillLevel};
use crate::engine::registration::{Column, RawRow, RowChecker, COLUMNS};
pub use crate::engine::registration::{RegistrationRow, RowError};
use crate::i18n::messages::Msg;
use chrono::NaiveDate;
use csv::StringRecord;
use std::borrow::Cow;
use std::io::Write;

/// The most data rows one file may have.
pub const MAX_ROWS: usize = 500_000;

/// Every accepted header of a column: the canonical English name first.
fn headers(column: Column) -> &'static [&'static str] {
    match column {
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
        Column::Frontline => &["frontline", "一线职工", "是否一线职工"],
        Column::Job => &["job", "岗位", "职务"],
        Column::ServiceSince => &["service_since", "参加工作时间", "参加工作日期"],
    }
}

/// The columns a file must have.
fn required(column: Column) -> bool {
    matches!(
        column,
        Column::Name | Column::IdNumber | Column::Organisation | Column::Group
    )
}

fn from_header(header: &str) -> Option<Column> {
    COLUMNS
        .into_iter()
        .find(|c| headers(*c).iter().any(|h| h.eq_ignore_ascii_case(header)))
}

/// Reads, checks and returns every data row of a registration file, or every
/// problem found in it. Nothing is returned unless the whole file is valid.
/// The errors of data rows name each column by its header as written in the
/// file (`证件号码` in a file with Chinese headers).
pub fn parse_entries(text: &str) -> Result<Vec<RegistrationRow>, Vec<RowError>> {
    parse_entries_named(text).0
}

/// As [`parse_entries`], with the header each column has in the file, to
/// name the columns of later errors (the contest's rules) as the file does.
pub fn parse_entries_named(
    text: &str,
) -> (Result<Vec<RegistrationRow>, Vec<RowError>>, ColumnNames) {
    let mut names = ColumnNames::default();
    let result = parse_with_limit(text, MAX_ROWS, &mut names);
    (result, names)
}

/// The header each column has in a file.
#[derive(Debug, Clone, Default)]
pub struct ColumnNames(Vec<(&'static str, String)>);

impl ColumnNames {
    /// The header as written of the column named `column` (its canonical
    /// English name), or `column` itself when the file does not have it.
    pub fn written<'a>(&'a self, column: &'a str) -> &'a str {
        self.0
            .iter()
            .find(|(c, _)| *c == column)
            .map_or(column, |(_, w)| w.as_str())
    }

    /// Names the column of each error as the file does, except on the header
    /// row (whose errors are about the headers themselves).
    pub fn rename(&self, errors: &mut [RowError], header_row: usize) {
        for e in errors.iter_mut().filter(|e| e.row > header_row) {
            e.column = self.written(&e.column).to_string();
        }
    }
}

fn parse_with_limit(
    text: &str,
    max_rows: usize,
    names: &mut ColumnNames,
) -> Result<Vec<RegistrationRow>, Vec<RowError>> {
    let mut records = Records::new(text);
    let Some(header_row) = records.next().map_err(|e| vec![e])? else {
        return Err(vec![RowError::new(1, "", Msg::new("import_file_empty"))]);
    };
    let mut checker = RowChecker::new();
    let layout = Layout::read(&records.record, header_row, &mut checker);
    for column in COLUMNS {
        if let Some(at) = layout.positions[column as usize] {
            let written = records.record.get(at).unwrap_or_default();
            let written = written.trim_start_matches('\u{feff}').trim();
            names.0.push((column.name(), written.to_string()));
        }
    }
    read_rows(&mut records, &layout, max_rows, &mut checker)?;
    checker.finish().map_err(|mut errors| {
        names.rename(&mut errors, header_row);
        errors
    })
}

/// Reads every data row into `checker`; fails alone, with a single error, past
/// `max_rows`.
fn read_rows(
    records: &mut Records<'_>,
    layout: &Layout,
    max_rows: usize,
    checker: &mut RowChecker,
) -> Result<(), Vec<RowError>> {
    let mut count = 0;
    loop {
        let row = match records.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                checker.report(e);
                break;
            }
        };
        count += 1;
        if count > max_rows {
            return Err(vec![too_many_rows(row, max_rows)]);
        }
        read_record(layout, &records.record, row, checker);
    }
    Ok(())
}

/// Hands one record to the checker, unless its fields cannot be told apart.
fn read_record(layout: &Layout, record: &StringRecord, row: usize, checker: &mut RowChecker) {
    if record.len() != layout.width {
        checker.report(RowError::new(
            row,
            "",
            crate::msg!(
                "import_row_width",
                fields = record.len(),
                header = layout.width
            ),
        ));
        return;
    }
    for &at in &layout.unnamed {
        if record.get(at).is_some_and(|v| !v.trim().is_empty()) {
            checker.report(RowError::new(
                row,
                "",
                crate::msg!("import_field_without_header", field = at + 1),
            ));
        }
    }
    let mut raw = RawRow::new(row);
    for column in COLUMNS {
        if let Some(text) = layout.positions[column as usize].and_then(|at| record.get(at)) {
            raw.set(column, text);
        }
    }
    checker.add(&raw);
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
    RowError::new(row, "", crate::msg!("import_too_many_rows", max = max_rows))
}

/// Where each column is in the file.
struct Layout {
    width: usize,
    positions: [Option<usize>; COLUMNS.len()],
    /// Fields with an empty header: tolerated as long as they stay empty.
    unnamed: Vec<usize>,
}

impl Layout {
    /// Reads the header row, reporting its problems to `checker`.
    fn read(header: &StringRecord, row: usize, checker: &mut RowChecker) -> Layout {
        let mut errors = Vec::new();
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
            match from_header(text) {
                Some(column) => layout.place(column, at, text, header, row, &mut errors),
                None => errors.push(unknown_column(row, text)),
            }
        }
        layout.require_columns(row, &mut errors);
        for e in errors {
            checker.report(e);
        }
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
                crate::msg!(
                    "import_column_twice",
                    column = column.name(),
                    first = header.get(first).unwrap_or("").trim(),
                    first_field = first + 1,
                    second = text,
                    second_field = at + 1
                ),
            )),
            None => self.positions[column as usize] = Some(at),
        }
    }

    fn require_columns(&self, row: usize, errors: &mut Vec<RowError>) {
        for column in COLUMNS {
            if required(column) && !self.has(column) {
                errors.push(RowError::new(
                    row,
                    column.name(),
                    crate::msg!(
                        "import_column_missing",
                        column = column.name(),
                        chinese = headers(column)[1]
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
    let known: Vec<String> = COLUMNS.iter().map(|c| headers(*c).join("/")).collect();
    RowError::new(
        row,
        "",
        crate::msg!(
            "import_column_unknown",
            text = text,
            known = known.join(", ")
        ),
    )
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

/// A registration file to fill in: every column the importer reads, headed in
/// Chinese (`chinese`) or English, with one example row naming
/// `organisation`, as UTF-8 with a byte order mark so that spreadsheet
/// programs open it correctly.
pub fn write_template<W: Write>(
    mut w: W,
    chinese: bool,
    organisation: &str,
) -> Result<(), csv::Error> {
    w.write_all(UTF8_BOM)?;
    let mut writer = csv::Writer::from_writer(w);
    let pick = |column: Column| headers(column)[usize::from(chinese)];
    writer.write_record(COLUMNS.map(pick))?;
    let example = |column: Column| -> &str {
        match (column, chinese) {
            (Column::StartNumber, _) => "A001",
            (Column::Team, _) => "",
            (Column::Name, true) => "陈志强",
            (Column::Name, false) => "Chen Zhiqiang",
            (Column::IdType, true) => "居民身份证",
            (Column::IdType, false) => "resident_id",
            (Column::IdNumber, _) => "440106199003150036",
            (Column::BirthDate, _) => "1990-03-15",
            (Column::Gender, true) => "男",
            (Column::Gender, false) => "male",
            (Column::Organisation, _) => organisation,
            (Column::Group, true) => "职工",
            (Column::Group, false) => "employee",
            (Column::SkillLevel, true) => "高级工",
            (Column::SkillLevel, false) => "level3",
            (Column::Frontline, true) => "是",
            (Column::Frontline, false) => "true",
            (Column::Job, true) => "维修电工",
            (Column::Job, false) => "maintenance electrician",
            (Column::ServiceSince, _) => "2012-07-01",
        }
    };
    writer.write_record(COLUMNS.map(|c| cell(example(c)).into_owned()))?;
    writer.flush()?;
    Ok(())
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
                attributes: Default::default(),
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
            for header in headers(column) {
                assert_eq!(from_header(header), Some(column), "{header}");
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
            e(1, "", "unknown column 'email' (known columns: start_number/参赛号, team/队名, name/姓名, id_type/证件类型, id_number/证件号码/身份证号/身份证号码, birth_date/出生日期, gender/性别, organisation/单位, group/组别, skill_level/技能等级, frontline/一线职工/是否一线职工, job/岗位/职务, service_since/参加工作时间/参加工作日期)")
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
    fn too_many_rows_is_a_single_error() {
        assert_eq!(MAX_ROWS, 500_000);
        let rows: Vec<String> = (0..4).map(|i| format!(",x{i},,")).collect();
        let text = minimal(&rows);
        assert_eq!(
            parse_with_limit(&text, 3, &mut ColumnNames::default()).unwrap_err(),
            vec![e(
                5,
                "",
                "the file has more than 3 data rows; split it into smaller files"
            )]
        );
        assert!(
            parse_with_limit(&text, 4, &mut ColumnNames::default())
                .unwrap_err()
                .len()
                > 1
        );
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
                {"row": 2, "column": "证件号码", "message": "invalid resident id number: must have 18 characters, found 17"},
                {"row": 3, "column": "组别", "message": "unknown group '教师' (expected 职工/employee or 学生/student)"},
                {"row": 4, "column": "证件号码", "message": "the same person as row 3 (the same id number)"}
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
        let unknown: Vec<String> = errs(&text)
            .into_iter()
            .map(|e| e.message.english())
            .collect();
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

    #[test]
    fn the_template_reads_back_in_both_languages() {
        for chinese in [true, false] {
            let mut out = Vec::new();
            write_template(&mut out, chinese, "GZ-ELEC-01").unwrap();
            assert!(out.starts_with(UTF8_BOM));
            let text = std::str::from_utf8(&out[UTF8_BOM.len()..]).unwrap();
            assert_eq!(text.starts_with("参赛号,"), chinese, "{text}");
            let rows = parse_entries(text).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].organisation, "GZ-ELEC-01");
            assert_eq!(rows[0].start_number.as_deref(), Some("A001"));
        }
    }
}
