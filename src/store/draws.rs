//! Draws by lot (抽签) of workstations and running order, and the places
//! each gave. A draw is never changed or deleted: a redraw is a new row that
//! names the draw it replaces.

use super::schema::{draw_places, draws};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = draws)]
pub struct DrawRow {
    pub id: i64,
    pub contest_id: i64,
    pub kind: String,
    pub seed: i64,
    pub reason: Option<String>,
    pub replaces: Option<i64>,
    pub drawn_by: i64,
    pub drawn_at: NaiveDateTime,
    pub session_size: Option<i32>,
}

/// What a new draw stores.
pub struct NewDraw<'a> {
    pub kind: &'a str,
    pub seed: i64,
    pub reason: Option<&'a str>,
    pub replaces: Option<i64>,
    pub session_size: Option<i32>,
    pub by: UserId,
    pub places: &'a [(EntryId, i32)],
}

/// Stores a draw and its places; returns the draw's id.
pub fn insert(conn: &mut DbConnection, contest: ContestId, d: &NewDraw<'_>) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::Draws)?;
    diesel::insert_into(draws::table)
        .values((
            draws::id.eq(id),
            draws::contest_id.eq(contest.0),
            draws::kind.eq(d.kind),
            draws::seed.eq(d.seed),
            draws::reason.eq(d.reason),
            draws::replaces.eq(d.replaces),
            draws::drawn_by.eq(d.by.0),
            draws::drawn_at.eq(now()),
            draws::session_size.eq(d.session_size),
        ))
        .execute(conn)?;
    for (e, p) in d.places {
        diesel::insert_into(draw_places::table)
            .values((
                draw_places::draw_id.eq(id),
                draw_places::entry_id.eq(e.0),
                draw_places::place.eq(*p),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// Every draw of a contest, oldest first.
pub fn of_contest(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<DrawRow>> {
    draws::table
        .filter(draws::contest_id.eq(contest.0))
        .order(draws::id.asc())
        .select(DrawRow::as_select())
        .load(conn)
}

/// One draw of a contest, if it exists.
pub fn find(conn: &mut DbConnection, contest: ContestId, id: i64) -> QueryResult<Option<DrawRow>> {
    draws::table
        .filter(draws::contest_id.eq(contest.0))
        .filter(draws::id.eq(id))
        .select(DrawRow::as_select())
        .first(conn)
        .optional()
}

/// The places one draw gave, by place.
pub fn places(conn: &mut DbConnection, draw: i64) -> QueryResult<Vec<(EntryId, i32)>> {
    Ok(draw_places::table
        .filter(draw_places::draw_id.eq(draw))
        .order(draw_places::place.asc())
        .select((draw_places::entry_id, draw_places::place))
        .load::<(i64, i32)>(conn)?
        .into_iter()
        .map(|(e, p)| (EntryId(e), p))
        .collect())
}
