//! Organisations: a tree stored with a materialised path for subtree queries.

use super::schema::organisations;
use super::{allocate_id, corrupt, now, DbConnection, IdTable};
use crate::engine::model::{
    decode_path, encode_path, Organisation, OrganisationId, OrganisationKind, Vocabulary,
};
use diesel::prelude::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: i64,
    parent_id: Option<i64>,
    code: String,
    name_zh: String,
    name_en: String,
    kind: String,
    path: String,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = diesel::result::Error;
    fn try_from(r: OrganisationRow) -> QueryResult<Self> {
        Ok(Organisation {
            id: OrganisationId(r.id),
            parent_id: r.parent_id.map(OrganisationId),
            kind: OrganisationKind::parse(&r.kind).map_err(corrupt)?,
            path: decode_path(&r.path).map_err(corrupt)?,
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
        })
    }
}

/// What is needed to add an organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub parent_id: Option<OrganisationId>,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: OrganisationKind,
}

pub fn insert(conn: &mut DbConnection, new: &NewOrganisation) -> QueryResult<Organisation> {
    let parent_path = match new.parent_id {
        Some(p) => get(conn, p)?.path,
        None => Vec::new(),
    };
    let id = OrganisationId(allocate_id(conn, IdTable::Organisations)?);
    let mut path = parent_path;
    path.push(id);
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(id.0),
            organisations::parent_id.eq(new.parent_id.map(|p| p.0)),
            organisations::code.eq(&new.code),
            organisations::name_zh.eq(&new.name_zh),
            organisations::name_en.eq(&new.name_en),
            organisations::kind.eq(new.kind.code()),
            organisations::path.eq(encode_path(&path)),
            organisations::depth.eq((path.len() - 1) as i32),
            organisations::created_at.eq(now()),
        ))
        .execute(conn)?;
    get(conn, id)
}

pub fn get(conn: &mut DbConnection, id: OrganisationId) -> QueryResult<Organisation> {
    crate::on_backend!(conn, |c| organisations::table
        .find(id.0)
        .select(OrganisationRow::as_select())
        .first::<OrganisationRow>(c))?
    .try_into()
}

pub fn find(conn: &mut DbConnection, id: OrganisationId) -> QueryResult<Option<Organisation>> {
    organisations::table
        .find(id.0)
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?
        .map(Organisation::try_from)
        .transpose()
}

pub fn update_names(
    conn: &mut DbConnection,
    id: OrganisationId,
    name_zh: &str,
    name_en: &str,
) -> QueryResult<Organisation> {
    diesel::update(organisations::table.find(id.0))
        .set((
            organisations::name_zh.eq(name_zh),
            organisations::name_en.eq(name_en),
        ))
        .execute(conn)?;
    get(conn, id)
}

/// Every organisation, ordered by path so parents come before their children.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Organisation>> {
    organisations::table
        .order((organisations::depth, organisations::id))
        .select(OrganisationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Organisation::try_from)
        .collect()
}

/// The organisation and everything below it.
pub fn subtree(conn: &mut DbConnection, root: &Organisation) -> QueryResult<Vec<Organisation>> {
    organisations::table
        .filter(organisations::path.like(format!("{}%", encode_path(&root.path))))
        .order((organisations::depth, organisations::id))
        .select(OrganisationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Organisation::try_from)
        .collect()
}
