//! The rules across the rows of one registration (a file or a request): the
//! same person twice, start numbers shared between entries, and the members of
//! a team disagreeing. Rows with errors of their own take part as far as their
//! valid fields go.

use super::fields::{read_row, Column, PartialRow, RawRow};
use super::{RegistrationRow, RowError};
use crate::engine::model::IdKind;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Checks the rows of one registration as they come, then the rules across
/// them. A reader adds the problems it found in the source itself with
/// [`RowChecker::report`].
#[derive(Default)]
pub struct RowChecker {
    valid: Vec<RegistrationRow>,
    invalid: Vec<PartialRow>,
    errors: Vec<RowError>,
}

impl RowChecker {
    pub fn new() -> Self {
        RowChecker::default()
    }

    /// Checks one row's fields.
    pub fn add(&mut self, raw: &RawRow<'_>) {
        match read_row(raw, &mut self.errors) {
            Ok(row) => self.valid.push(row),
            Err(partial) => self.invalid.push(partial),
        }
    }

    /// A problem found while reading the source (its layout, say).
    pub fn report(&mut self, error: RowError) {
        self.errors.push(error);
    }

    /// Every row, or every problem found, ordered by row and then left to
    /// right (whole-row problems first). Nothing is returned unless every row
    /// is valid.
    pub fn finish(mut self) -> Result<Vec<RegistrationRow>, Vec<RowError>> {
        check_across_rows(&self.valid, &self.invalid, &mut self.errors);
        if self.errors.is_empty() {
            Ok(self.valid)
        } else {
            self.errors
                .sort_by_key(|e| (e.row, Column::rank(&e.column)));
            Err(self.errors)
        }
    }
}

/// Checks the rows of one registration: each row's fields, then the rules
/// across rows.
pub fn check_rows(rows: &[RawRow<'_>]) -> Result<Vec<RegistrationRow>, Vec<RowError>> {
    let mut checker = RowChecker::new();
    for raw in rows {
        checker.add(raw);
    }
    checker.finish()
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
                crate::msg!("row_same_person", first = first),
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
                crate::msg!("row_start_number_used", number = number, first = first),
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

#[cfg(test)]
mod tests {
    use super::super::test_rows::*;

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
    fn row_errors_serialise_as_the_api_reports_them() {
        let json = serde_json::to_value(e(3, "id_number", "the id number is missing")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"row": 3, "column": "id_number", "message": "the id number is missing"})
        );
    }
}
