//! The audit log: an append-only record of who changed what, when and why.

use super::schema::audit_log;
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::UserId;
use diesel::prelude::*;

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
