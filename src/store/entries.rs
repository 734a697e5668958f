//! Entries: a competitor or a team in a contest. Registration plans from the engine
//! are written here in one transaction, in batches.

use super::competitors::CompetitorRow;
use super::schema::{competitors, entries, entry_members, organisations};
use super::{allocate_ids, audit, corrupt, now, DbConnection, IdTable};
use crate::engine::model::{
    Competitor, CompetitorId, ContestId, Entry, EntryId, EntryStatus, OrganisationId, UserId,
    Vocabulary,
};
use crate::engine::registration::{Member, Plan};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

const BATCH: usize = 500;

/// Multi-row inserts run on the concrete connection: the generic one cannot
/// express them for both backends.
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Pg(c) => diesel::insert_into($table).values($rows).execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c)?,
        }
    };
}

/// Inserts rows `BATCH` at a time. A full batch goes as a fixed-size array,
/// whose statement is prepared once per connection and then reused; only the
/// last, shorter batch is prepared on its own.
macro_rules! insert_batches {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(BATCH) {
            match <&[_; BATCH]>::try_from(chunk) {
                Ok(full) => batch_insert!($conn, $table, full),
                Err(_) => batch_insert!($conn, $table, chunk),
            };
        }
    };
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = entries)]
struct EntryRow {
    id: i64,
    contest_id: i64,
    start_number: String,
    team_name: Option<String>,
    organisation_id: i64,
    status: String,
}

// The rows own their text: a statement prepared once and reused for every
// full batch needs row types that borrow nothing.
#[derive(Insertable)]
#[diesel(table_name = competitors, treat_none_as_default_value = false)]
struct NewCompetitorRow {
    id: i64,
    name: String,
    id_hash: String,
    id_last4: String,
    id_kind: &'static str,
    birth_date: chrono::NaiveDate,
    gender: &'static str,
    organisation_id: i64,
    grp: &'static str,
    skill_level: Option<&'static str>,
    created_at: BatchStamp,
    updated_at: BatchStamp,
}

#[derive(Insertable)]
#[diesel(table_name = entries, treat_none_as_default_value = false)]
struct NewEntryRow {
    id: i64,
    contest_id: i64,
    start_number: String,
    team_name: Option<String>,
    organisation_id: i64,
    status: &'static str,
    created_at: BatchStamp,
}

#[derive(Insertable)]
#[diesel(table_name = entry_members, treat_none_as_default_value = false)]
struct NewMemberRow {
    entry_id: i64,
    competitor_id: i64,
    contest_id: i64,
    seat: i32,
}

/// The entries of a contest with their members' ids, by start number.
pub fn of_contest(conn: &mut DbConnection, contest: ContestId) -> QueryResult<Vec<Entry>> {
    let rows: Vec<EntryRow> = entries::table
        .filter(entries::contest_id.eq(contest.0))
        .order(entries::start_number)
        .select(EntryRow::as_select())
        .load(conn)?;
    let members: Vec<(i64, i64)> = entry_members::table
        .inner_join(entries::table)
        .filter(entries::contest_id.eq(contest.0))
        .order((entry_members::entry_id, entry_members::seat))
        .select((entry_members::entry_id, entry_members::competitor_id))
        .load(conn)?;
    let mut by_entry: HashMap<i64, Vec<CompetitorId>> = HashMap::new();
    for (e, c) in members {
        by_entry.entry(e).or_default().push(CompetitorId(c));
    }
    rows.into_iter()
        .map(|r| {
            Ok(Entry {
                id: EntryId(r.id),
                contest_id: ContestId(r.contest_id),
                members: by_entry.remove(&r.id).unwrap_or_default(),
                status: EntryStatus::parse(&r.status).map_err(corrupt)?,
                start_number: r.start_number,
                team_name: r.team_name,
                organisation_id: OrganisationId(r.organisation_id),
            })
        })
        .collect()
}

