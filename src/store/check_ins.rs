//! Check-in (检录): every check recorded at the door, appended; the latest
//! check of an entry stands (the latest made at the door, so that a check
//! queued offline and sent late does not override a newer one).

use super::schema::check_ins;
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = check_ins)]
pub struct CheckInRow {
    pub id: i64,
    pub entry_id: i64,
    pub status: String,
    pub identity_matched: bool,
    pub reason: Option<String>,
    pub client_id: String,
    pub device: String,
    pub checked_by: i64,
    pub checked_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

/// What a new check stores.
pub struct NewCheckIn<'a> {
    pub entry: EntryId,
    pub status: &'a str,
    pub identity_matched: bool,
    pub reason: Option<&'a str>,
    pub client_id: &'a str,
    pub device: &'a str,
    pub by: UserId,
    pub checked_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, contest: ContestId, c: &NewCheckIn<'_>) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::CheckIns)?;
    diesel::insert_into(check_ins::table)
        .values((
            check_ins::id.eq(id),
            check_ins::contest_id.eq(contest.0),
            check_ins::entry_id.eq(c.entry.0),
            check_ins::status.eq(c.status),
            check_ins::identity_matched.eq(c.identity_matched),
            check_ins::reason.eq(c.reason),
            check_ins::client_id.eq(c.client_id),
            check_ins::device.eq(c.device),
            check_ins::checked_by.eq(c.by.0),
            check_ins::checked_at.eq(c.checked_at),
            check_ins::recorded_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Every check of a contest, oldest first.
pub fn all(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<CheckInRow>> {
    check_ins::table
        .filter(check_ins::contest_id.eq(contest.0))
        .order((check_ins::checked_at.asc(), check_ins::id.asc()))
        .select(CheckInRow::as_select())
        .load(conn)
}

/// The check that stands for each entry checked so far.
pub fn latest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<HashMap<EntryId, CheckInRow>> {
    Ok(all(conn, contest)?
        .into_iter()
        .map(|r| (EntryId(r.entry_id), r))
        .collect())
}

/// The check that stands for one entry, if it was checked.
pub fn latest_of_entry(conn: &mut DbConnection, entry: EntryId) -> QueryResult<Option<CheckInRow>> {
    check_ins::table
        .filter(check_ins::entry_id.eq(entry.0))
        .order((check_ins::checked_at.desc(), check_ins::id.desc()))
        .select(CheckInRow::as_select())
        .first(conn)
        .optional()
}

/// The check a device sent with this id, if it was stored.
pub fn by_client_id(
    conn: &mut DbConnection,
    contest: ContestId,
    client_id: &str,
) -> QueryResult<Option<CheckInRow>> {
    check_ins::table
        .filter(check_ins::contest_id.eq(contest.0))
        .filter(check_ins::client_id.eq(client_id))
        .select(CheckInRow::as_select())
        .first(conn)
        .optional()
}
