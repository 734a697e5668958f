//! Honours programmes and their versions, persons' attributes, nominations
//! and their attachments, the confirmed lists with their members, and the
//! objections lodged in the public notice. Programme versions, attributes,
//! lists and objections are appended; a nomination's status and a
//! programme's stage change in place, each change with its audit row.

use super::schema::{
    honours_list_members, honours_lists, honours_objections, honours_programme_versions,
    honours_programmes, nomination_attachments, nominations, person_attributes,
};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::honours::NominationStatus;
use crate::engine::model::{CompetitorId, ContestId, OrganisationId, UserId, Vocabulary};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = honours_programmes)]
pub struct ProgrammeRow {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier_id: i64,
    pub awarding_org_id: i64,
    pub stage: String,
    pub review_contest_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = honours_programme_versions)]
pub struct VersionRow {
    pub id: i64,
    pub programme_id: i64,
    pub version: i32,
    pub body: String,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// What a programme's row holds besides its id and stage.
pub struct ProgrammeFields<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub tier: i64,
    pub awarding: OrganisationId,
}

/// Stores a new programme (stage `nominating`) and returns its id.
pub fn insert_programme(
    conn: &mut DbConnection,
    p: &ProgrammeFields<'_>,
    by: Option<UserId>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::HonoursProgrammes)?;
    let at = now();
    diesel::insert_into(honours_programmes::table)
        .values((
            honours_programmes::id.eq(id),
            honours_programmes::code.eq(p.code),
            honours_programmes::name_zh.eq(p.name_zh),
            honours_programmes::name_en.eq(p.name_en),
            honours_programmes::tier_id.eq(p.tier),
            honours_programmes::awarding_org_id.eq(p.awarding.0),
            honours_programmes::stage.eq("nominating"),
            honours_programmes::created_by.eq(by.map(|u| u.0)),
            honours_programmes::created_at.eq(at),
            honours_programmes::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Changes a programme's names, tier and awarding organisation (a new
/// version of its file).
pub fn update_programme(
    conn: &mut DbConnection,
    id: i64,
    p: &ProgrammeFields<'_>,
) -> QueryResult<usize> {
    diesel::update(honours_programmes::table.find(id))
        .set((
            honours_programmes::name_zh.eq(p.name_zh),
            honours_programmes::name_en.eq(p.name_en),
            honours_programmes::tier_id.eq(p.tier),
            honours_programmes::awarding_org_id.eq(p.awarding.0),
            honours_programmes::updated_at.eq(now()),
        ))
        .execute(conn)
}

/// Moves a programme from one stage to the next; false when it was no
/// longer in `from` (someone else moved it first).
pub fn set_stage(conn: &mut DbConnection, id: i64, from: &str, to: &str) -> QueryResult<bool> {
    let n = diesel::update(
        honours_programmes::table
            .find(id)
            .filter(honours_programmes::stage.eq(from)),
    )
    .set((
        honours_programmes::stage.eq(to),
        honours_programmes::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn set_review_contest(
    conn: &mut DbConnection,
    id: i64,
    contest: ContestId,
) -> QueryResult<usize> {
    diesel::update(honours_programmes::table.find(id))
        .set(honours_programmes::review_contest_id.eq(contest.0))
        .execute(conn)
}

pub fn programme(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ProgrammeRow>> {
    honours_programmes::table
        .find(id)
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()
}

pub fn programme_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<ProgrammeRow>> {
    honours_programmes::table
        .filter(honours_programmes::code.eq(code))
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()
}

/// The programme whose review is this contest.
pub fn programme_of_review(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Option<ProgrammeRow>> {
    honours_programmes::table
        .filter(honours_programmes::review_contest_id.eq(contest.0))
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()
}

pub fn programmes(conn: &mut DbConnection) -> QueryResult<Vec<ProgrammeRow>> {
    honours_programmes::table
        .order(honours_programmes::id.asc())
        .select(ProgrammeRow::as_select())
        .load(conn)
}

/// Appends a version of a programme's file and returns its number.
pub fn insert_version(
    conn: &mut DbConnection,
    programme: i64,
    body: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> QueryResult<i32> {
    let latest: Option<i32> = honours_programme_versions::table
        .filter(honours_programme_versions::programme_id.eq(programme))
        .select(diesel::dsl::max(honours_programme_versions::version))
        .first(conn)?;
    let version = latest.unwrap_or(0) + 1;
    let id = allocate_id(conn, IdTable::HonoursProgrammeVersions)?;
    diesel::insert_into(honours_programme_versions::table)
        .values((
            honours_programme_versions::id.eq(id),
            honours_programme_versions::programme_id.eq(programme),
            honours_programme_versions::version.eq(version),
            honours_programme_versions::body.eq(body),
            honours_programme_versions::reason.eq(reason),
            honours_programme_versions::created_by.eq(by.map(|u| u.0)),
            honours_programme_versions::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Every version of a programme's file, oldest first.
pub fn versions(conn: &mut DbConnection, programme: i64) -> QueryResult<Vec<VersionRow>> {
    honours_programme_versions::table
        .filter(honours_programme_versions::programme_id.eq(programme))
        .order(honours_programme_versions::version.asc())
        .select(VersionRow::as_select())
        .load(conn)
}

pub fn latest_version(conn: &mut DbConnection, programme: i64) -> QueryResult<Option<VersionRow>> {
    honours_programme_versions::table
        .filter(honours_programme_versions::programme_id.eq(programme))
        .order(honours_programme_versions::version.desc())
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = person_attributes)]
pub struct AttributeRow {
    pub id: i64,
    pub competitor_id: i64,
    pub name: String,
    pub value: Option<String>,
    pub set_by: Option<i64>,
    pub set_at: NaiveDateTime,
}

/// Appends a value of a person's attribute (`None` clears it).
pub fn set_attribute(
    conn: &mut DbConnection,
    competitor: CompetitorId,
    name: &str,
    value: Option<&str>,
    by: Option<UserId>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::PersonAttributes)?;
    diesel::insert_into(person_attributes::table)
        .values((
            person_attributes::id.eq(id),
            person_attributes::competitor_id.eq(competitor.0),
            person_attributes::name.eq(name),
            person_attributes::value.eq(value),
            person_attributes::set_by.eq(by.map(|u| u.0)),
            person_attributes::set_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The attributes each of these persons holds now.
pub fn attributes(
    conn: &mut DbConnection,
    competitors: &[CompetitorId],
) -> QueryResult<HashMap<CompetitorId, BTreeMap<String, String>>> {
    let mut out: HashMap<CompetitorId, BTreeMap<String, String>> = HashMap::new();
    for chunk in competitors.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|c| c.0).collect();
        let rows: Vec<AttributeRow> = person_attributes::table
            .filter(person_attributes::competitor_id.eq_any(&ids))
            .order(person_attributes::id.asc())
            .select(AttributeRow::as_select())
            .load(conn)?;
        for r in rows {
            let held = out.entry(CompetitorId(r.competitor_id)).or_default();
            match r.value {
                Some(v) => held.insert(r.name, v),
                None => held.remove(&r.name),
            };
        }
    }
    Ok(out)
}

/// Every value a person's attributes have had, oldest first.
pub fn attribute_history(
    conn: &mut DbConnection,
    competitor: CompetitorId,
) -> QueryResult<Vec<AttributeRow>> {
    person_attributes::table
        .filter(person_attributes::competitor_id.eq(competitor.0))
        .order(person_attributes::id.asc())
        .select(AttributeRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = nominations)]
pub struct NominationRow {
    pub id: i64,
    pub programme_id: i64,
    pub competitor_id: i64,
    pub organisation_id: i64,
    pub statement: String,
    pub status: String,
    pub entry_id: Option<i64>,
    pub nominated_by: Option<i64>,
    pub nominated_at: NaiveDateTime,
    pub status_reason: Option<String>,
    pub status_by: Option<i64>,
    pub status_at: Option<NaiveDateTime>,
}

impl NominationRow {
    pub fn is_active(&self) -> bool {
        self.status == NominationStatus::Active.code()
    }
}

/// Stores an active nomination and returns its id.
pub fn insert_nomination(
    conn: &mut DbConnection,
    programme: i64,
    competitor: CompetitorId,
    organisation: OrganisationId,
    statement: &str,
    by: Option<UserId>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::Nominations)?;
    diesel::insert_into(nominations::table)
        .values((
            nominations::id.eq(id),
            nominations::programme_id.eq(programme),
            nominations::competitor_id.eq(competitor.0),
            nominations::organisation_id.eq(organisation.0),
            nominations::statement.eq(statement),
            nominations::status.eq(NominationStatus::Active.code()),
            nominations::nominated_by.eq(by.map(|u| u.0)),
            nominations::nominated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Ends an active nomination (withdrawn or revoked); false when it was no
/// longer active.
pub fn end_nomination(
    conn: &mut DbConnection,
    id: i64,
    status: NominationStatus,
    reason: &str,
    by: Option<UserId>,
) -> QueryResult<bool> {
    let n = diesel::update(
        nominations::table
            .find(id)
            .filter(nominations::status.eq(NominationStatus::Active.code())),
    )
    .set((
        nominations::status.eq(status.code()),
        nominations::status_reason.eq(reason),
        nominations::status_by.eq(by.map(|u| u.0)),
        nominations::status_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn set_nomination_entry(
    conn: &mut DbConnection,
    id: i64,
    entry: crate::engine::model::EntryId,
) -> QueryResult<usize> {
    diesel::update(nominations::table.find(id))
        .set(nominations::entry_id.eq(entry.0))
        .execute(conn)
}

pub fn nominations_of(conn: &mut DbConnection, programme: i64) -> QueryResult<Vec<NominationRow>> {
    nominations::table
        .filter(nominations::programme_id.eq(programme))
        .order(nominations::id.asc())
        .select(NominationRow::as_select())
        .load(conn)
}

pub fn nomination(conn: &mut DbConnection, id: i64) -> QueryResult<Option<NominationRow>> {
    nominations::table
        .find(id)
        .select(NominationRow::as_select())
        .first(conn)
        .optional()
}

/// Every nomination of a person, in any programme.
pub fn nominations_of_person(
    conn: &mut DbConnection,
    competitor: CompetitorId,
) -> QueryResult<Vec<NominationRow>> {
    nominations::table
        .filter(nominations::competitor_id.eq(competitor.0))
        .order(nominations::id.asc())
        .select(NominationRow::as_select())
        .load(conn)
}

/// An attachment without its body.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = nomination_attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub nomination_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

pub fn insert_attachment(
    conn: &mut DbConnection,
    nomination: i64,
    a: &super::appeals::NewAttachment<'_>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::NominationAttachments)?;
    diesel::insert_into(nomination_attachments::table)
        .values((
            nomination_attachments::id.eq(id),
            nomination_attachments::nomination_id.eq(nomination),
            nomination_attachments::file_name.eq(a.file_name),
            nomination_attachments::media_type.eq(a.media_type),
            nomination_attachments::size_bytes.eq(i64::try_from(a.body.len()).unwrap_or(i64::MAX)),
            nomination_attachments::sha256.eq(a.sha256),
            nomination_attachments::body.eq(a.body),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn attachments(
    conn: &mut DbConnection,
    nomination_ids: &[i64],
) -> QueryResult<Vec<AttachmentRow>> {
    nomination_attachments::table
        .filter(nomination_attachments::nomination_id.eq_any(nomination_ids))
        .order(nomination_attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)
}

pub fn attachment_body(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<u8>> {
    nomination_attachments::table
        .find(id)
        .select(nomination_attachments::body)
        .first(conn)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = honours_lists)]
pub struct ListRow {
    pub id: i64,
    pub programme_id: i64,
    pub version: i32,
    /// JSON: the selection as the engine made it.
    pub body: String,
    pub reason: String,
    pub programme_version: i32,
    pub review_contest_id: i64,
    pub publication_version: i32,
    pub objection_id: Option<i64>,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: NaiveDateTime,
    pub notice_ends: NaiveDateTime,
}

/// What a new list version stores.
pub struct NewList<'a> {
    pub programme: i64,
    pub body: &'a str,
    pub reason: &'a str,
    pub programme_version: i32,
    pub review_contest: ContestId,
    pub publication_version: i32,
    pub objection: Option<i64>,
    pub by: Option<UserId>,
    pub notice_ends: NaiveDateTime,
    /// The honoured: person, nomination, in list order.
    pub members: &'a [(CompetitorId, i64)],
}

/// Appends a version of a programme's list with its members; returns the
/// version's number.
pub fn insert_list(conn: &mut DbConnection, l: &NewList<'_>) -> QueryResult<i32> {
    let latest: Option<i32> = honours_lists::table
        .filter(honours_lists::programme_id.eq(l.programme))
        .select(diesel::dsl::max(honours_lists::version))
        .first(conn)?;
    let version = latest.unwrap_or(0) + 1;
    let id = allocate_id(conn, IdTable::HonoursLists)?;
    diesel::insert_into(honours_lists::table)
        .values((
            honours_lists::id.eq(id),
            honours_lists::programme_id.eq(l.programme),
            honours_lists::version.eq(version),
            honours_lists::body.eq(l.body),
            honours_lists::reason.eq(l.reason),
            honours_lists::programme_version.eq(l.programme_version),
            honours_lists::review_contest_id.eq(l.review_contest.0),
            honours_lists::publication_version.eq(l.publication_version),
            honours_lists::objection_id.eq(l.objection),
            honours_lists::confirmed_by.eq(l.by.map(|u| u.0)),
            honours_lists::confirmed_at.eq(now()),
            honours_lists::notice_ends.eq(l.notice_ends),
        ))
        .execute(conn)?;
    for (k, (c, n)) in l.members.iter().enumerate() {
        diesel::insert_into(honours_list_members::table)
            .values((
                honours_list_members::list_id.eq(id),
                honours_list_members::competitor_id.eq(c.0),
                honours_list_members::nomination_id.eq(*n),
                honours_list_members::position.eq(i32::try_from(k + 1).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(version)
}

/// Every version of a programme's list, oldest first.
pub fn lists(conn: &mut DbConnection, programme: i64) -> QueryResult<Vec<ListRow>> {
    honours_lists::table
        .filter(honours_lists::programme_id.eq(programme))
        .order(honours_lists::version.asc())
        .select(ListRow::as_select())
        .load(conn)
}

/// The lists (latest version of each programme) that name a person, with
/// the programme.
pub fn honours_of(
    conn: &mut DbConnection,
    competitor: CompetitorId,
) -> QueryResult<Vec<(ProgrammeRow, ListRow)>> {
    let rows: Vec<(ProgrammeRow, ListRow)> = honours_list_members::table
        .inner_join(honours_lists::table.on(honours_lists::id.eq(honours_list_members::list_id)))
        .inner_join(
            honours_programmes::table.on(honours_programmes::id.eq(honours_lists::programme_id)),
        )
        .filter(honours_list_members::competitor_id.eq(competitor.0))
        .select((ProgrammeRow::as_select(), ListRow::as_select()))
        .load(conn)?;
    latest_only(conn, rows)
}

/// Every honoured person (latest list version of each programme), with
/// the programme and list.
pub fn all_honours(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(CompetitorId, ProgrammeRow, ListRow)>> {
    let rows: Vec<(i64, ProgrammeRow, ListRow)> = honours_list_members::table
        .inner_join(honours_lists::table.on(honours_lists::id.eq(honours_list_members::list_id)))
        .inner_join(
            honours_programmes::table.on(honours_programmes::id.eq(honours_lists::programme_id)),
        )
        .select((
            honours_list_members::competitor_id,
            ProgrammeRow::as_select(),
            ListRow::as_select(),
        ))
        .load(conn)?;
    let latest = latest_versions(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, p, l)| latest.get(&p.id) == Some(&l.version))
        .map(|(c, p, l)| (CompetitorId(c), p, l))
        .collect())
}

fn latest_versions(conn: &mut DbConnection) -> QueryResult<HashMap<i64, i32>> {
    let rows: Vec<(i64, Option<i32>)> = honours_lists::table
        .group_by(honours_lists::programme_id)
        .select((
            honours_lists::programme_id,
            diesel::dsl::max(honours_lists::version),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, v)| v.map(|v| (p, v)))
        .collect())
}

fn latest_only(
    conn: &mut DbConnection,
    rows: Vec<(ProgrammeRow, ListRow)>,
) -> QueryResult<Vec<(ProgrammeRow, ListRow)>> {
    let latest = latest_versions(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(p, l)| latest.get(&p.id) == Some(&l.version))
        .collect())
}

/// The members of a list version, in order: person, nomination.
pub fn members(conn: &mut DbConnection, list: i64) -> QueryResult<Vec<(i64, i64)>> {
    honours_list_members::table
        .filter(honours_list_members::list_id.eq(list))
        .order(honours_list_members::position.asc())
        .select((
            honours_list_members::competitor_id,
            honours_list_members::nomination_id,
        ))
        .load(conn)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = honours_objections)]
pub struct ObjectionRow {
    pub id: i64,
    pub programme_id: i64,
    pub list_version: i32,
    pub nomination_id: i64,
    pub grounds: String,
    pub lodged_by: i64,
    pub lodged_at: NaiveDateTime,
    pub status: String,
    pub reasons: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
}

pub fn insert_objection(
    conn: &mut DbConnection,
    programme: i64,
    list_version: i32,
    nomination: i64,
    grounds: &str,
    by: UserId,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::HonoursObjections)?;
    diesel::insert_into(honours_objections::table)
        .values((
            honours_objections::id.eq(id),
            honours_objections::programme_id.eq(programme),
            honours_objections::list_version.eq(list_version),
            honours_objections::nomination_id.eq(nomination),
            honours_objections::grounds.eq(grounds),
            honours_objections::lodged_by.eq(by.0),
            honours_objections::lodged_at.eq(now()),
            honours_objections::status.eq("pending"),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records the one decision of a pending objection; false when it was
/// already decided.
pub fn decide_objection(
    conn: &mut DbConnection,
    id: i64,
    status: &str,
    reasons: &str,
    by: UserId,
) -> QueryResult<bool> {
    let n = diesel::update(
        honours_objections::table
            .find(id)
            .filter(honours_objections::status.eq("pending")),
    )
    .set((
        honours_objections::status.eq(status),
        honours_objections::reasons.eq(reasons),
        honours_objections::decided_by.eq(by.0),
        honours_objections::decided_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn objections_of(conn: &mut DbConnection, programme: i64) -> QueryResult<Vec<ObjectionRow>> {
    honours_objections::table
        .filter(honours_objections::programme_id.eq(programme))
        .order(honours_objections::id.asc())
        .select(ObjectionRow::as_select())
        .load(conn)
}

pub fn objection(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ObjectionRow>> {
    honours_objections::table
        .find(id)
        .select(ObjectionRow::as_select())
        .first(conn)
        .optional()
}