/// An entry with its members' records and its organisation's names, for display.
#[derive(Debug, Clone)]
pub struct EntryView {
    pub entry: Entry,
    pub organisation_code: String,
    pub organisation_name_zh: String,
    pub organisation_name_en: String,
    pub organisation_path: String,
    pub members: Vec<Competitor>,
}

pub fn views_of_contest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<EntryView>> {
    let list = of_contest(conn, contest)?;
    let orgs: HashMap<i64, (String, String, String, String)> = organisations::table
        .select((
            organisations::id,
            organisations::code,
            organisations::name_zh,
            organisations::name_en,
            organisations::path,
        ))
        .load::<(i64, String, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, c, z, e, p)| (id, (c, z, e, p)))
        .collect();
    let people: Vec<CompetitorRow> = competitors::table
        .inner_join(entry_members::table.inner_join(entries::table))
        .filter(entries::contest_id.eq(contest.0))
        .select(CompetitorRow::as_select())
        .load(conn)?;
    let mut people_by_id = HashMap::with_capacity(people.len());
    for row in people {
        let c = Competitor::try_from(row)?;
        people_by_id.insert(c.id, c);
    }
    list.into_iter()
        .map(|entry| {
            let (code, zh, en, path) =
                orgs.get(&entry.organisation_id.0).cloned().ok_or_else(|| {
                    corrupt(format!("entry {} names a missing organisation", entry.id))
                })?;
            let members = entry
                .members
                .iter()
                .filter_map(|id| people_by_id.get(id).cloned())
                .collect();
            Ok(EntryView {
                entry,
                organisation_code: code,
                organisation_name_zh: zh,
                organisation_name_en: en,
                organisation_path: path,
                members,
            })
        })
        .collect()
}

/// What a registration wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    pub competitors_created: usize,
    pub competitors_updated: usize,
    pub entries_created: usize,
    pub entries_unchanged: usize,
}

