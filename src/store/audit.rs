//! The audit log: an append-only record of who changed what, when and why.

use super::schema::audit_log;
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRecord {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub detail: String,
}

pub fn record(
    conn: &mut DbConnection,
    actor: Option<UserId>,
    action: &str,
    subject: (&str, Option<i64>),
    detail: serde_json::Value,
) -> QueryResult<()> {
    let id = allocate_id(conn, IdTable::AuditLog)?;
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(id),
            audit_log::at.eq(now()),
            audit_log::actor_user_id.eq(actor.map(|u| u.0)),
            audit_log::action.eq(action),
            audit_log::subject_type.eq(subject.0),
            audit_log::subject_id.eq(subject.1),
            audit_log::detail.eq(detail.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn for_subject(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: i64,
) -> QueryResult<Vec<AuditRecord>> {
    audit_log::table
        .filter(audit_log::subject_type.eq(subject_type))
        .filter(audit_log::subject_id.eq(subject_id))
        .order(audit_log::id)
        .select(AuditRecord::as_select())
        .load(conn)
}
