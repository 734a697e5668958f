//! Re-check (复核): every check of an entry's score sheet, appended; the
//! latest check of an entry stands.

use super::schema::rechecks;
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = rechecks)]
pub struct RecheckRow {
    pub id: i64,
    pub entry_id: i64,
    /// The total the checker read, as a decimal.
    pub total: String,
    pub agrees: bool,
    pub note: Option<String>,
    pub checked_by: i64,
    pub checked_at: NaiveDateTime,
}

/// What a new check stores.
pub struct NewRecheck<'a> {
    pub entry: EntryId,
    pub total: &'a str,
    pub agrees: bool,
    pub note: Option<&'a str>,
    pub by: UserId,
}

/// Appends a check; answers its id.
pub fn insert(conn: &mut DbConnection, contest: ContestId, c: &NewRecheck<'_>) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::Rechecks)?;
    diesel::insert_into(rechecks::table)
        .values((
            rechecks::id.eq(id),
            rechecks::contest_id.eq(contest.0),
            rechecks::entry_id.eq(c.entry.0),
            rechecks::total.eq(c.total),
            rechecks::agrees.eq(c.agrees),
            rechecks::note.eq(c.note),
            rechecks::checked_by.eq(c.by.0),
            rechecks::checked_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The check that stands for each entry checked so far.
pub fn latest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<HashMap<EntryId, RecheckRow>> {
    let rows: Vec<RecheckRow> = rechecks::table
        .filter(rechecks::contest_id.eq(contest.0))
        .order(rechecks::id.asc())
        .select(RecheckRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (EntryId(r.entry_id), r)).collect())
}