/// Writes a registration plan. Call it inside `write_tx`, with the plan made from
/// what that transaction read, so that all of it is written or nothing.
pub fn apply_plan(
    conn: &mut DbConnection,
    contest: ContestId,
    plan: &Plan,
    actor: Option<UserId>,
    source: &str,
) -> QueryResult<Applied> {
    {
        let at = now();
        let stamp = BatchStamp::new(at);
        let competitor_ids = allocate_ids(conn, IdTable::Competitors, plan.new_competitors.len())?;
        let rows: Vec<NewCompetitorRow> = plan
            .new_competitors
            .iter()
            .zip(&competitor_ids)
            .map(|(c, id)| NewCompetitorRow {
                id: *id,
                name: c.name.clone(),
                id_hash: c.id_hash.clone(),
                id_last4: c.id_last4.clone(),
                id_kind: c.id_kind.code(),
                birth_date: c.birth_date,
                gender: c.gender.code(),
                organisation_id: c.organisation_id.0,
                grp: c.group.code(),
                skill_level: c.skill_level.map(|l| l.code()),
                created_at: stamp.clone(),
                updated_at: stamp.clone(),
            })
            .collect();
        insert_batches!(conn, competitors::table, rows);
        for u in &plan.competitor_updates {
            diesel::update(competitors::table.find(u.id.0))
                .set((
                    competitors::organisation_id.eq(u.organisation_id.0),
                    competitors::grp.eq(u.group.code()),
                    competitors::skill_level.eq(u.skill_level.map(|l| l.code())),
                    competitors::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        let entry_ids = allocate_ids(conn, IdTable::Entries, plan.new_entries.len())?;
        let rows: Vec<NewEntryRow> = plan
            .new_entries
            .iter()
            .zip(&entry_ids)
            .map(|(e, id)| NewEntryRow {
                id: *id,
                contest_id: contest.0,
                start_number: e.start_number.clone(),
                team_name: e.team_name.clone(),
                organisation_id: e.organisation_id.0,
                status: EntryStatus::Active.code(),
                created_at: stamp.clone(),
            })
            .collect();
        insert_batches!(conn, entries::table, rows);
        let mut members = Vec::with_capacity(plan.new_entries.len());
        for (e, entry_id) in plan.new_entries.iter().zip(&entry_ids) {
            for (seat, m) in e.members.iter().enumerate() {
                let competitor_id = match m {
                    Member::Known(id) => id.0,
                    Member::New(k) => *competitor_ids.get(*k).ok_or_else(|| {
                        corrupt(format!(
                            "registration plan refers to person {k}, which it does not create"
                        ))
                    })?,
                };
                members.push(NewMemberRow {
                    entry_id: *entry_id,
                    competitor_id,
                    contest_id: contest.0,
                    seat: seat as i32 + 1,
                });
            }
        }
        insert_batches!(conn, entry_members::table, members);
        let applied = Applied {
            competitors_created: plan.new_competitors.len(),
            competitors_updated: plan.competitor_updates.len(),
            entries_created: plan.new_entries.len(),
            entries_unchanged: plan.unchanged_entries,
        };
        if !plan.changes_nothing() {
            audit::record(
                conn,
                actor,
                "entries.register",
                ("contest", Some(contest.0)),
                serde_json::json!({ "source": source, "applied": applied }),
            )?;
        }
        Ok(applied)
    }
}

pub fn set_status(conn: &mut DbConnection, id: EntryId, status: EntryStatus) -> QueryResult<usize> {
    diesel::update(entries::table.find(id.0))
        .set(entries::status.eq(status.code()))
        .execute(conn)
}

pub fn get(conn: &mut DbConnection, contest: ContestId, id: EntryId) -> QueryResult<Entry> {
    let r: EntryRow = entries::table
        .find(id.0)
        .filter(entries::contest_id.eq(contest.0))
        .select(EntryRow::as_select())
        .first(conn)?;
    let members = entry_members::table
        .filter(entry_members::entry_id.eq(id.0))
        .order(entry_members::seat)
        .select(entry_members::competitor_id)
        .load::<i64>(conn)?;
    Ok(Entry {
        id: EntryId(r.id),
        contest_id: ContestId(r.contest_id),
        members: members.into_iter().map(CompetitorId).collect(),
        status: EntryStatus::parse(&r.status).map_err(corrupt)?,
        start_number: r.start_number,
        team_name: r.team_name,
        organisation_id: OrganisationId(r.organisation_id),
    })
}

/// One moment written into many rows of a batch. SQLite stores a timestamp as
/// text, which is formatted here once for the whole batch rather than once per
/// row and column; PostgreSQL takes the value itself.
#[derive(Debug, Clone, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Timestamp)]
struct BatchStamp {
    at: NaiveDateTime,
    text: std::sync::Arc<str>,
}

impl BatchStamp {
    fn new(at: NaiveDateTime) -> Self {
        // The format diesel writes a `NaiveDateTime` in on SQLite.
        let text = at.format("%F %T%.f").to_string().into();
        BatchStamp { at, text }
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite> for BatchStamp {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
    ) -> diesel::serialize::Result {
        out.set_value(&*self.text);
        Ok(diesel::serialize::IsNull::No)
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Timestamp, diesel::pg::Pg> for BatchStamp {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
    ) -> diesel::serialize::Result {
        diesel::serialize::ToSql::<diesel::sql_types::Timestamp, diesel::pg::Pg>::to_sql(
            &self.at,
            &mut out.reborrow(),
        )
    }
}

/// Sets an entry's start number and team name.
pub fn set_number_and_team(
    conn: &mut DbConnection,
    id: EntryId,
    start_number: &str,
    team_name: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(entries::table.find(id.0))
        .set((
            entries::start_number.eq(start_number),
            entries::team_name.eq(team_name),
        ))
        .execute(conn)
}
