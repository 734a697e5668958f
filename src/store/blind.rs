//! Blind numbers: each layer's draws and the numbers they gave. Only the
//! workflows in `workflow::fair_play::blind` read these tables, and they
//! answer the mapping to the encryption officer alone until decryption.

use super::schema::{blind_draws, blind_numbers};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = blind_draws)]
pub struct BlindDrawRow {
    pub id: i64,
    pub layer: i32,
    pub seed: i64,
    pub reason: Option<String>,
    pub replaces: Option<i64>,
    pub drawn_by: i64,
    pub drawn_at: NaiveDateTime,
}

/// What a new draw of one layer stores.
pub struct NewBlindDraw<'a> {
    pub layer: i32,
    pub seed: i64,
    pub reason: Option<&'a str>,
    pub replaces: Option<i64>,
    pub by: UserId,
    pub numbers: &'a [(EntryId, String)],
}

/// Stores a draw and its numbers; returns the draw's id.
pub fn insert_draw(
    conn: &mut DbConnection,
    contest: ContestId,
    d: &NewBlindDraw<'_>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::BlindDraws)?;
    diesel::insert_into(blind_draws::table)
        .values((
            blind_draws::id.eq(id),
            blind_draws::contest_id.eq(contest.0),
            blind_draws::layer.eq(d.layer),
            blind_draws::seed.eq(d.seed),
            blind_draws::reason.eq(d.reason),
            blind_draws::replaces.eq(d.replaces),
            blind_draws::drawn_by.eq(d.by.0),
            blind_draws::drawn_at.eq(now()),
        ))
        .execute(conn)?;
    for (e, n) in d.numbers {
        diesel::insert_into(blind_numbers::table)
            .values((
                blind_numbers::draw_id.eq(id),
                blind_numbers::entry_id.eq(e.0),
                blind_numbers::number.eq(n.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// Every draw of a contest, oldest first.
pub fn draws(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<BlindDrawRow>> {
    blind_draws::table
        .filter(blind_draws::contest_id.eq(contest.0))
        .order(blind_draws::id.asc())
        .select(BlindDrawRow::as_select())
        .load(conn)
}

/// The numbers one draw gave, by entry.
pub fn numbers(conn: &mut DbConnection, draw: i64) -> QueryResult<Vec<(EntryId, String)>> {
    Ok(blind_numbers::table
        .filter(blind_numbers::draw_id.eq(draw))
        .select((blind_numbers::entry_id, blind_numbers::number))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(e, n)| (EntryId(e), n))
        .collect())
}
