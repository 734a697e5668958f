use crate::engine::model::*;
pub use crate::engine::registration::{RegistrationRow, RowError};
use chrono::NaiveDate;
pub struct Fields<'a> {
    pub start_number: Option<&'a str>,
    pub team: Option<&'a str>,
    pub name: &'a str,
    pub id_kind: IdKind,
    pub id_number: &'a str,
    pub birth_date: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub organisation: &'a str,
    pub group: Group,
    pub skill_level: Option<SkillLevel>,
}
pub fn check_registration(_row: usize, _f: Fields<'_>) -> Result<RegistrationRow, Vec<RowError>> { todo!() }
pub fn parse_entries(_text: &str) -> Result<Vec<RegistrationRow>, Vec<RowError>> { todo!() }
pub struct ExportRow { pub start_number: String, pub team: Option<String>, pub name: String, pub id_kind: IdKind, pub id_last4: String, pub birth_date: NaiveDate, pub gender: Gender, pub organisation_code: String, pub organisation_name: String, pub group: Group, pub skill_level: Option<SkillLevel>, pub status: String }
pub fn write_entries<W: std::io::Write>(_w: W, _rows: &[ExportRow]) -> Result<(), csv::Error> { todo!() }
