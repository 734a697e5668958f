//! A contest's fair-play settings (blind layers, appeal window) and the
//! signatures that steps such as decryption and publication need.

use super::schema::{fair_play_settings, signatures};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = fair_play_settings)]
pub struct SettingsRow {
    pub blind_layers: i32,
    pub appeal_minutes: i32,
    pub appeal_from: String,
    pub recheck_required: bool,
    pub changed_by: Option<i64>,
    pub changed_at: NaiveDateTime,
}

/// A contest's settings; `None` when they were never set (the defaults).
pub fn settings(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Option<SettingsRow>> {
    fair_play_settings::table
        .find(contest.0)
        .select(SettingsRow::as_select())
        .first(conn)
        .optional()
}

/// What a contest's settings store.
pub struct NewSettings<'a> {
    pub blind_layers: i32,
    pub appeal_minutes: i32,
    pub appeal_from: &'a str,
    pub recheck_required: bool,
    pub by: Option<UserId>,
}

/// Sets a contest's settings, replacing what was there (the caller audits).
pub fn put_settings(
    conn: &mut DbConnection,
    contest: ContestId,
    s: &NewSettings<'_>,
) -> QueryResult<()> {
    diesel::delete(fair_play_settings::table.find(contest.0)).execute(conn)?;
    diesel::insert_into(fair_play_settings::table)
        .values((
            fair_play_settings::contest_id.eq(contest.0),
            fair_play_settings::blind_layers.eq(s.blind_layers),
            fair_play_settings::appeal_minutes.eq(s.appeal_minutes),
            fair_play_settings::appeal_from.eq(s.appeal_from),
            fair_play_settings::recheck_required.eq(s.recheck_required),
            fair_play_settings::changed_by.eq(s.by.map(|u| u.0)),
            fair_play_settings::changed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = signatures)]
pub struct SignatureRow {
    pub purpose: String,
    pub version: i32,
    pub role: String,
    pub user_id: i64,
    pub signed_at: NaiveDateTime,
}

/// Records a signature; the database refuses a second one for the same
/// role and step.
pub fn sign(
    conn: &mut DbConnection,
    contest: ContestId,
    purpose: &str,
    version: i32,
    role: &str,
    user: UserId,
) -> QueryResult<()> {
    let id = allocate_id(conn, IdTable::Signatures)?;
    diesel::insert_into(signatures::table)
        .values((
            signatures::id.eq(id),
            signatures::contest_id.eq(contest.0),
            signatures::purpose.eq(purpose),
            signatures::version.eq(version),
            signatures::role.eq(role),
            signatures::user_id.eq(user.0),
            signatures::signed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The signatures given for one step, oldest first.
pub fn signatures_for(
    conn: &mut DbConnection,
    contest: ContestId,
    purpose: &str,
    version: i32,
) -> QueryResult<Vec<SignatureRow>> {
    signatures::table
        .filter(signatures::contest_id.eq(contest.0))
        .filter(signatures::purpose.eq(purpose))
        .filter(signatures::version.eq(version))
        .order(signatures::id.asc())
        .select(SignatureRow::as_select())
        .load(conn)
}

/// How far a contest's fair-play steps have gone, in counts only (never a
/// number or a seed): the kinds of lots drawn (workstations, running
/// order), the blind layers drawn, appeals filed and decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepCounts {
    pub draw_kinds: Vec<String>,
    pub blind_layers: Vec<i32>,
    pub appeals: i64,
    pub appeals_decided: i64,
}

pub fn step_counts(conn: &mut DbConnection, contest: ContestId) -> QueryResult<StepCounts> {
    use super::schema::{appeal_events, appeals, blind_draws, draws};
    let mut draw_kinds: Vec<String> = draws::table
        .filter(draws::contest_id.eq(contest.0))
        .select(draws::kind)
        .distinct()
        .load(conn)?;
    draw_kinds.sort();
    let mut blind_layers: Vec<i32> = blind_draws::table
        .filter(blind_draws::contest_id.eq(contest.0))
        .select(blind_draws::layer)
        .distinct()
        .load(conn)?;
    blind_layers.sort_unstable();
    let filed: Vec<i64> = appeals::table
        .filter(appeals::contest_id.eq(contest.0))
        .select(appeals::id)
        .load(conn)?;
    let decided: i64 = if filed.is_empty() {
        0
    } else {
        appeal_events::table
            .filter(appeal_events::appeal_id.eq_any(&filed))
            .filter(appeal_events::kind.eq("decision"))
            .count()
            .get_result(conn)?
    };
    Ok(StepCounts {
        draw_kinds,
        blind_layers,
        appeals: filed.len() as i64,
        appeals_decided: decided,
    })
}
