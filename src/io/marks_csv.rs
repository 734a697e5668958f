//! The marks file read by `jiangxin score`: one recorded mark per row.
//!
//! Columns (by header name, in any order): `entry`, `aspect`, `judge`,
//! `value`, and optionally `kind` (`mark`, the default; `factor`;
//! `overrule`; `trainee`, a trainee judge's mark, checked but never
//! counted). `judge` labels a judge of a judged aspect and is empty for
//! measured aspects and factors. Values are kept as text here: a value that
//! is not a decimal (a `*` for a failed dive) is reported by the scorer as
//! an unscorable row, never dropped silently.
//!
//! For judge analytics (`jiangxin judges`) a marks file may also have, per
//! row, the entry's `side` (organisation or nation), `group` (a stratum,
//! such as short or free program), `program` and `contest`; see
//! [`parse_entry_columns`]. The judges' sides come from a judges file read
//! by [`parse_judge_sides`].

use std::fmt;

/// One data row of a marks file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkLine {
    /// 1-based line of the row in the file (the header is line 1).
    pub line: usize,
    pub entry: String,
    pub aspect: String,
    pub judge: String,
    pub value: String,
    pub kind: String,
}

/// A file that cannot be read as a marks file at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarksFileError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for MarksFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for MarksFileError {}

const REQUIRED: [&str; 4] = ["entry", "aspect", "judge", "value"];

