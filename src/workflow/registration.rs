//! The registration workflow shared by the CLI and the API: load what the rules
//! need, let the engine plan, and write the plan in the same transaction.

use super::allow;
use super::contests::load_contest;
use crate::engine::access::Actor;
use crate::engine::identity::IdentityHasher;
use crate::engine::model::{ContestId, EntryId, EntryStatus, Organisation, UserId};
use crate::engine::registration::{self, Context, OrgIndex, RawRow, RegistrationRow, RowError};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::i18n::messages::Msg;
use crate::io::encoding::{decode, TextEncoding};
use crate::io::entries_csv::{parse_entries_named, write_entries, ColumnNames, ExportRow};
use crate::store::entries;
use crate::store::{
    audit, competitors, contests, organisations, reference, write_tx, DbConnection,
};

/// What a registration did, and a contest's entry as listed.
pub use crate::store::entries::{Applied, EntryView};

/// Who registers, and for which part of the organisation tree.
pub struct Registrar<'a> {
    pub user: Option<UserId>,
    /// Rows must name organisations inside this one; `None` for the command line.
    pub scope: Option<&'a Organisation>,
}

/// Checks every row and, unless `dry_run`, writes all of them or none.
pub fn register(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    contest: ContestId,
    rows: &[RegistrationRow],
    registrar: &Registrar<'_>,
    source: &str,
    dry_run: bool,
) -> AppResult<Applied> {
    let work = |conn: &mut DbConnection| -> AppResult<Applied> {
        let contest = contests::find(conn, contest)?.ok_or_else(|| {
            AppError::not_found(crate::msg!("contest_missing", contest = contest))
        })?;
        if !contest.status.accepts_registrations() {
            return Err(AppError::conflict(format!(
                "contest {} is '{}': entries can be registered only in draft or registration",
                contest.code, contest.status
            )));
        }
        let skill = reference::skill(conn, contest.skill_id)?;
        let orgs = organisations::all(conn)?;
        let index = OrgIndex::new(&orgs);
        let hashes: Vec<String> = rows
            .iter()
            .map(|r| hasher.hash(r.id_kind, &r.id_number))
            .collect();
        let hash_refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
        let known = competitors::by_hashes(conn, &hash_refs)?;
        let current = entries::of_contest(conn, contest.id)?;
        let ctx = Context {
            contest: &contest,
            skill: &skill,
            organisations: &index,
            scope: registrar.scope,
            known: &known,
            entries: &current,
        };
        let plan =
            registration::plan(&ctx, rows, &hashes).map_err(|errors| invalid_rows(&errors))?;
        if dry_run {
            return Ok(Applied {
                competitors_created: plan.new_competitors.len(),
                competitors_updated: plan.competitor_updates.len(),
                entries_created: plan.new_entries.len(),
                entries_unchanged: plan.unchanged_entries,
            });
        }
        let applied = entries::apply_plan(conn, contest.id, &plan, registrar.user, source)?;
        record_attributes(conn, contest.id, rows, &hashes, registrar.user, source)?;
        Ok(applied)
    };
    if dry_run {
        work(conn)
    } else {
        write_tx(conn, work)
    }
}

