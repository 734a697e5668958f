//! Live rankings: whether the organiser has made a contest's live ranking
//! public, and where a competitor has been entered.

use super::schema::{competitors, entry_members, live_rankings};
use super::{now, DbConnection};
use crate::engine::model::{CompetitorId, ContestId, EntryId, UserId};
use diesel::prelude::*;

/// Whether the contest's live ranking is public; private until set.
pub fn is_public(conn: &mut DbConnection, contest: ContestId) -> QueryResult<bool> {
    Ok(live_rankings::table
        .find(contest.0)
        .select(live_rankings::public)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// Makes the live ranking public or private. Call it inside `write_tx`.
pub fn set_public(
    conn: &mut DbConnection,
    contest: ContestId,
    public: bool,
    by: Option<UserId>,
) -> QueryResult<()> {
    diesel::delete(live_rankings::table.find(contest.0)).execute(conn)?;
    diesel::insert_into(live_rankings::table)
        .values((
            live_rankings::contest_id.eq(contest.0),
            live_rankings::public.eq(public),
            live_rankings::changed_by.eq(by.map(|u| u.0)),
            live_rankings::changed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every (contest, entry) a competitor has been entered in.
pub fn entries_of_competitor(
    conn: &mut DbConnection,
    competitor: CompetitorId,
) -> QueryResult<Vec<(ContestId, EntryId)>> {
    Ok(entry_members::table
        .filter(entry_members::competitor_id.eq(competitor.0))
        .select((entry_members::contest_id, entry_members::entry_id))
        .order(entry_members::contest_id)
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .map(|(c, e)| (ContestId(c), EntryId(e)))
        .collect())
}

/// The competitors of every entry of a contest with their names, in seat
/// order.
pub fn member_names_of_contest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<(EntryId, CompetitorId, String)>> {
    Ok(entry_members::table
        .inner_join(competitors::table)
        .filter(entry_members::contest_id.eq(contest.0))
        .select((
            entry_members::entry_id,
            entry_members::competitor_id,
            competitors::name,
        ))
        .order((entry_members::entry_id, entry_members::seat))
        .load::<(i64, i64, String)>(conn)?
        .into_iter()
        .map(|(e, c, n)| (EntryId(e), CompetitorId(c), n))
        .collect())
}
