//! Reference data: tiers of the ladder and skills (occupations).

use super::schema::{skills, tiers};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{Skill, SkillId, Tier, TierId};
use diesel::prelude::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = tiers)]
struct TierRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    rank: i32,
}

impl From<TierRow> for Tier {
    fn from(r: TierRow) -> Self {
        Tier {
            id: TierId(r.id),
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
            rank: r.rank,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = skills)]
struct SkillRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    team_size: i32,
}

impl From<SkillRow> for Skill {
    fn from(r: SkillRow) -> Self {
        Skill {
            id: SkillId(r.id),
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
            team_size: r.team_size,
        }
    }
}

/// Tiers in ladder order, lowest first.
pub fn tiers(conn: &mut DbConnection) -> QueryResult<Vec<Tier>> {
    Ok(tiers::table
        .order(tiers::rank)
        .select(TierRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Tier::from)
        .collect())
}

pub fn tier(conn: &mut DbConnection, id: TierId) -> QueryResult<Tier> {
    Ok(tiers::table
        .find(id.0)
        .select(TierRow::as_select())
        .first(conn)?
        .into())
}

pub fn tier_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Tier>> {
    Ok(tiers::table
        .filter(tiers::code.eq(code))
        .select(TierRow::as_select())
        .first(conn)
        .optional()?
        .map(Tier::from))
}

pub fn insert_tier(
    conn: &mut DbConnection,
    code: &str,
    name_zh: &str,
    name_en: &str,
    rank: i32,
) -> QueryResult<Tier> {
    let id = allocate_id(conn, IdTable::Tiers)?;
    diesel::insert_into(tiers::table)
        .values((
            tiers::id.eq(id),
            tiers::code.eq(code),
            tiers::name_zh.eq(name_zh),
            tiers::name_en.eq(name_en),
            tiers::rank.eq(rank),
            tiers::created_at.eq(now()),
        ))
        .execute(conn)?;
    tier(conn, TierId(id))
}

pub fn skills(conn: &mut DbConnection) -> QueryResult<Vec<Skill>> {
    Ok(skills::table
        .order(skills::code)
        .select(SkillRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Skill::from)
        .collect())
}

pub fn skill(conn: &mut DbConnection, id: SkillId) -> QueryResult<Skill> {
    Ok(skills::table
        .find(id.0)
        .select(SkillRow::as_select())
        .first(conn)?
        .into())
}

pub fn skill_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Skill>> {
    Ok(skills::table
        .filter(skills::code.eq(code))
        .select(SkillRow::as_select())
        .first(conn)
        .optional()?
        .map(Skill::from))
}

pub fn insert_skill(
    conn: &mut DbConnection,
    code: &str,
    name_zh: &str,
    name_en: &str,
    team_size: i32,
) -> QueryResult<Skill> {
    let id = allocate_id(conn, IdTable::Skills)?;
    diesel::insert_into(skills::table)
        .values((
            skills::id.eq(id),
            skills::code.eq(code),
            skills::name_zh.eq(name_zh),
            skills::name_en.eq(name_en),
            skills::team_size.eq(team_size),
            skills::created_at.eq(now()),
        ))
        .execute(conn)?;
    skill(conn, SkillId(id))
}
