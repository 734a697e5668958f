//! Advancement: qualification rules per contest (versioned) and confirmed
//! advancements with their provenance.

use super::schema::{advancements, contest_pathways};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = contest_pathways)]
pub struct PathwayVersion {
    pub contest_id: i64,
    pub version: i32,
    pub body: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The latest rules of every contest that has some.
pub fn current_pathways(conn: &mut DbConnection) -> QueryResult<Vec<PathwayVersion>> {
    let all: Vec<PathwayVersion> = contest_pathways::table
        .order((
            contest_pathways::contest_id,
            contest_pathways::version.desc(),
        ))
        .select(PathwayVersion::as_select())
        .load(conn)?;
    let mut out: Vec<PathwayVersion> = Vec::new();
    for p in all {
        if out.last().is_none_or(|l| l.contest_id != p.contest_id) {
            out.push(p);
        }
    }
    Ok(out)
}

pub fn current_pathway(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Option<PathwayVersion>> {
    contest_pathways::table
        .filter(contest_pathways::contest_id.eq(contest.0))
        .order(contest_pathways::version.desc())
        .select(PathwayVersion::as_select())
        .first(conn)
        .optional()
}

pub fn insert_pathway(
    conn: &mut DbConnection,
    contest: ContestId,
    body: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> QueryResult<i32> {
    let version = current_pathway(conn, contest)?.map_or(0, |p| p.version) + 1;
    let id = allocate_id(conn, IdTable::Pathways)?;
    diesel::insert_into(contest_pathways::table)
        .values((
            contest_pathways::id.eq(id),
            contest_pathways::contest_id.eq(contest.0),
            contest_pathways::version.eq(version),
            contest_pathways::body.eq(body),
            contest_pathways::reason.eq(reason),
            contest_pathways::created_by.eq(by.map(|u| u.0)),
            contest_pathways::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(version)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = advancements)]
pub struct Advancement {
    pub entry_id: i64,
    pub from_contest_id: i64,
    pub from_entry_id: i64,
    pub publication_version: i32,
    pub rule: String,
    pub confirmed_by: Option<i64>,
    #[serde(with = "crate::io::utc")]
    pub confirmed_at: NaiveDateTime,
}

/// The advancements confirmed into a contest.
pub fn advancements_into(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<Advancement>> {
    advancements::table
        .filter(advancements::contest_id.eq(contest.0))
        .order(advancements::id.asc())
        .select(Advancement::as_select())
        .load(conn)
}

/// What a confirmed advancement records.
pub struct NewAdvancement<'a> {
    pub entry: EntryId,
    pub from_contest: ContestId,
    pub from_entry: EntryId,
    pub publication_version: i32,
    pub rule: &'a str,
    pub by: Option<UserId>,
}

pub fn insert_advancement(
    conn: &mut DbConnection,
    contest: ContestId,
    a: &NewAdvancement<'_>,
) -> QueryResult<()> {
    let id = allocate_id(conn, IdTable::Advancements)?;
    diesel::insert_into(advancements::table)
        .values((
            advancements::id.eq(id),
            advancements::contest_id.eq(contest.0),
            advancements::entry_id.eq(a.entry.0),
            advancements::from_contest_id.eq(a.from_contest.0),
            advancements::from_entry_id.eq(a.from_entry.0),
            advancements::publication_version.eq(a.publication_version),
            advancements::rule.eq(a.rule),
            advancements::confirmed_by.eq(a.by.map(|u| u.0)),
            advancements::confirmed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
