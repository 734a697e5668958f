//! Helpers for the tests of the registration rules: rows written as simple
//! comma-separated lines under a header of field names.

use super::{check_rows, Column, RawRow, RegistrationRow, RowError, COLUMNS};
use crate::engine::identity::check_character;
use chrono::NaiveDate;

/// A valid resident id number: region 110105, the given birth date and a
/// 3-digit sequence whose last digit is odd for a man.
pub fn rid(birth: &str, seq: &str) -> String {
    let first17 = format!("110105{birth}{seq}");
    format!("{first17}{}", check_character(&first17).unwrap())
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn e(row: usize, column: &str, message: &str) -> RowError {
    RowError::new(row, column, message.to_string())
}

/// Checks the lines after the header as rows 2, 3, …; cells hold no commas.
pub fn check(text: &str) -> Result<Vec<RegistrationRow>, Vec<RowError>> {
    let mut lines = text.lines();
    let header: Vec<Column> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| COLUMNS.into_iter().find(|c| c.name() == h).unwrap())
        .collect();
    let rows: Vec<RawRow<'_>> = lines
        .enumerate()
        .map(|(i, line)| {
            let mut raw = RawRow::new(i + 2);
            for (column, cell) in header.iter().zip(line.split(',')) {
                raw.set(*column, cell);
            }
            raw
        })
        .collect();
    check_rows(&rows)
}

pub fn ok(text: &str) -> Vec<RegistrationRow> {
    match check(text) {
        Ok(rows) => rows,
        Err(errors) => panic!("unexpected errors: {errors:#?}"),
    }
}

pub fn errs(text: &str) -> Vec<RowError> {
    match check(text) {
        Ok(rows) => panic!("unexpectedly valid: {rows:#?}"),
        Err(errors) => errors,
    }
}

pub const HEADER: &str = "name,id_number,organisation,group";

/// Rows with the four required fields, one per given line.
pub fn minimal(lines: &[String]) -> String {
    let mut text = format!("{HEADER}\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

pub fn person(name: &str, id: &str) -> String {
    format!("{name},{id},GZ01,employee")
}
