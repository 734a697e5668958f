//! Brackets: the recipe of each bracket, and its results as appended rows.

use super::schema::{bracket_results, brackets};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = brackets)]
pub struct BracketRow {
    pub id: i64,
    pub contest_id: i64,
    pub code: String,
    pub format: String,
    /// JSON of the engine's options.
    pub options: String,
    /// JSON array of entry ids, in seed order.
    pub entrants: String,
    /// How the seeds were decided (JSON of `brackets::Seeding`).
    pub seeding: String,
    pub created_at: NaiveDateTime,
}

/// What a new bracket stores.
pub struct NewBracket<'a> {
    pub code: &'a str,
    pub format: &'a str,
    pub options: &'a str,
    pub entrants: &'a str,
    pub seeding: &'a str,
    pub by: Option<UserId>,
}

pub fn insert(conn: &mut DbConnection, contest: ContestId, b: &NewBracket<'_>) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::Brackets)?;
    diesel::insert_into(brackets::table)
        .values((
            brackets::id.eq(id),
            brackets::contest_id.eq(contest.0),
            brackets::code.eq(b.code),
            brackets::format.eq(b.format),
            brackets::options.eq(b.options),
            brackets::entrants.eq(b.entrants),
            brackets::seeding.eq(b.seeding),
            brackets::created_by.eq(b.by.map(|u| u.0)),
            brackets::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<Option<BracketRow>> {
    brackets::table
        .find(id)
        .select(BracketRow::as_select())
        .first(conn)
        .optional()
}

pub fn of_contest(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<BracketRow>> {
    brackets::table
        .filter(brackets::contest_id.eq(contest.0))
        .order(brackets::id.asc())
        .select(BracketRow::as_select())
        .load(conn)
}

/// One recorded result, or a reset (no body).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = bracket_results)]
pub struct ResultRow {
    pub id: i64,
    pub match_id: String,
    /// JSON of the engine's match result; `None` clears the match.
    pub body: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: Option<i64>,
    #[serde(with = "crate::io::utc")]
    pub recorded_at: NaiveDateTime,
}

/// Every result row of a bracket, oldest first.
pub fn results(conn: &mut DbConnection, bracket: i64) -> QueryResult<Vec<ResultRow>> {
    bracket_results::table
        .filter(bracket_results::bracket_id.eq(bracket))
        .order(bracket_results::id.asc())
        .select(ResultRow::as_select())
        .load(conn)
}

pub fn append_result(
    conn: &mut DbConnection,
    bracket: i64,
    match_id: &str,
    body: Option<&str>,
    reason: Option<&str>,
    by: Option<UserId>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::BracketResults)?;
    diesel::insert_into(bracket_results::table)
        .values((
            bracket_results::id.eq(id),
            bracket_results::bracket_id.eq(bracket),
            bracket_results::match_id.eq(match_id),
            bracket_results::body.eq(body),
            bracket_results::reason.eq(reason),
            bracket_results::recorded_by.eq(by.map(|u| u.0)),
            bracket_results::recorded_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}
