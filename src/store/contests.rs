//! Contests, with their eligibility rules and prerequisites.

use super::schema::{contest_judges, contest_prerequisites, contests};
use super::{allocate_id, corrupt, now, DbConnection, IdTable};
use crate::engine::model::{
    Contest, ContestId, ContestRole, ContestStatus, Eligibility, Group, OrganisationId, SkillId,
    TierId, UserId, Vocabulary,
};
use chrono::NaiveDate;
use diesel::prelude::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = contests)]
struct ContestRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    skill_id: i64,
    tier_id: i64,
    organiser_org_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    reference_date: NaiveDate,
    status: String,
    min_age: Option<i32>,
    max_age: Option<i32>,
    required_group: Option<String>,
    eligible_org_id: Option<i64>,
    time_zone: String,
}

impl ContestRow {
    fn into_contest(self, qualified_from: Vec<ContestId>) -> QueryResult<Contest> {
        Ok(Contest {
            id: ContestId(self.id),
            status: ContestStatus::parse(&self.status).map_err(corrupt)?,
            eligibility: Eligibility {
                min_age: self.min_age,
                max_age: self.max_age,
                group: self
                    .required_group
                    .as_deref()
                    .map(Group::parse)
                    .transpose()
                    .map_err(corrupt)?,
                within_organisation: self.eligible_org_id.map(OrganisationId),
                qualified_from,
            },
            code: self.code,
            name_zh: self.name_zh,
            name_en: self.name_en,
            skill_id: SkillId(self.skill_id),
            tier_id: TierId(self.tier_id),
            organiser_org_id: OrganisationId(self.organiser_org_id),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            reference_date: self.reference_date,
            time_zone: self.time_zone,
        })
    }
}

/// The editable content of a contest (everything but its id and status).
#[derive(Debug, Clone)]
pub struct ContestFields {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub skill_id: SkillId,
    pub tier_id: TierId,
    pub organiser_org_id: OrganisationId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reference_date: NaiveDate,
    pub eligibility: Eligibility,
}

pub fn insert(
    conn: &mut DbConnection,
    f: &ContestFields,
    status: ContestStatus,
) -> QueryResult<Contest> {
    let id = ContestId(allocate_id(conn, IdTable::Contests)?);
    let e = &f.eligibility;
    let at = now();
    diesel::insert_into(contests::table)
        .values((
            contests::id.eq(id.0),
            contests::code.eq(&f.code),
            contests::name_zh.eq(&f.name_zh),
            contests::name_en.eq(&f.name_en),
            contests::skill_id.eq(f.skill_id.0),
            contests::tier_id.eq(f.tier_id.0),
            contests::organiser_org_id.eq(f.organiser_org_id.0),
            contests::starts_on.eq(f.starts_on),
            contests::ends_on.eq(f.ends_on),
            contests::reference_date.eq(f.reference_date),
            contests::status.eq(status.code()),
            contests::min_age.eq(e.min_age),
            contests::max_age.eq(e.max_age),
            contests::required_group.eq(e.group.map(|g| g.code())),
            contests::eligible_org_id.eq(e.within_organisation.map(|o| o.0)),
            contests::created_at.eq(at),
            contests::updated_at.eq(at),
        ))
        .execute(conn)?;
    replace_prerequisites(conn, id, &e.qualified_from)?;
    get(conn, id)
}

pub fn update_fields(
    conn: &mut DbConnection,
    id: ContestId,
    f: &ContestFields,
) -> QueryResult<Contest> {
    let e = &f.eligibility;
    diesel::update(contests::table.find(id.0))
        .set((
            contests::code.eq(&f.code),
            contests::name_zh.eq(&f.name_zh),
            contests::name_en.eq(&f.name_en),
            contests::skill_id.eq(f.skill_id.0),
            contests::tier_id.eq(f.tier_id.0),
            contests::organiser_org_id.eq(f.organiser_org_id.0),
            contests::starts_on.eq(f.starts_on),
            contests::ends_on.eq(f.ends_on),
            contests::reference_date.eq(f.reference_date),
            contests::min_age.eq(e.min_age),
            contests::max_age.eq(e.max_age),
            contests::required_group.eq(e.group.map(|g| g.code())),
            contests::eligible_org_id.eq(e.within_organisation.map(|o| o.0)),
            contests::updated_at.eq(now()),
        ))
        .execute(conn)?;
    replace_prerequisites(conn, id, &e.qualified_from)?;
    get(conn, id)
}

