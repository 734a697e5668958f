//! Organisations: the tree every competitor, judge and organiser belongs to.

use super::{allow, check_code, check_text};
use crate::engine::access::Actor;
use crate::engine::model::{Organisation, OrganisationId, OrganisationKind};
use crate::error::{AppError, AppResult};
use crate::store::{audit, organisations as store, write_tx, DbConnection};

/// Every organisation, root first.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<Organisation>> {
    Ok(store::all(conn)?)
}

/// One organisation.
pub fn organisation(conn: &mut DbConnection, id: OrganisationId) -> AppResult<Organisation> {
    store::find(conn, id)?
        .ok_or_else(|| AppError::not_found(crate::msg!("organisation_missing", id = id)))
}

/// A new organisation as an organiser gives it.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub parent_id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: OrganisationKind,
}

/// Creates an organisation below one the actor manages.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: NewOrganisation,
) -> AppResult<Organisation> {
    let new = store::NewOrganisation {
        parent_id: Some(OrganisationId(input.parent_id)),
        code: check_code("code", &input.code)?,
        name_zh: check_text("name_zh", &input.name_zh, 100)?,
        name_en: check_text("name_en", &input.name_en, 200)?,
        kind: input.kind,
    };
    write_tx(conn, |conn| {
        let parent = store::find(conn, OrganisationId(input.parent_id))?.ok_or_else(|| {
            AppError::invalid(
                "parent_id",
                format!("organisation {} does not exist", input.parent_id),
            )
        })?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&parent.path),
        )?;
        let org = store::insert(conn, &new)?;
        audit::record(
            conn,
            actor.user(),
            "organisation.create",
            ("organisation", Some(org.id.0)),
            serde_json::json!({"code": org.code}),
        )?;
        Ok(org)
    })
}

/// An organisation's names in both languages.
#[derive(Debug, Clone)]
pub struct Names {
    pub name_zh: String,
    pub name_en: String,
}

/// Renames an organisation the actor manages.
pub fn rename(
    conn: &mut DbConnection,
    actor: &Actor,
    id: OrganisationId,
    names: Names,
) -> AppResult<Organisation> {
    let name_zh = check_text("name_zh", &names.name_zh, 100)?;
    let name_en = check_text("name_en", &names.name_en, 200)?;
    write_tx(conn, |conn| {
        let org = organisation(conn, id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&org.path),
        )?;
        audit::record(
            conn,
            actor.user(),
            "organisation.rename",
            ("organisation", Some(id.0)),
            serde_json::json!({"from": [org.name_zh, org.name_en], "to": [name_zh, name_en]}),
        )?;
        Ok(store::update_names(conn, id, &name_zh, &name_en)?)
    })
}
