//! Shared reference data: the tiers of the ladder and the skills.

use super::{allow, check_code, check_text};
use crate::engine::access::Actor;
use crate::engine::model::{Skill, SkillId, Tier, TierId};
use crate::error::{AppError, AppResult};
use crate::store::{audit, reference as store, write_tx, DbConnection};

/// Every tier of the ladder.
pub fn tiers(conn: &mut DbConnection) -> AppResult<Vec<Tier>> {
    Ok(store::tiers(conn)?)
}

/// Every skill.
pub fn skills(conn: &mut DbConnection) -> AppResult<Vec<Skill>> {
    Ok(store::skills(conn)?)
}

pub fn tier(conn: &mut DbConnection, id: TierId) -> AppResult<Tier> {
    Ok(store::tier(conn, id)?)
}

pub fn skill(conn: &mut DbConnection, id: SkillId) -> AppResult<Skill> {
    Ok(store::skill(conn, id)?)
}

/// A new tier as an organiser gives it.
#[derive(Debug, Clone)]
pub struct NewTier {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Position on the ladder: higher is a higher tier.
    pub rank: i32,
}

/// Adds a tier; no two tiers share a rank.
pub fn create_tier(conn: &mut DbConnection, actor: &Actor, input: NewTier) -> AppResult<Tier> {
    let code = check_code("code", &input.code)?;
    let name_zh = check_text("name_zh", &input.name_zh, 100)?;
    let name_en = check_text("name_en", &input.name_en, 200)?;
    let rank = input.rank;
    if !(1..=1000).contains(&rank) {
        return Err(AppError::invalid(
            "rank",
            format!("must be from 1 to 1000, is {rank}"),
        ));
    }
    allow(actor.is_signed_in(), actor.may_manage_reference_data())?;
    write_tx(conn, |conn| {
        if store::tiers(conn)?.iter().any(|t| t.rank == rank) {
            return Err(AppError::conflict(format!(
                "another tier already has rank {rank}"
            )));
        }
        let tier = store::insert_tier(conn, &code, &name_zh, &name_en, rank)?;
        audit::record(
            conn,
            actor.user(),
            "tier.create",
            ("tier", Some(tier.id.0)),
            serde_json::json!({"code": tier.code}),
        )?;
        Ok(tier)
    })
}

/// A new skill as an organiser gives it.
#[derive(Debug, Clone)]
pub struct NewSkill {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// 1 for an individual skill.
    pub team_size: i32,
}

/// Adds a skill.
pub fn create_skill(conn: &mut DbConnection, actor: &Actor, input: NewSkill) -> AppResult<Skill> {
    let code = check_code("code", &input.code)?;
    let name_zh = check_text("name_zh", &input.name_zh, 100)?;
    let name_en = check_text("name_en", &input.name_en, 200)?;
    let team_size = input.team_size;
    if !(1..=10).contains(&team_size) {
        return Err(AppError::invalid(
            "team_size",
            format!("must be from 1 (individual) to 10, is {team_size}"),
        ));
    }
    allow(actor.is_signed_in(), actor.may_manage_reference_data())?;
    write_tx(conn, |conn| {
        let skill = store::insert_skill(conn, &code, &name_zh, &name_en, team_size)?;
        audit::record(
            conn,
            actor.user(),
            "skill.create",
            ("skill", Some(skill.id.0)),
            serde_json::json!({"code": skill.code}),
        )?;
        Ok(skill)
    })
}