/// Reads a marks file's text (already decoded).
pub fn parse_marks(text: &str) -> Result<Vec<MarkLine>, MarksFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(MarksFileError {
                line: 1,
                message: e.to_string(),
            })
        }
        None => {
            return Err(MarksFileError {
                line: 1,
                message: "the file is empty: it needs the header entry,aspect,judge,value".into(),
            })
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let column = |name: &str| names.iter().position(|n| n == name);
    let mut index = [0usize; 4];
    for (k, name) in REQUIRED.iter().enumerate() {
        index[k] = column(name).ok_or_else(|| MarksFileError {
            line: 1,
            message: format!("no `{name}` column (the header needs entry,aspect,judge,value)"),
        })?;
    }
    let kind = column("kind");
    // Lines are counted from byte offsets (records come in file order, so
    // only the bytes since the previous record are counted): the CSV
    // reader's own line count skips blank lines, and a record's offset may
    // point at the blank lines before it.
    let bytes = text.as_bytes();
    let mut seen = (0usize, 1usize);
    let mut line_of = |byte: u64| {
        let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
            end += 1;
        }
        let (from, line) = seen;
        let start = from.min(end);
        let line = line + bytes[start..end].iter().filter(|b| **b == b'\n').count();
        seen = (end, line);
        line
    };
    let mut out = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                return Err(MarksFileError {
                    line: e.position().map_or(0, |p| line_of(p.byte())),
                    message: e.to_string(),
                })
            }
        };
        let line = record.position().map_or(0, |p| line_of(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        out.push(MarkLine {
            line,
            entry: field(index[0]),
            aspect: field(index[1]),
            judge: field(index[2]),
            value: field(index[3]),
            kind: kind.map(field).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// What the optional entry columns of a marks file say about one entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryColumns {
    pub side: Option<String>,
    pub group: Option<String>,
    pub program: Option<String>,
    pub contest: Option<String>,
}

/// The optional entry columns (`side`, `group`, `program`, `contest`) of a
/// marks file, by entry, in the order entries first appear. A value may be
/// given on any of the entry's rows and left empty on the others; two
/// different values for one entry are an error naming the line.
pub fn parse_entry_columns(text: &str) -> Result<Vec<(String, EntryColumns)>, MarksFileError> {
    const NAMES: [&str; 4] = ["side", "group", "program", "contest"];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(MarksFileError {
                line: 1,
                message: e.to_string(),
            })
        }
        None => return Ok(Vec::new()),
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let column = |name: &str| names.iter().position(|n| n == name);
    let Some(entry_column) = column("entry") else {
        return Err(MarksFileError {
            line: 1,
            message: "no `entry` column".into(),
        });
    };
    let columns: Vec<Option<usize>> = NAMES.iter().map(|n| column(n)).collect();
    let mut out: Vec<(String, EntryColumns)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for record in records {
        let record = record.map_err(|e| MarksFileError {
            line: e.position().map_or(0, |p| p.line() as usize),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let entry = record.get(entry_column).unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let k = *index.entry(entry.to_string()).or_insert_with(|| {
            out.push((entry.to_string(), EntryColumns::default()));
            out.len() - 1
        });
        for (name, c) in NAMES.iter().zip(&columns) {
            let Some(c) = c else { continue };
            let value = record.get(*c).unwrap_or("").trim();
            if value.is_empty() {
                continue;
            }
            let e = &mut out[k].1;
            let slot = match *name {
                "side" => &mut e.side,
                "group" => &mut e.group,
                "program" => &mut e.program,
                _ => &mut e.contest,
            };
            match slot {
                Some(old) if old != value => {
                    return Err(MarksFileError {
                        line,
                        message: format!(
                        "entry `{entry}` has {name} `{old}` on an earlier row and `{value}` here"
                    ),
                    })
                }
                Some(_) => {}
                None => *slot = Some(value.to_string()),
            }
        }
    }
    Ok(out)
}

/// One row of a judges file: a judge's label (as in the marks file), side,
/// and optionally a name to report the judge by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgeSide {
    pub judge: String,
    pub side: Option<String>,
    pub name: Option<String>,
}

/// Reads a judges file (columns `judge`, `side` and optionally `name`, by
/// header name). A judge listed twice is an error naming the line.
pub fn parse_judge_sides(text: &str) -> Result<Vec<JudgeSide>, MarksFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(MarksFileError {
                line: 1,
                message: e.to_string(),
            })
        }
        None => {
            return Err(MarksFileError {
                line: 1,
                message: "the file is empty: it needs the header judge,side".into(),
            })
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let column = |name: &str| names.iter().position(|n| n == name);
    let (Some(judge), Some(side)) = (column("judge"), column("side")) else {
        return Err(MarksFileError {
            line: 1,
            message: "the header needs the columns judge,side (and optionally name)".into(),
        });
    };
    let name = column("name");
    let mut out: Vec<JudgeSide> = Vec::new();
    for record in records {
        let record = record.map_err(|e| MarksFileError {
            line: e.position().map_or(0, |p| p.line() as usize),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let field = |i: usize| {
            let v = record.get(i).unwrap_or("").trim();
            (!v.is_empty()).then(|| v.to_string())
        };
        let Some(label) = field(judge) else {
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            return Err(MarksFileError {
                line,
                message: "the judge column is empty".into(),
            });
        };
        if out.iter().any(|j| j.judge == label) {
            return Err(MarksFileError {
                line,
                message: format!("judge `{label}` is listed twice"),
            });
        }
        out.push(JudgeSide {
            judge: label,
            side: field(side),
            name: name.and_then(field),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_lines_and_text() {
        let text = "entry,aspect,judge,value,kind\nD1,dive1,J1,7.5,\nD1,dive1,,3.2,factor\n\nD1,dive1,J2,*,\n";
        let rows = parse_marks(text).expect("reads");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].kind, "factor");
        assert_eq!(rows[2].line, 5);
        assert_eq!(rows[2].value, "*");
    }

    #[test]
    fn columns_by_name_in_any_order() {
        let rows = parse_marks("Value,Judge,Aspect,Entry\n8,J1,A1.2,E7\n").expect("reads");
        assert_eq!(rows[0].entry, "E7");
        assert_eq!(rows[0].value, "8");
        assert_eq!(rows[0].kind, "");
    }

    #[test]
    fn a_missing_column_names_itself() {
        let e = parse_marks("entry,aspect,value\nE1,A1,1\n").expect_err("no judge column");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("`judge`"), "{e}");
        assert!(parse_marks("").is_err());
    }

    #[test]
    fn entry_columns_are_read_from_any_row_and_must_agree() {
        let text =
            "entry,aspect,judge,value,side,group\nE1,A,J1,1,AUS,\nE1,A,J2,1,,short\nE2,A,J1,1,,\n";
        let e = parse_entry_columns(text).expect("reads");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].1.side.as_deref(), Some("AUS"));
        assert_eq!(e[0].1.group.as_deref(), Some("short"));
        assert_eq!(e[1].1, EntryColumns::default());
        let bad = "entry,aspect,judge,value,side\nE1,A,J1,1,AUS\nE1,A,J2,1,CAN\n";
        let err = parse_entry_columns(bad).expect_err("two sides");
        assert_eq!(err.line, 3);
    }

    #[test]
    fn a_judges_file_names_sides() {
        let j = parse_judge_sides("judge,side,name\nJ1,AUS,Elizabeth RYAN\nJ2,,\n").expect("reads");
        assert_eq!(j[0].side.as_deref(), Some("AUS"));
        assert_eq!(j[0].name.as_deref(), Some("Elizabeth RYAN"));
        assert_eq!(j[1].side, None);
        assert!(parse_judge_sides("judge,side\nJ1,A\nJ1,B\n").is_err());
        assert!(parse_judge_sides("label,side\n").is_err());
    }
}
