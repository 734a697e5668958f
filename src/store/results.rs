//! Results: award policies (versioned), measures recorded for tie-breaks
//! (append-only) and publications (immutable, versioned snapshots).

use super::schema::{contest_policies, entry_measures, publications};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = contest_policies)]
pub struct PolicyVersion {
    pub version: i32,
    pub body: String,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    #[serde(with = "crate::io::utc")]
    pub created_at: NaiveDateTime,
}

pub fn current_policy(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Option<PolicyVersion>> {
    contest_policies::table
        .filter(contest_policies::contest_id.eq(contest.0))
        .order(contest_policies::version.desc())
        .select(PolicyVersion::as_select())
        .first(conn)
        .optional()
}

pub fn policy_versions(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<PolicyVersion>> {
    contest_policies::table
        .filter(contest_policies::contest_id.eq(contest.0))
        .order(contest_policies::version.asc())
        .select(PolicyVersion::as_select())
        .load(conn)
}

/// Stores the next version of a contest's policy and returns its number.
pub fn insert_policy(
    conn: &mut DbConnection,
    contest: ContestId,
    body: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> QueryResult<i32> {
    let version = current_policy(conn, contest)?.map_or(0, |p| p.version) + 1;
    let id = allocate_id(conn, IdTable::Policies)?;
    diesel::insert_into(contest_policies::table)
        .values((
            contest_policies::id.eq(id),
            contest_policies::contest_id.eq(contest.0),
            contest_policies::version.eq(version),
            contest_policies::body.eq(body),
            contest_policies::reason.eq(reason),
            contest_policies::created_by.eq(by.map(|u| u.0)),
            contest_policies::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(version)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = entry_measures)]
pub struct Measure {
    pub id: i64,
    pub entry_id: i64,
    pub name: String,
    pub value: String,
    pub reason: Option<String>,
    pub recorded_by: Option<i64>,
    #[serde(with = "crate::io::utc")]
    pub recorded_at: NaiveDateTime,
}

pub fn insert_measure(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    name: &str,
    value: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::Measures)?;
    diesel::insert_into(entry_measures::table)
        .values((
            entry_measures::id.eq(id),
            entry_measures::contest_id.eq(contest.0),
            entry_measures::entry_id.eq(entry.0),
            entry_measures::name.eq(name),
            entry_measures::value.eq(value),
            entry_measures::reason.eq(reason),
            entry_measures::recorded_by.eq(by.map(|u| u.0)),
            entry_measures::recorded_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Every measure recorded in a contest, oldest first (a later value of a
/// measure replaces an earlier one).
pub fn measures_of_contest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<Measure>> {
    entry_measures::table
        .filter(entry_measures::contest_id.eq(contest.0))
        .order(entry_measures::id.asc())
        .select(Measure::as_select())
        .load(conn)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = publications)]
pub struct Publication {
    pub version: i32,
    pub reason: Option<String>,
    pub seed: i64,
    pub scheme_version: i32,
    pub policy_version: i32,
    pub body: String,
    pub published_by: Option<i64>,
    pub published_at: NaiveDateTime,
}

/// What a new publication stores.
pub struct NewPublication<'a> {
    pub reason: Option<&'a str>,
    pub seed: i64,
    pub scheme_version: i32,
    pub policy_version: i32,
    pub body: &'a str,
    pub by: Option<UserId>,
}

/// Stores the next publication of a contest and returns its version.
pub fn insert_publication(
    conn: &mut DbConnection,
    contest: ContestId,
    p: &NewPublication<'_>,
) -> QueryResult<i32> {
    let version = latest_version(conn, contest)? + 1;
    let id = allocate_id(conn, IdTable::Publications)?;
    diesel::insert_into(publications::table)
        .values((
            publications::id.eq(id),
            publications::contest_id.eq(contest.0),
            publications::version.eq(version),
            publications::reason.eq(p.reason),
            publications::seed.eq(p.seed),
            publications::scheme_version.eq(p.scheme_version),
            publications::policy_version.eq(p.policy_version),
            publications::body.eq(p.body),
            publications::published_by.eq(p.by.map(|u| u.0)),
            publications::published_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(version)
}

/// The number of the latest publication (0 when there is none).
pub fn latest_version(conn: &mut DbConnection, contest: ContestId) -> QueryResult<i32> {
    publications::table
        .filter(publications::contest_id.eq(contest.0))
        .select(diesel::dsl::max(publications::version))
        .first::<Option<i32>>(conn)
        .map(|v| v.unwrap_or(0))
}

/// One publication; the latest when `version` is `None`.
pub fn publication(
    conn: &mut DbConnection,
    contest: ContestId,
    version: Option<i32>,
) -> QueryResult<Option<Publication>> {
    let version = match version {
        Some(v) => v,
        None => latest_version(conn, contest)?,
    };
    publications::table
        .filter(publications::contest_id.eq(contest.0))
        .filter(publications::version.eq(version))
        .select(Publication::as_select())
        .first(conn)
        .optional()
}

/// The seed and body of one publication.
pub fn publication_body(
    conn: &mut DbConnection,
    contest: ContestId,
    version: i32,
) -> QueryResult<Option<(i64, String)>> {
    publications::table
        .filter(publications::contest_id.eq(contest.0))
        .filter(publications::version.eq(version))
        .select((publications::seed, publications::body))
        .first(conn)
        .optional()
}

/// Every publication of a contest without its body: version, reason, time.
pub fn publication_history(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<(i32, Option<String>, NaiveDateTime)>> {
    publications::table
        .filter(publications::contest_id.eq(contest.0))
        .order(publications::version.asc())
        .select((
            publications::version,
            publications::reason,
            publications::published_at,
        ))
        .load(conn)
}
