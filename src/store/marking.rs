//! Marking: scheme versions, panels, marks (append-only), module sign-offs
//! and the running score of each entry.

use super::schema::{entry_scores, marks, module_locks, panel_judges, panels, schemes};
use super::{allocate_id, allocate_ids, now, DbConnection, IdTable};
use crate::engine::model::{ContestId, EntryId, UserId};
use crate::engine::scoring::Outcome;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rust_decimal::Decimal;

// ---- schemes ----------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = schemes)]
pub struct SchemeVersion {
    pub id: i64,
    pub contest_id: i64,
    pub version: i32,
    pub body: String,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// The latest scheme version of a contest.
pub fn current_scheme(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Option<SchemeVersion>> {
    schemes::table
        .filter(schemes::contest_id.eq(contest.0))
        .order(schemes::version.desc())
        .select(SchemeVersion::as_select())
        .first(conn)
        .optional()
}

/// The number of the latest scheme version (0 when there is none).
pub fn current_version(conn: &mut DbConnection, contest: ContestId) -> QueryResult<i32> {
    crate::on_backend!(conn, |c| schemes::table
        .filter(schemes::contest_id.eq(contest.0))
        .select(diesel::dsl::max(schemes::version))
        .first::<Option<i32>>(c))
    .map(|v| v.unwrap_or(0))
}

pub fn scheme_version(
    conn: &mut DbConnection,
    contest: ContestId,
    version: i32,
) -> QueryResult<Option<SchemeVersion>> {
    schemes::table
        .filter(schemes::contest_id.eq(contest.0))
        .filter(schemes::version.eq(version))
        .select(SchemeVersion::as_select())
        .first(conn)
        .optional()
}

pub fn scheme_versions(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<SchemeVersion>> {
    schemes::table
        .filter(schemes::contest_id.eq(contest.0))
        .order(schemes::version.asc())
        .select(SchemeVersion::as_select())
        .load(conn)
}

/// Stores the next version of a contest's scheme and returns its number.
pub fn insert_scheme(
    conn: &mut DbConnection,
    contest: ContestId,
    body: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> QueryResult<i32> {
    let version = current_version(conn, contest)? + 1;
    let id = allocate_id(conn, IdTable::Schemes)?;
    diesel::insert_into(schemes::table)
        .values((
            schemes::id.eq(id),
            schemes::contest_id.eq(contest.0),
            schemes::version.eq(version),
            schemes::body.eq(body),
            schemes::reason.eq(reason),
            schemes::created_by.eq(by.map(|u| u.0)),
            schemes::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(version)
}

// ---- panels -----------------------------------------------------------------

/// A panel of judges and the parts of the scheme it marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Codes of modules, criteria, sub-criteria or aspects.
    pub covers: Vec<String>,
    /// The depth of the ancestor whose subtree is in conflict with a judge;
    /// `None`: the judge's own organisation and below.
    pub conflict_depth: Option<i32>,
    pub judges: Vec<UserId>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = panels)]
struct PanelRow {
    id: i64,
    code: String,
    name: String,
    covers: String,
    conflict_depth: Option<i32>,
}

pub fn panels_of(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<Panel>> {
    let rows: Vec<PanelRow> = crate::on_backend!(conn, |c| panels::table
        .filter(panels::contest_id.eq(contest.0))
        .order(panels::code.asc())
        .select(PanelRow::as_select())
        .load(c))?;
    let members: Vec<(i64, i64)> = crate::on_backend!(conn, |c| panel_judges::table
        .inner_join(panels::table)
        .filter(panels::contest_id.eq(contest.0))
        .order((panel_judges::panel_id, panel_judges::user_id))
        .select((panel_judges::panel_id, panel_judges::user_id))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|r| Panel {
            judges: members
                .iter()
                .filter(|(p, _)| *p == r.id)
                .map(|(_, u)| UserId(*u))
                .collect(),
            id: r.id,
            code: r.code,
            name: r.name,
            covers: r.covers.split_whitespace().map(str::to_string).collect(),
            conflict_depth: r.conflict_depth,
        })
        .collect())
}

/// A panel as one judge sees it.
pub use crate::engine::marking::Seat;

/// Every panel of a contest as seen by one judge, without loading the
/// panels' other members.
pub fn seats_of(
    conn: &mut DbConnection,
    contest: ContestId,
    judge: UserId,
) -> QueryResult<Vec<Seat>> {
    let member = diesel::dsl::exists(
        panel_judges::table
            .filter(panel_judges::panel_id.eq(panels::id))
            .filter(panel_judges::user_id.eq(judge.0)),
    );
    let rows: Vec<(String, Option<i32>, bool)> = crate::on_backend!(conn, |c| panels::table
        .filter(panels::contest_id.eq(contest.0))
        .select((panels::covers, panels::conflict_depth, member))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(covers, conflict_depth, member)| Seat {
            covers: covers.split_whitespace().map(str::to_string).collect(),
            conflict_depth,
            member,
        })
        .collect())
}

/// Creates or replaces a panel (by code) with its judges.
pub fn put_panel(conn: &mut DbConnection, contest: ContestId, p: &Panel) -> QueryResult<i64> {
    let existing: Option<i64> = panels::table
        .filter(panels::contest_id.eq(contest.0))
        .filter(panels::code.eq(&p.code))
        .select(panels::id)
        .first(conn)
        .optional()?;
    let covers = p.covers.join(" ");
    let id = match existing {
        Some(id) => {
            diesel::update(panels::table.find(id))
                .set((
                    panels::name.eq(&p.name),
                    panels::covers.eq(&covers),
                    panels::conflict_depth.eq(p.conflict_depth),
                ))
                .execute(conn)?;
            diesel::delete(panel_judges::table.filter(panel_judges::panel_id.eq(id)))
                .execute(conn)?;
            id
        }
        None => {
            let id = allocate_id(conn, IdTable::Panels)?;
            diesel::insert_into(panels::table)
                .values((
                    panels::id.eq(id),
                    panels::contest_id.eq(contest.0),
                    panels::code.eq(&p.code),
                    panels::name.eq(&p.name),
                    panels::covers.eq(&covers),
                    panels::conflict_depth.eq(p.conflict_depth),
                    panels::created_at.eq(now()),
                ))
                .execute(conn)?;
            id
        }
    };
    for u in &p.judges {
        diesel::insert_into(panel_judges::table)
            .values((panel_judges::panel_id.eq(id), panel_judges::user_id.eq(u.0)))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn delete_panel(conn: &mut DbConnection, contest: ContestId, code: &str) -> QueryResult<usize> {
    let id: Option<i64> = panels::table
        .filter(panels::contest_id.eq(contest.0))
        .filter(panels::code.eq(code))
        .select(panels::id)
        .first(conn)
        .optional()?;
    let Some(id) = id else { return Ok(0) };
    diesel::delete(panel_judges::table.filter(panel_judges::panel_id.eq(id))).execute(conn)?;
    diesel::delete(panels::table.find(id)).execute(conn)
}

// ---- marks ------------------------------------------------------------------

/// One stored mark. Marks are only ever appended.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = marks)]
pub struct StoredMark {
    pub id: i64,
    pub contest_id: i64,
    pub entry_id: i64,
    pub aspect: String,
    pub slot: String,
    pub seq: i32,
    pub value: String,
    pub client_id: String,
    pub replaces: Option<i64>,
    pub judge_id: i64,
    pub device: String,
    pub reason: Option<String>,
    pub scheme_version: i32,
    pub created_at: NaiveDateTime,
}

/// A mark to append.
#[derive(Debug, Clone)]
pub struct NewMark<'a> {
    pub contest: ContestId,
    pub entry: EntryId,
    pub aspect: &'a str,
    pub slot: &'a str,
    pub seq: i32,
    pub value: &'a str,
    pub client_id: &'a str,
    pub replaces: Option<i64>,
    pub judge: UserId,
    pub device: &'a str,
    pub reason: Option<&'a str>,
    pub scheme_version: i32,
    pub at: NaiveDateTime,
}

pub fn mark_by_client_id(
    conn: &mut DbConnection,
    contest: ContestId,
    client_id: &str,
) -> QueryResult<Option<StoredMark>> {
    marks::table
        .filter(marks::contest_id.eq(contest.0))
        .filter(marks::client_id.eq(client_id))
        .select(StoredMark::as_select())
        .first(conn)
        .optional()
}

/// Whether a mark id is stored in a contest.
pub fn client_id_taken(
    conn: &mut DbConnection,
    contest: ContestId,
    client_id: &str,
) -> QueryResult<bool> {
    crate::on_backend!(conn, |c| marks::table
        .filter(marks::contest_id.eq(contest.0))
        .filter(marks::client_id.eq(client_id))
        .select(marks::id)
        .first::<i64>(c)
        .optional())
    .map(|found| found.is_some())
}

pub fn mark_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<StoredMark>> {
    marks::table
        .find(id)
        .select(StoredMark::as_select())
        .first(conn)
        .optional()
}

/// One mark of a slot, with only what the writer needs.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = marks)]
pub struct SlotMark {
    pub id: i64,
    pub slot: String,
    pub seq: i32,
    pub value: String,
    pub client_id: String,
}

/// Every mark of one aspect of an entry, by slot, oldest first.
pub fn slot_marks(
    conn: &mut DbConnection,
    entry: EntryId,
    aspect: &str,
) -> QueryResult<Vec<SlotMark>> {
    crate::on_backend!(conn, |c| marks::table
        .filter(marks::entry_id.eq(entry.0))
        .filter(marks::aspect.eq(aspect))
        .order((marks::slot.asc(), marks::seq.asc()))
        .select(SlotMark::as_select())
        .load(c))
}

/// Every mark ever recorded for an entry, in the order they were stored.
pub fn marks_of_entry(conn: &mut DbConnection, entry: EntryId) -> QueryResult<Vec<StoredMark>> {
    marks::table
        .filter(marks::entry_id.eq(entry.0))
        .order(marks::id.asc())
        .select(StoredMark::as_select())
        .load(conn)
}

pub fn contest_has_marks(conn: &mut DbConnection, contest: ContestId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        marks::table.filter(marks::contest_id.eq(contest.0)),
    ))
    .get_result(conn)
}

/// Appends one mark with an id from [`MarkIds`].
pub fn insert_mark(conn: &mut DbConnection, id: i64, m: &NewMark<'_>) -> QueryResult<()> {
    insert_marks_with_ids(conn, &[(id, m.clone())])
}

/// Ids for marks appended inside one transaction: from the sequence on
/// PostgreSQL; on SQLite, whose writer holds the lock for the whole
/// transaction, one lookup and then counting up.
#[derive(Debug, Default)]
pub struct MarkIds {
    next: Option<i64>,
}

impl MarkIds {
    pub fn next(&mut self, conn: &mut DbConnection) -> QueryResult<i64> {
        match (&*conn, self.next) {
            (DbConnection::Sqlite(_), Some(n)) => {
                self.next = Some(n + 1);
                Ok(n)
            }
            (DbConnection::Sqlite(_), None) => {
                let n = allocate_id(conn, IdTable::Marks)?;
                self.next = Some(n + 1);
                Ok(n)
            }
            (DbConnection::Pg(_), _) => allocate_id(conn, IdTable::Marks),
        }
    }
}

/// What marking needs to know of an entry: start number, status and the
/// path of its organisation.
pub fn entry_for_marking(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
) -> QueryResult<Option<(String, String, String)>> {
    use super::schema::{entries, organisations};
    crate::on_backend!(conn, |c| entries::table
        .inner_join(organisations::table)
        .filter(entries::id.eq(entry.0))
        .filter(entries::contest_id.eq(contest.0))
        .select((entries::start_number, entries::status, organisations::path))
        .first(c)
        .optional())
}

/// Appends many marks at once (used by bulk loading); returns their ids.
pub fn insert_marks(conn: &mut DbConnection, ms: &[NewMark<'_>]) -> QueryResult<Vec<i64>> {
    let ids = allocate_ids(conn, IdTable::Marks, ms.len())?;
    let rows: Vec<(i64, NewMark<'_>)> = ids.iter().copied().zip(ms.iter().cloned()).collect();
    for chunk in rows.chunks(2000) {
        insert_marks_with_ids(conn, chunk)?;
    }
    Ok(ids)
}

fn insert_marks_with_ids(conn: &mut DbConnection, rows: &[(i64, NewMark<'_>)]) -> QueryResult<()> {
    let values: Vec<_> = rows
        .iter()
        .map(|(id, m)| {
            (
                marks::id.eq(*id),
                marks::contest_id.eq(m.contest.0),
                marks::entry_id.eq(m.entry.0),
                marks::aspect.eq(m.aspect),
                marks::slot.eq(m.slot),
                marks::seq.eq(m.seq),
                marks::value.eq(m.value),
                marks::client_id.eq(m.client_id),
                marks::replaces.eq(m.replaces),
                marks::judge_id.eq(m.judge.0),
                marks::device.eq(m.device),
                marks::reason.eq(m.reason),
                marks::scheme_version.eq(m.scheme_version),
                marks::created_at.eq(m.at),
            )
        })
        .collect();
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(marks::table)
            .values(&values)
            .execute(c)
            .map(|_| ()),
        DbConnection::Sqlite(c) => {
            for v in values {
                diesel::insert_into(marks::table).values(v).execute(c)?;
            }
            Ok(())
        }
    }
}

/// Streams every mark of a contest in the order they were stored (later
/// marks of a slot replace earlier ones) to `f(entry, aspect, slot, value)`,
/// without holding the rows in memory.
pub fn each_current_mark<E>(
    conn: &mut DbConnection,
    contest: ContestId,
    mut f: impl FnMut(i64, &str, &str, &str) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<diesel::result::Error>,
{
    crate::on_backend!(conn, |c| {
        let rows = marks::table
            .filter(marks::contest_id.eq(contest.0))
            .order(marks::id.asc())
            .select((marks::entry_id, marks::aspect, marks::slot, marks::value))
            .load_iter::<(i64, String, String, String), diesel::connection::DefaultLoadingMode>(
                c,
            )?;
        for row in rows {
            let (entry, aspect, slot, value) = row?;
            f(entry, &aspect, &slot, &value)?;
        }
        Ok(())
    })
}

/// Every (judge, entry, aspect) of a contest that has a judge's own mark
/// (a level or score in a `judge:` slot, or a trainee's in a `trainee:`
/// slot), once each.
pub fn judged_aspects(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<(i64, i64, String)>> {
    crate::on_backend!(conn, |c| marks::table
        .filter(marks::contest_id.eq(contest.0))
        .filter(
            marks::slot
                .like("judge:%")
                .or(marks::slot.like("trainee:%")),
        )
        .select((marks::judge_id, marks::entry_id, marks::aspect))
        .distinct()
        .load(c))
}

// ---- module sign-off ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = module_locks)]
pub struct ModuleLock {
    pub id: i64,
    pub entry_id: i64,
    pub module: String,
    pub locked_by: i64,
    pub reason: Option<String>,
    #[serde(with = "crate::io::utc")]
    pub created_at: NaiveDateTime,
}

pub fn locks_of_entry(conn: &mut DbConnection, entry: EntryId) -> QueryResult<Vec<ModuleLock>> {
    module_locks::table
        .filter(module_locks::entry_id.eq(entry.0))
        .order(module_locks::id.asc())
        .select(ModuleLock::as_select())
        .load(conn)
}

/// Every signed-off module of a contest, as (entry, module).
pub fn locks_of_contest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<(i64, String)>> {
    module_locks::table
        .filter(module_locks::contest_id.eq(contest.0))
        .select((module_locks::entry_id, module_locks::module))
        .load(conn)
}

pub fn is_locked(conn: &mut DbConnection, entry: EntryId, module: &str) -> QueryResult<bool> {
    crate::on_backend!(conn, |c| diesel::select(diesel::dsl::exists(
        module_locks::table
            .filter(module_locks::entry_id.eq(entry.0))
            .filter(module_locks::module.eq(module)),
    ))
    .get_result(c))
}

pub fn insert_lock(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    module: &str,
    by: UserId,
    reason: Option<&str>,
) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::ModuleLocks)?;
    diesel::insert_into(module_locks::table)
        .values((
            module_locks::id.eq(id),
            module_locks::contest_id.eq(contest.0),
            module_locks::entry_id.eq(entry.0),
            module_locks::module.eq(module),
            module_locks::locked_by.eq(by.0),
            module_locks::reason.eq(reason),
            module_locks::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

// ---- running scores -----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = entry_scores)]
pub struct StoredScore {
    pub entry_id: i64,
    pub contest_id: i64,
    pub scheme_version: i32,
    pub total: String,
    pub marked: i32,
    pub flagged: i32,
    pub detail: String,
}

/// The running score of an entry. On PostgreSQL the row is locked until
/// the transaction ends, so that servers sharing the database update an
/// entry one at a time.
pub fn score_for_update(
    conn: &mut DbConnection,
    entry: EntryId,
) -> QueryResult<Option<StoredScore>> {
    match conn {
        DbConnection::Pg(c) => entry_scores::table
            .find(entry.0)
            .select(StoredScore::as_select())
            .for_update()
            .first(c)
            .optional(),
        DbConnection::Sqlite(c) => entry_scores::table
            .find(entry.0)
            .select(StoredScore::as_select())
            .first(c)
            .optional(),
    }
}

pub fn scores_of_contest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<StoredScore>> {
    entry_scores::table
        .filter(entry_scores::contest_id.eq(contest.0))
        .order(entry_scores::entry_id.asc())
        .select(StoredScore::as_select())
        .load(conn)
}

pub fn put_score(conn: &mut DbConnection, s: &StoredScore) -> QueryResult<()> {
    let at = now();
    let updated = crate::on_backend!(conn, |c| diesel::update(
        entry_scores::table.find(s.entry_id)
    )
    .set((
        entry_scores::scheme_version.eq(s.scheme_version),
        entry_scores::total.eq(&s.total),
        entry_scores::marked.eq(s.marked),
        entry_scores::flagged.eq(s.flagged),
        entry_scores::detail.eq(&s.detail),
        entry_scores::updated_at.eq(at),
    ))
    .execute(c))?;
    if updated == 0 {
        diesel::insert_into(entry_scores::table)
            .values((
                entry_scores::entry_id.eq(s.entry_id),
                entry_scores::contest_id.eq(s.contest_id),
                entry_scores::scheme_version.eq(s.scheme_version),
                entry_scores::total.eq(&s.total),
                entry_scores::marked.eq(s.marked),
                entry_scores::flagged.eq(s.flagged),
                entry_scores::detail.eq(&s.detail),
                entry_scores::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Aspect outcomes as stored in `entry_scores.detail`, one line per aspect:
/// `u` (unmarked), `m MARK`, `f MARK` (flagged) or `w REASON` (waiting).
pub fn encode_outcomes(outcomes: &[Outcome]) -> String {
    let mut out = String::with_capacity(outcomes.len() * 8);
    for o in outcomes {
        match o {
            Outcome::Unmarked => out.push('u'),
            Outcome::Marked { mark, flagged } => {
                out.push_str(if *flagged { "f " } else { "m " });
                out.push_str(&mark.to_string());
            }
            Outcome::Waiting { reason } => {
                out.push_str("w ");
                out.extend(reason.chars().map(|c| if c == '\n' { ' ' } else { c }));
            }
        }
        out.push('\n');
    }
    out
}

/// The outcomes of [`encode_outcomes`]; `None` if the text is not such a list.
pub fn decode_outcomes(text: &str) -> Option<Vec<Outcome>> {
    text.lines()
        .map(|l| match l.split_at_checked(1)? {
            ("u", "") => Some(Outcome::Unmarked),
            ("m", rest) | ("f", rest) => Some(Outcome::Marked {
                mark: rest.trim().parse::<Decimal>().ok()?,
                flagged: l.starts_with('f'),
            }),
            ("w", rest) => Some(Outcome::Waiting {
                reason: rest.trim_start().to_string(),
            }),
            _ => None,
        })
        .collect()
}