fn replace_prerequisites(
    conn: &mut DbConnection,
    id: ContestId,
    required: &[ContestId],
) -> QueryResult<()> {
    diesel::delete(contest_prerequisites::table.filter(contest_prerequisites::contest_id.eq(id.0)))
        .execute(conn)?;
    for r in required {
        diesel::insert_into(contest_prerequisites::table)
            .values((
                contest_prerequisites::contest_id.eq(id.0),
                contest_prerequisites::required_contest_id.eq(r.0),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_status(
    conn: &mut DbConnection,
    id: ContestId,
    status: ContestStatus,
) -> QueryResult<Contest> {
    diesel::update(contests::table.find(id.0))
        .set((
            contests::status.eq(status.code()),
            contests::updated_at.eq(now()),
        ))
        .execute(conn)?;
    get(conn, id)
}

fn prerequisites(conn: &mut DbConnection, id: ContestId) -> QueryResult<Vec<ContestId>> {
    Ok(contest_prerequisites::table
        .filter(contest_prerequisites::contest_id.eq(id.0))
        .order(contest_prerequisites::required_contest_id)
        .select(contest_prerequisites::required_contest_id)
        .load::<i64>(conn)?
        .into_iter()
        .map(ContestId)
        .collect())
}

pub fn get(conn: &mut DbConnection, id: ContestId) -> QueryResult<Contest> {
    let row = contests::table
        .find(id.0)
        .select(ContestRow::as_select())
        .first(conn)?;
    let pre = prerequisites(conn, id)?;
    row.into_contest(pre)
}

/// A contest's code and status only (for checks on every mark).
pub fn code_and_status(
    conn: &mut DbConnection,
    id: ContestId,
) -> QueryResult<Option<(String, ContestStatus)>> {
    let row: Option<(String, String)> = crate::on_backend!(conn, |c| contests::table
        .find(id.0)
        .select((contests::code, contests::status))
        .first(c)
        .optional())?;
    row.map(|(code, status)| Ok((code, ContestStatus::parse(&status).map_err(corrupt)?)))
        .transpose()
}

pub fn find(conn: &mut DbConnection, id: ContestId) -> QueryResult<Option<Contest>> {
    match get(conn, id) {
        Ok(c) => Ok(Some(c)),
        Err(diesel::result::Error::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Contest>> {
    let id: Option<i64> = contests::table
        .filter(contests::code.eq(code))
        .select(contests::id)
        .first(conn)
        .optional()?;
    id.map(|id| get(conn, ContestId(id))).transpose()
}

/// Every contest, newest first.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Contest>> {
    let rows: Vec<ContestRow> = contests::table
        .order((contests::starts_on.desc(), contests::id))
        .select(ContestRow::as_select())
        .load(conn)?;
    let pre: Vec<(i64, i64)> = contest_prerequisites::table
        .select((
            contest_prerequisites::contest_id,
            contest_prerequisites::required_contest_id,
        ))
        .order((
            contest_prerequisites::contest_id,
            contest_prerequisites::required_contest_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let own = pre
                .iter()
                .filter(|(c, _)| *c == r.id)
                .map(|(_, q)| ContestId(*q))
                .collect();
            r.into_contest(own)
        })
        .collect()
}

/// A judge's assignment to a contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub contest_id: ContestId,
    pub user_id: UserId,
    pub role: ContestRole,
}

pub fn assign_judge(conn: &mut DbConnection, a: &Assignment) -> QueryResult<()> {
    diesel::delete(
        contest_judges::table
            .filter(contest_judges::contest_id.eq(a.contest_id.0))
            .filter(contest_judges::user_id.eq(a.user_id.0)),
    )
    .execute(conn)?;
    diesel::insert_into(contest_judges::table)
        .values((
            contest_judges::contest_id.eq(a.contest_id.0),
            contest_judges::user_id.eq(a.user_id.0),
            contest_judges::role.eq(a.role.code()),
            contest_judges::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn unassign_judge(
    conn: &mut DbConnection,
    contest: ContestId,
    user: UserId,
) -> QueryResult<usize> {
    diesel::delete(
        contest_judges::table
            .filter(contest_judges::contest_id.eq(contest.0))
            .filter(contest_judges::user_id.eq(user.0)),
    )
    .execute(conn)
}

pub fn judges(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<Assignment>> {
    let rows = contest_judges::table
        .filter(contest_judges::contest_id.eq(contest.0))
        .order((contest_judges::contest_id, contest_judges::user_id))
        .select((
            contest_judges::contest_id,
            contest_judges::user_id,
            contest_judges::role,
        ))
        .load::<(i64, i64, String)>(conn)?;
    assignments(rows)
}

pub fn assignments_of(conn: &mut DbConnection, user: UserId) -> QueryResult<Vec<Assignment>> {
    let rows = crate::on_backend!(conn, |c| contest_judges::table
        .filter(contest_judges::user_id.eq(user.0))
        .order((contest_judges::contest_id, contest_judges::user_id))
        .select((
            contest_judges::contest_id,
            contest_judges::user_id,
            contest_judges::role,
        ))
        .load::<(i64, i64, String)>(c))?;
    assignments(rows)
}

fn assignments(rows: Vec<(i64, i64, String)>) -> QueryResult<Vec<Assignment>> {
    rows.into_iter()
        .map(|(c, u, r)| {
            Ok(Assignment {
                contest_id: ContestId(c),
                user_id: UserId(u),
                role: ContestRole::parse(&r).map_err(corrupt)?,
            })
        })
        .collect()
}

/// Sets the zone (an IANA name) a contest's times are shown in.
pub fn set_time_zone(conn: &mut DbConnection, id: ContestId, zone: &str) -> QueryResult<usize> {
    diesel::update(contests::table.find(id.0))
        .set(contests::time_zone.eq(zone))
        .execute(conn)
}
