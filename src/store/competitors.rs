//! Competitors: one person, one identity across every contest they enter.

use super::schema::competitors;
use super::{corrupt, DbConnection};
use crate::engine::model::{
    Competitor, CompetitorId, Gender, Group, IdKind, OrganisationId, SkillLevel, Vocabulary,
};
use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = competitors)]
pub(super) struct CompetitorRow {
    id: i64,
    name: String,
    id_hash: String,
    id_last4: String,
    id_kind: String,
    birth_date: NaiveDate,
    gender: String,
    organisation_id: i64,
    grp: String,
    skill_level: Option<String>,
}

impl TryFrom<CompetitorRow> for Competitor {
    type Error = diesel::result::Error;
    fn try_from(r: CompetitorRow) -> QueryResult<Self> {
        Ok(Competitor {
            id: CompetitorId(r.id),
            id_kind: IdKind::parse(&r.id_kind).map_err(corrupt)?,
            gender: Gender::parse(&r.gender).map_err(corrupt)?,
            group: Group::parse(&r.grp).map_err(corrupt)?,
            skill_level: r
                .skill_level
                .as_deref()
                .map(SkillLevel::parse)
                .transpose()
                .map_err(corrupt)?,
            name: r.name,
            id_hash: r.id_hash,
            id_last4: r.id_last4,
            birth_date: r.birth_date,
            organisation_id: OrganisationId(r.organisation_id),
        })
    }
}

pub fn get(conn: &mut DbConnection, id: CompetitorId) -> QueryResult<Competitor> {
    competitors::table
        .find(id.0)
        .select(CompetitorRow::as_select())
        .first(conn)?
        .try_into()
}

pub fn find(conn: &mut DbConnection, id: CompetitorId) -> QueryResult<Option<Competitor>> {
    competitors::table
        .find(id.0)
        .select(CompetitorRow::as_select())
        .first(conn)
        .optional()?
        .map(Competitor::try_from)
        .transpose()
}

/// The competitors recognised by any of these identity hashes, in one
/// statement however many there are: on SQLite the hashes go as one JSON
/// array read by `json_each`, on PostgreSQL as one array parameter.
pub fn by_hashes(
    conn: &mut DbConnection,
    hashes: &[&str],
) -> QueryResult<HashMap<String, Competitor>> {
    let rows: Vec<CompetitorRow> = match conn {
        DbConnection::Sqlite(c) => {
            let list = serde_json::to_string(hashes).map_err(|e| corrupt(e.to_string()))?;
            competitors::table
                .filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "competitors.id_hash IN (SELECT value FROM json_each(",
                    )
                    .bind::<diesel::sql_types::Text, _>(list)
                    .sql("))"),
                )
                .select(CompetitorRow::as_select())
                .load(c)?
        }
        DbConnection::Pg(c) => competitors::table
            .filter(competitors::id_hash.eq_any(hashes))
            .select(CompetitorRow::as_select())
            .load(c)?,
    };
    let mut found = HashMap::with_capacity(rows.len());
    for r in rows {
        let c = Competitor::try_from(r)?;
        found.insert(c.id_hash.clone(), c);
    }
    Ok(found)
}

/// Competitors of organisations whose path starts with `path_prefix`, by name.
pub fn in_subtree(
    conn: &mut DbConnection,
    path_prefix: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Competitor>> {
    use super::schema::organisations;
    competitors::table
        .inner_join(organisations::table)
        .filter(organisations::path.like(format!("{path_prefix}%")))
        .order((competitors::name, competitors::id))
        .limit(limit)
        .offset(offset)
        .select(CompetitorRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Competitor::try_from)
        .collect()
}
