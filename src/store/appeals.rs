//! Appeals (申诉), their attachments, the arbitration group's hearing notes
//! and decisions, and the facts that open a contest's appeal window.
//! Everything is appended; nothing is changed in place.

use super::schema::{appeal_attachments, appeal_events, appeals, audit_log, publications};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = appeals)]
pub struct AppealRow {
    pub id: i64,
    pub contest_id: i64,
    pub entry_id: i64,
    pub grounds: String,
    pub filed_by: i64,
    pub filed_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = appeal_events)]
pub struct EventRow {
    pub id: i64,
    pub appeal_id: i64,
    pub kind: String,
    pub outcome: Option<String>,
    pub body: String,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

/// An attachment without its body.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = appeal_attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub appeal_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Stores an appeal and returns its id.
pub fn insert(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    grounds: &str,
    by: UserId,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::Appeals)?;
    diesel::insert_into(appeals::table)
        .values((
            appeals::id.eq(id),
            appeals::contest_id.eq(contest.0),
            appeals::entry_id.eq(entry.0),
            appeals::grounds.eq(grounds),
            appeals::filed_by.eq(by.0),
            appeals::filed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// What an attachment stores.
pub struct NewAttachment<'a> {
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub body: &'a [u8],
}

pub fn insert_attachment(
    conn: &mut DbConnection,
    appeal: i64,
    a: &NewAttachment<'_>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::AppealAttachments)?;
    diesel::insert_into(appeal_attachments::table)
        .values((
            appeal_attachments::id.eq(id),
            appeal_attachments::appeal_id.eq(appeal),
            appeal_attachments::file_name.eq(a.file_name),
            appeal_attachments::media_type.eq(a.media_type),
            appeal_attachments::size_bytes.eq(i64::try_from(a.body.len()).unwrap_or(i64::MAX)),
            appeal_attachments::sha256.eq(a.sha256),
            appeal_attachments::body.eq(a.body),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records a hearing note (`outcome` none) or the decision.
pub fn insert_event(
    conn: &mut DbConnection,
    appeal: i64,
    kind: &str,
    outcome: Option<&str>,
    body: &str,
    by: UserId,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::AppealEvents)?;
    diesel::insert_into(appeal_events::table)
        .values((
            appeal_events::id.eq(id),
            appeal_events::appeal_id.eq(appeal),
            appeal_events::kind.eq(kind),
            appeal_events::outcome.eq(outcome),
            appeal_events::body.eq(body),
            appeal_events::recorded_by.eq(by.0),
            appeal_events::recorded_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// One appeal of a contest.
pub fn get(conn: &mut DbConnection, contest: ContestId, id: i64) -> QueryResult<Option<AppealRow>> {
    appeals::table
        .find(id)
        .filter(appeals::contest_id.eq(contest.0))
        .select(AppealRow::as_select())
        .first(conn)
        .optional()
}

/// Every appeal of a contest, oldest first.
pub fn of_contest(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<AppealRow>> {
    appeals::table
        .filter(appeals::contest_id.eq(contest.0))
        .order(appeals::id.asc())
        .select(AppealRow::as_select())
        .load(conn)
}

/// The notes and decisions of some appeals, oldest first.
pub fn events(conn: &mut DbConnection, appeal_ids: &[i64]) -> QueryResult<Vec<EventRow>> {
    appeal_events::table
        .filter(appeal_events::appeal_id.eq_any(appeal_ids))
        .order(appeal_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// The attachments of some appeals (without bodies), in the order filed.
pub fn attachments(conn: &mut DbConnection, appeal_ids: &[i64]) -> QueryResult<Vec<AttachmentRow>> {
    appeal_attachments::table
        .filter(appeal_attachments::appeal_id.eq_any(appeal_ids))
        .order(appeal_attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// The body of one attachment.
pub fn attachment_body(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<u8>> {
    appeal_attachments::table
        .find(id)
        .select(appeal_attachments::body)
        .first(conn)
}

/// When each recorded status change of a contest moved it to `to`, newest
/// first (the audit log records every change: `contest.status`).
pub fn status_changes_to(
    conn: &mut DbConnection,
    contest: ContestId,
    to: &str,
) -> QueryResult<Vec<NaiveDateTime>> {
    let rows: Vec<(NaiveDateTime, String)> = audit_log::table
        .filter(audit_log::action.eq("contest.status"))
        .filter(audit_log::subject_type.eq("contest"))
        .filter(audit_log::subject_id.eq(contest.0))
        .order(audit_log::id.desc())
        .select((audit_log::at, audit_log::detail))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, detail)| {
            serde_json::from_str::<serde_json::Value>(detail)
                .is_ok_and(|d| d.get("to").and_then(|t| t.as_str()) == Some(to))
        })
        .map(|(at, _)| at)
        .collect())
}

/// When a contest's results were first published.
pub fn first_published_at(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Option<NaiveDateTime>> {
    publications::table
        .filter(publications::contest_id.eq(contest.0))
        .order(publications::version.asc())
        .select(publications::published_at)
        .first(conn)
        .optional()
}

/// Marks a publication as made to carry out an upheld appeal. Called in
/// the transaction that stores the publication.
pub fn cite_in_publication(
    conn: &mut DbConnection,
    contest: ContestId,
    version: i32,
    appeal: i64,
) -> QueryResult<usize> {
    diesel::update(
        publications::table
            .filter(publications::contest_id.eq(contest.0))
            .filter(publications::version.eq(version)),
    )
    .set(publications::appeal_id.eq(Some(appeal)))
    .execute(conn)
}

/// The appeal each publication of a contest cites, by version.
pub fn cited_by_publications(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<BTreeMap<i32, i64>> {
    let rows: Vec<(i32, Option<i64>)> = publications::table
        .filter(publications::contest_id.eq(contest.0))
        .filter(publications::appeal_id.is_not_null())
        .select((publications::version, publications::appeal_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(v, a)| a.map(|a| (v, a)))
        .collect())
}