/// Appends the attributes the rows give (frontline, job, service_since)
/// that differ from what each person holds, with one audit row.
fn record_attributes(
    conn: &mut DbConnection,
    contest: ContestId,
    rows: &[RegistrationRow],
    hashes: &[String],
    by: Option<UserId>,
    source: &str,
) -> AppResult<()> {
    let given: Vec<(&str, Vec<(&'static str, String)>)> = rows
        .iter()
        .zip(hashes)
        .map(|(r, h)| (h.as_str(), r.attributes.given()))
        .filter(|(_, g)| !g.is_empty())
        .collect();
    if given.is_empty() {
        return Ok(());
    }
    let hash_refs: Vec<&str> = given.iter().map(|(h, _)| *h).collect();
    let people = competitors::by_hashes(conn, &hash_refs)?;
    let ids: Vec<_> = people.values().map(|c| c.id).collect();
    let held = crate::store::honours::attributes(conn, &ids)?;
    let mut changed = 0usize;
    for (hash, attributes) in &given {
        let Some(person) = people.get(*hash) else {
            continue;
        };
        let now = held.get(&person.id);
        for (name, value) in attributes {
            if now.and_then(|a| a.get(*name)) != Some(value) {
                crate::store::honours::set_attribute(conn, person.id, name, Some(value), by)?;
                changed += 1;
            }
        }
    }
    if changed > 0 {
        audit::record(
            conn,
            by,
            "person.attributes",
            ("contest", Some(contest.0)),
            serde_json::json!({"source": source, "changed": changed}),
        )?;
    }
    Ok(())
}

/// Decodes and parses a registration file, then registers it: the one path for
/// files from the command line, the API and the benchmark.
#[allow(clippy::too_many_arguments)]
pub fn import_file(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    contest: ContestId,
    bytes: &[u8],
    encoding: Option<TextEncoding>,
    registrar: &Registrar<'_>,
    source: &str,
    dry_run: bool,
) -> AppResult<Applied> {
    let (rows, names) = read_file(bytes, encoding)?;
    register(conn, hasher, contest, &rows, registrar, source, dry_run)
        .map_err(|e| as_in_file(e, &names))
}

/// An error about a file's rows with each column named as in the file.
fn as_in_file(mut e: AppError, names: &ColumnNames) -> AppError {
    for d in &mut e.details {
        if let (Some(_), Some(column)) = (d.row, &d.column) {
            d.column = Some(names.written(column).to_string());
        }
    }
    e
}

/// The rows of a registration file, each checked by the registration rules.
fn read_file(
    bytes: &[u8],
    encoding: Option<TextEncoding>,
) -> AppResult<(Vec<RegistrationRow>, ColumnNames)> {
    let (text, _) = decode(bytes, encoding)
        .map_err(|m| AppError::new(ErrorKind::Invalid, "bad_encoding", m))?;
    let (rows, names) = parse_entries_named(&text);
    let rows = rows.map_err(|errors| invalid_rows(&errors))?;
    if rows.is_empty() {
        return Err(AppError::invalid("file", Msg::new("import_no_rows")));
    }
    Ok((rows, names))
}

/// Registrations given field by field (as in a JSON request), read by the
/// same rules as the rows of a registration file.
pub fn check_rows(rows: &[RawRow<'_>]) -> AppResult<Vec<RegistrationRow>> {
    registration::check_rows(rows).map_err(|errors| invalid_rows(&errors))
}

/// Checks that the actor may register entries in the contest, and gives the
/// organisation they register for: an organiser's own; `None` for other
/// callers, who are refused by the contest rules before it matters.
fn registering(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Option<Organisation>> {
    crate::workflow::contests::load_managed(conn, actor, contest)?;
    match actor {
        Actor::Organiser { scope, .. } => match scope.last() {
            Some(o) => Ok(Some(organisations::get(conn, *o)?)),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Registers checked rows for a caller who may manage the contest.
pub fn register_as(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    actor: &Actor,
    contest: ContestId,
    rows: &[RegistrationRow],
    source: &str,
    dry_run: bool,
) -> AppResult<Applied> {
    let scope = registering(conn, actor, contest)?;
    let registrar = Registrar {
        user: actor.user(),
        scope: scope.as_ref(),
    };
    register(conn, hasher, contest, rows, &registrar, source, dry_run)
}

/// What an imported file did, or would do in a dry run, with its rows as read.
pub struct Imported {
    pub applied: Applied,
    pub rows: Vec<RegistrationRow>,
}

/// Imports a registration file for a caller who may manage the contest.
#[allow(clippy::too_many_arguments)]
pub fn import_as(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    actor: &Actor,
    contest: ContestId,
    bytes: &[u8],
    encoding: Option<TextEncoding>,
    source: &str,
    dry_run: bool,
) -> AppResult<Imported> {
    let scope = registering(conn, actor, contest)?;
    let registrar = Registrar {
        user: actor.user(),
        scope: scope.as_ref(),
    };
    let (rows, names) = read_file(bytes, encoding)?;
    let applied = register(conn, hasher, contest, &rows, &registrar, source, dry_run)
        .map_err(|e| as_in_file(e, &names))?;
    Ok(Imported { applied, rows })
}

/// The error for a file with bad rows: every row, column and reason.
pub fn invalid_rows(errors: &[RowError]) -> AppError {
    let rows: std::collections::BTreeSet<usize> = errors.iter().map(|e| e.row).collect();
    AppError::new(
        ErrorKind::Invalid,
        "invalid_rows",
        crate::msg!(
            "import_rows_invalid",
            rows = rows.len(),
            errors = errors.len()
        ),
    )
    .with_details(
        errors
            .iter()
            .map(|e| ErrorDetail::cell(e.row, e.column.clone(), e.message.clone()))
            .collect(),
    )
}

/// A contest's entries as the export CSV (one row per member).
pub fn export_entries(views: &[EntryView]) -> AppResult<String> {
    let mut rows = Vec::new();
    for v in views {
        for c in &v.members {
            rows.push(ExportRow {
                start_number: v.entry.start_number.clone(),
                team: v.entry.team_name.clone(),
                name: c.name.clone(),
                id_kind: c.id_kind,
                id_last4: c.id_last4.clone(),
                birth_date: c.birth_date,
                gender: c.gender,
                organisation_code: v.organisation_code.clone(),
                organisation_name: v.organisation_name_zh.clone(),
                group: c.group,
                skill_level: c.skill_level,
                status: v.entry.status.to_string(),
            });
        }
    }
    let mut out = Vec::new();
    write_entries(&mut out, &rows).map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    String::from_utf8(out).map_err(|_| AppError::internal("the export is not UTF-8"))
}

/// A contest's entries with their members and organisations. The caller
/// decides who may see them.
pub fn contest_entries(conn: &mut DbConnection, contest: ContestId) -> AppResult<Vec<EntryView>> {
    Ok(entries::views_of_contest(conn, contest)?)
}

/// A contest's entries as a registration CSV file.
pub struct EntriesFile {
    pub contest_code: String,
    pub csv: String,
}

/// The export of a contest's entries, for a caller who may see registration
/// details.
pub fn export_contest_entries(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<EntriesFile> {
    let c = load_contest(conn, contest)?;
    allow(
        actor.is_signed_in(),
        actor.may_view_registration_details(&c.scope()),
    )?;
    let views = entries::views_of_contest(conn, contest)?;
    Ok(EntriesFile {
        contest_code: c.contest.code,
        csv: export_entries(&views)?,
    })
}

/// The entries of a contest the actor may see, and whether with the
/// particulars organisers need: organisers see every entry; a judge sees the
/// entries the marking rule (`engine::marking::Reach`) lets them mark; others
/// see the public list.
pub fn visible_entries(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<(Vec<EntryView>, bool)> {
    let c = crate::workflow::contests::load_contest(conn, contest)?;
    crate::workflow::allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    let details = actor.may_view_registration_details(&c.scope()).is_ok();
    // While the contest is blind only its organisers see who is entered.
    if !details {
        crate::workflow::fair_play::blind_views::hidden_while_blind(conn, contest)?;
    }
    let sight = crate::workflow::marking::work::EntrySight::load(conn, schemes, actor, contest)?;
    let mut out = Vec::new();
    for v in contest_entries(conn, contest)? {
        if sight.sees(&v.organisation_path)? {
            out.push(v);
        }
    }
    Ok((out, details))
}

/// Withdraws an entry, with its audit row carrying the reason when one is
/// given, for a caller who may manage the contest.
pub fn withdraw_because(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
    reason: Option<&str>,
) -> AppResult<()> {
    let reason = reason
        .map(|r| super::check_text("reason", r, 500))
        .transpose()?;
    write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        let e = entries::get(conn, contest, entry)?;
        if e.status == EntryStatus::Withdrawn {
            return Err(AppError::conflict(format!(
                "entry {} is already withdrawn",
                e.start_number
            )));
        }
        entries::set_status(conn, entry, EntryStatus::Withdrawn)?;
        let mut detail = serde_json::json!({"contest": contest, "start_number": e.start_number});
        if let Some(r) = &reason {
            detail["reason"] = serde_json::Value::from(r.as_str());
        }
        audit::record(
            conn,
            actor.user(),
            "entry.withdraw",
            ("entry", Some(entry.0)),
            detail,
        )?;
        Ok(())
    })
}

/// What an organiser may change in an entry once it is registered.
#[derive(Debug, Clone)]
pub struct EntryEdit {
    pub start_number: String,
    /// Empty or `None` for an entry of one competitor.
    pub team_name: Option<String>,
}

/// One entry of a contest the actor may manage, as listed.
pub fn managed_entry(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
) -> AppResult<EntryView> {
    crate::workflow::contests::load_managed(conn, actor, contest)?;
    contest_entries(conn, contest)?
        .into_iter()
        .find(|v| v.entry.id == entry)
        .ok_or_else(|| AppError::not_found(format!("entry {entry} is not in contest {contest}")))
}

/// Changes an entry's start number and team name, with an audit row giving
/// both before and after, while the contest takes registrations.
pub fn edit_entry(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
    edit: &EntryEdit,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let c = crate::workflow::contests::load_managed(conn, actor, contest)?;
        if !c.contest.status.accepts_registrations() {
            return Err(AppError::conflict(format!(
                "contest {} is '{}': entries can be changed only in draft or registration",
                c.contest.code, c.contest.status
            )));
        }
        let e = entries::get(conn, contest, entry)?;
        let number = super::check_text("start_number", &edit.start_number, 20)?;
        let team = match edit.team_name.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => Some(super::check_text("team_name", t, 100)?),
        };
        if team.is_none() && e.members.len() > 1 {
            return Err(AppError::invalid(
                "team_name",
                format!("a team of {} needs a team name", e.members.len()),
            ));
        }
        let taken = entries::of_contest(conn, contest)?
            .iter()
            .any(|o| o.id != entry && o.start_number == number);
        if taken {
            return Err(AppError::invalid(
                "start_number",
                format!("start number {number} is already taken by another entry"),
            ));
        }
        if number == e.start_number && team == e.team_name {
            return Ok(());
        }
        entries::set_number_and_team(conn, entry, &number, team.as_deref())?;
        audit::record(
            conn,
            actor.user(),
            "entry.edit",
            ("entry", Some(entry.0)),
            serde_json::json!({
                "contest": contest,
                "before": {"start_number": e.start_number, "team_name": e.team_name},
                "after": {"start_number": number, "team_name": team},
            }),
        )?;
        Ok(())
    })
}

/// A registration file to fill in for a contest the actor may manage, with
/// Chinese or English headers and an example row naming the organiser.
pub fn registration_template(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    chinese: bool,
) -> AppResult<EntriesFile> {
    let c = crate::workflow::contests::load_managed(conn, actor, contest)?;
    let organiser = organisations::get(conn, c.contest.organiser_org_id)?;
    let mut out = Vec::new();
    crate::io::entries_csv::write_template(&mut out, chinese, &organiser.code)
        .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    Ok(EntriesFile {
        contest_code: c.contest.code,
        csv: String::from_utf8(out).map_err(|_| AppError::internal("the template is not UTF-8"))?,
    })
}
