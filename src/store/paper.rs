//! Paper forms and their two typings: every typing and every resolution is
//! appended, never overwritten; the latest typing of a round stands.

use super::schema::{paper_entries, paper_forms, paper_resolutions};
use super::{allocate_id, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = paper_forms)]
pub struct FormRow {
    pub id: i64,
    pub contest_id: i64,
    pub judge_id: i64,
    pub module: String,
    pub recorded_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = paper_entries)]
pub struct TypingRow {
    pub id: i64,
    pub form_id: i64,
    pub round: i32,
    pub typist_id: i64,
    /// JSON: `[{"entry": id, "aspect": code, "value": "8.5" | null}]`.
    pub cells: String,
    pub typed_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = paper_resolutions)]
pub struct ResolutionRow {
    pub id: i64,
    pub form_id: i64,
    pub entry_id: i64,
    pub aspect: String,
    pub value: Option<String>,
    pub reason: String,
    pub resolved_by: i64,
    pub resolved_at: NaiveDateTime,
}

/// The form of a judge and module, if anyone typed it yet.
pub fn form(
    conn: &mut DbConnection,
    contest: ContestId,
    judge: UserId,
    module: &str,
) -> QueryResult<Option<FormRow>> {
    paper_forms::table
        .filter(paper_forms::contest_id.eq(contest.0))
        .filter(paper_forms::judge_id.eq(judge.0))
        .filter(paper_forms::module.eq(module))
        .select(FormRow::as_select())
        .first(conn)
        .optional()
}

/// A form by its id, within its contest.
pub fn form_by_id(
    conn: &mut DbConnection,
    contest: ContestId,
    id: i64,
) -> QueryResult<Option<FormRow>> {
    paper_forms::table
        .filter(paper_forms::contest_id.eq(contest.0))
        .filter(paper_forms::id.eq(id))
        .select(FormRow::as_select())
        .first(conn)
        .optional()
}

/// Every form of a contest, in the order they were first typed.
pub fn forms_of(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<FormRow>> {
    paper_forms::table
        .filter(paper_forms::contest_id.eq(contest.0))
        .order(paper_forms::id.asc())
        .select(FormRow::as_select())
        .load(conn)
}

/// Creates the form of a judge and module; answers its id.
pub fn insert_form(
    conn: &mut DbConnection,
    contest: ContestId,
    judge: UserId,
    module: &str,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::PaperForms)?;
    diesel::insert_into(paper_forms::table)
        .values((
            paper_forms::id.eq(id),
            paper_forms::contest_id.eq(contest.0),
            paper_forms::judge_id.eq(judge.0),
            paper_forms::module.eq(module),
            paper_forms::recorded_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Marks a form recorded; answers when.
pub fn set_recorded(conn: &mut DbConnection, form: i64) -> QueryResult<NaiveDateTime> {
    let at = now();
    diesel::update(paper_forms::table.find(form))
        .set(paper_forms::recorded_at.eq(Some(at)))
        .execute(conn)?;
    Ok(at)
}

/// Appends a typing of a round; answers its id.
pub fn insert_typing(
    conn: &mut DbConnection,
    form: i64,
    round: i32,
    typist: UserId,
    cells: &str,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::PaperEntries)?;
    diesel::insert_into(paper_entries::table)
        .values((
            paper_entries::id.eq(id),
            paper_entries::form_id.eq(form),
            paper_entries::round.eq(round),
            paper_entries::typist_id.eq(typist.0),
            paper_entries::cells.eq(cells),
            paper_entries::typed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Every typing of a form, oldest first.
pub fn typings(conn: &mut DbConnection, form: i64) -> QueryResult<Vec<TypingRow>> {
    paper_entries::table
        .filter(paper_entries::form_id.eq(form))
        .order(paper_entries::id.asc())
        .select(TypingRow::as_select())
        .load(conn)
}

/// What a resolution stores.
pub struct NewResolution<'a> {
    pub entry: EntryId,
    pub aspect: &'a str,
    pub value: Option<&'a str>,
    pub reason: &'a str,
    pub by: UserId,
}

/// Appends a resolution of a cell; answers its id.
pub fn insert_resolution(
    conn: &mut DbConnection,
    form: i64,
    r: &NewResolution<'_>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::PaperResolutions)?;
    diesel::insert_into(paper_resolutions::table)
        .values((
            paper_resolutions::id.eq(id),
            paper_resolutions::form_id.eq(form),
            paper_resolutions::entry_id.eq(r.entry.0),
            paper_resolutions::aspect.eq(r.aspect),
            paper_resolutions::value.eq(r.value),
            paper_resolutions::reason.eq(r.reason),
            paper_resolutions::resolved_by.eq(r.by.0),
            paper_resolutions::resolved_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Every resolution of a form, oldest first.
pub fn resolutions(conn: &mut DbConnection, form: i64) -> QueryResult<Vec<ResolutionRow>> {
    paper_resolutions::table
        .filter(paper_resolutions::form_id.eq(form))
        .order(paper_resolutions::id.asc())
        .select(ResolutionRow::as_select())
        .load(conn)
}
