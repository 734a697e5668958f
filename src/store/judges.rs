//! What judge analytics read and keep: each judge's own marks of a contest
//! in the order they were stored, and a contest's flag threshold.

use super::schema::{judge_flag_settings, marks};
use super::{now, DbConnection};
use crate::engine::model::{ContestId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One stored mark of a judge's own slot (`judge:KEY`, `trainee:KEY`) or a
/// measurement's recorded `value`, with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct OwnMark {
    pub entry_id: i64,
    pub aspect: String,
    pub slot: String,
    pub value: String,
    pub judge_id: i64,
}

/// Every mark of a contest in a judge's own slot or a `value` slot, in the
/// order they were stored: a later mark of a slot replaces the earlier
/// ones (each correction `replaces` the slot's current mark), so the last
/// one of each slot is its current value.
pub fn own_marks(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<OwnMark>> {
    crate::on_backend!(conn, |c| marks::table
        .filter(marks::contest_id.eq(contest.0))
        .filter(
            marks::slot
                .like("judge:%")
                .or(marks::slot.like("trainee:%"))
                .or(marks::slot.eq("value")),
        )
        .order(marks::id.asc())
        .select((
            marks::entry_id,
            marks::aspect,
            marks::slot,
            marks::value,
            marks::judge_id,
        ))
        .load::<OwnMark>(c))
}

/// A contest's flag threshold as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = judge_flag_settings)]
pub struct FlagSettingsRow {
    /// A decimal, as text.
    pub mad_share: String,
    pub min_marks: i32,
    pub changed_by: Option<i64>,
    pub changed_at: NaiveDateTime,
}

/// A contest's flag threshold; `None` when never set (the defaults).
pub fn flag_settings(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Option<FlagSettingsRow>> {
    judge_flag_settings::table
        .find(contest.0)
        .select(FlagSettingsRow::as_select())
        .first(conn)
        .optional()
}

/// Sets a contest's flag threshold, replacing what was there (the caller
/// audits).
pub fn put_flag_settings(
    conn: &mut DbConnection,
    contest: ContestId,
    mad_share: &str,
    min_marks: i32,
    by: Option<UserId>,
) -> QueryResult<()> {
    diesel::delete(judge_flag_settings::table.find(contest.0)).execute(conn)?;
    diesel::insert_into(judge_flag_settings::table)
        .values((
            judge_flag_settings::contest_id.eq(contest.0),
            judge_flag_settings::mad_share.eq(mad_share),
            judge_flag_settings::min_marks.eq(min_marks),
            judge_flag_settings::changed_by.eq(by.map(|u| u.0)),
            judge_flag_settings::changed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
