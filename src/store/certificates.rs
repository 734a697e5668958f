//! Award certificates: one row per holder of an award in a publication
//! version, added once and never changed.

use super::schema::certificates;
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{CompetitorId, ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = certificates)]
pub struct CertificateRow {
    pub id: i64,
    pub code: String,
    pub contest_id: i64,
    pub version: i32,
    pub entry_id: i64,
    pub competitor_id: i64,
    pub holder: String,
    pub award: String,
    pub position: i32,
    pub issued_by: Option<i64>,
    pub issued_at: NaiveDateTime,
}

/// What a new certificate stores.
pub struct NewCertificate<'a> {
    /// The code in its stored form (no dashes, upper case).
    pub code: &'a str,
    pub contest: ContestId,
    pub version: i32,
    pub entry: EntryId,
    pub competitor: CompetitorId,
    pub holder: &'a str,
    pub award: &'a str,
    pub position: i32,
    pub by: Option<UserId>,
}

/// Stores a certificate and returns its id.
pub fn insert(conn: &mut DbConnection, c: &NewCertificate<'_>) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::Certificates)?;
    diesel::insert_into(certificates::table)
        .values((
            certificates::id.eq(id),
            certificates::code.eq(c.code),
            certificates::contest_id.eq(c.contest.0),
            certificates::version.eq(c.version),
            certificates::entry_id.eq(c.entry.0),
            certificates::competitor_id.eq(c.competitor.0),
            certificates::holder.eq(c.holder),
            certificates::award.eq(c.award),
            certificates::position.eq(c.position),
            certificates::issued_by.eq(c.by.map(|u| u.0)),
            certificates::issued_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The certificate with this code (in its stored form).
pub fn by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<CertificateRow>> {
    certificates::table
        .filter(certificates::code.eq(code))
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()
}

/// The certificates issued for one publication version, in their order.
pub fn of_publication(
    conn: &mut DbConnection,
    contest: ContestId,
    version: i32,
) -> QueryResult<Vec<CertificateRow>> {
    certificates::table
        .filter(certificates::contest_id.eq(contest.0))
        .filter(certificates::version.eq(version))
        .order((certificates::position.asc(), certificates::id.asc()))
        .select(CertificateRow::as_select())
        .load(conn)
}
