//! Re-check (复核) and the signatures that release results. Before a
//! publication, a second person types the total each entry's score sheet
//! shows; the workflow compares it with the total recomputed from the
//! entry's marks. When the contest requires it, publication waits until
//! every ranked entry's check agrees with its current total and the chief
//! judge and a supervisor have signed for the version about to be published.

use crate::engine::access::Actor;
use crate::engine::fair_play::recheck::{self as rule, Check, State, PUBLICATION};
use crate::engine::model::{ContestId, ContestRole, ContestStatus, EntryId, UserId, Vocabulary};
use crate::engine::standings::{by_start_number, Unranked};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::rechecks::{self as store, NewRecheck};
use crate::store::{
    audit, fair_play, marking as marks_store, results, users, write_tx, DbConnection,
};
use crate::workflow::contests::{load_contest, LoadedContest};
use crate::workflow::marking::{contest_scores, recompute_entry, Schemes};
use crate::workflow::{allow, check_text, refused};
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Serialize;

/// The latest check of an entry.
#[derive(Debug, Clone, Serialize)]
pub struct LatestCheck {
    /// The total the checker read on the score sheet.
    pub total: Decimal,
    pub agrees: bool,
    pub note: Option<String>,
    /// The checker's name.
    pub checked_by: String,
    #[serde(with = "crate::io::utc")]
    pub checked_at: NaiveDateTime,
}

/// One entry of the re-check, named by its blind number while the contest
/// is blind and by its start number otherwise.
#[derive(Debug, Clone, Serialize)]
pub struct RecheckLine {
    pub label: String,
    /// The total recomputed from the entry's marks now.
    pub total: Decimal,
    pub state: State,
    pub latest: Option<LatestCheck>,
    /// Whether the caller may check this entry (not a judge of it).
    pub may_check: bool,
}

/// Who signed for the release of a publication version.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureLine {
    pub role: ContestRole,
    pub name: String,
    #[serde(with = "crate::io::utc")]
    pub signed_at: NaiveDateTime,
}

/// The release signatures of the next publication version.
#[derive(Debug, Clone, Serialize)]
pub struct Signatures {
    /// The version the signatures release (the next to be published).
    pub version: i32,
    pub signatures: Vec<SignatureLine>,
    /// The role the caller would sign under, if any and not yet given.
    pub may_sign: Option<ContestRole>,
}

/// A contest's re-check: every ranked entry, the signatures, and what
/// still stops the release.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// Whether publication waits for the re-check and the signatures.
    pub required: bool,
    /// Whether entries are named by blind numbers.
    pub blind: bool,
    pub entries: Vec<RecheckLine>,
    pub release: Signatures,
    /// Why the next version may not be released yet (empty: it may).
    #[serde(skip)]
    pub missing: Vec<Msg>,
}

/// What a checker read on an entry's score sheet.
#[derive(Debug, Clone, Default)]
pub struct CheckInput {
    /// The entry's label: its blind number while the contest is blind, its
    /// start number otherwise.
    pub entry: String,
    /// The total read, as a decimal.
    pub total: String,
    pub note: Option<String>,
}

/// What a check found.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub id: i64,
    pub entry: String,
    /// The total read.
    pub total: Decimal,
    /// The total recomputed from the marks.
    pub recomputed: Decimal,
    pub agrees: bool,
    pub state: State,
}

/// A signature given.
#[derive(Debug, Clone, Serialize)]
pub struct Signed {
    pub version: i32,
    pub role: ContestRole,
}

/// One ranked entry with its recomputed total and latest check.
struct Facts {
    entry: EntryId,
    label: String,
    total: Decimal,
    latest: Option<store::RecheckRow>,
}

impl Facts {
    fn check(&self) -> Option<Check> {
        self.latest.as_ref().map(|r| Check {
            total: Decimal::from_str_exact(&r.total).unwrap_or_default(),
            agrees: r.agrees,
        })
    }

    fn state(&self) -> State {
        State::of(self.check(), self.total)
    }
}

/// Every entry publication would rank (or only the one labelled `only`),
/// with its total recomputed from its marks, in the order of its label.
/// Blind contests name entries by number.
fn facts(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    only: Option<&str>,
) -> AppResult<(bool, Vec<Facts>)> {
    let blind = super::blind::view(conn, contest)?;
    if schemes.current(conn, contest)?.is_none() {
        return Ok((blind.is_some(), Vec::new()));
    }
    let (_, layout, scored) = contest_scores(conn, schemes, contest)?;
    let mut latest = store::latest(conn, contest)?;
    let mut out = Vec::new();
    for (entry, score) in scored {
        if Unranked::of(&score.aspects).is_some() {
            continue;
        }
        let label = match &blind {
            Some(v) => match v.number(entry.id) {
                Some(n) => n.to_string(),
                None => continue,
            },
            None => entry.start_number.clone(),
        };
        if only.is_some_and(|o| o != label) {
            continue;
        }
        let total = recompute_entry(conn, &layout, entry.id)?.total;
        out.push(Facts {
            entry: entry.id,
            label,
            total,
            latest: latest.remove(&entry.id),
        });
    }
    out.sort_by(|a, b| by_start_number(&a.label, &b.label));
    Ok((blind.is_some(), out))
}

/// Whether `user` has entered a mark for `entry` (as a judge, a trainee or
/// the chief judge correcting).
fn marked_entry(conn: &mut DbConnection, user: UserId, entry: EntryId) -> AppResult<bool> {
    Ok(marks_store::marks_of_entry(conn, entry)?
        .iter()
        .any(|m| m.judge_id == user.0))
}

/// Whether `user` sits on a panel that marks any module (every entry is
/// marked on every module of the scheme).
fn on_marking_panel(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    user: UserId,
) -> AppResult<bool> {
    let Some((_, layout)) = schemes.current(conn, contest)? else {
        return Ok(false);
    };
    Ok(marks_store::panels_of(conn, contest)?.iter().any(|p| {
        p.judges.contains(&user) && (0..layout.aspect_count()).any(|i| layout.covers(&p.covers, i))
    }))
}

/// The version the next publication will have.
fn next_version(conn: &mut DbConnection, contest: ContestId) -> AppResult<i32> {
    Ok(results::latest_version(conn, contest)? + 1)
}

fn signed_roles(rows: &[fair_play::SignatureRow]) -> Vec<ContestRole> {
    rows.iter()
        .filter_map(|s| ContestRole::parse(&s.role).ok())
        .collect()
}

/// Why the next publication of a contest may not be released: empty when
/// it may (always, when the contest does not require the re-check).
pub fn release_blockers(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Vec<Msg>> {
    if !super::settings(conn, contest)?.recheck_required {
        return Ok(Vec::new());
    }
    let (_, facts) = facts(conn, schemes, contest, None)?;
    let states: Vec<State> = facts.iter().map(Facts::state).collect();
    let version = next_version(conn, contest)?;
    let signed = signed_roles(&fair_play::signatures_for(
        conn,
        contest,
        PUBLICATION,
        version,
    )?);
    Ok(rule::release(true, &states, &signed)
        .err()
        .unwrap_or_default())
}

/// Refuses a publication the release rule does not allow yet, listing
/// what is missing. Called by publication inside its transaction.
pub fn check_release(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<()> {
    let missing = release_blockers(conn, schemes, contest)?;
    if missing.is_empty() {
        return Ok(());
    }
    let details = missing
        .iter()
        .map(|m| ErrorDetail::field("release", m.clone()))
        .collect();
    Err(AppError::new(
        ErrorKind::Conflict,
        "release_not_ready",
        crate::msg!("recheck_publish_refused", count = missing.len()),
    )
    .with_details(details))
}

fn may_see(actor: &Actor, c: &LoadedContest) -> AppResult<()> {
    allow(actor.is_signed_in(), rule::may_see(actor, &c.scope()))
}

fn signatures(conn: &mut DbConnection, actor: &Actor, c: &LoadedContest) -> AppResult<Signatures> {
    let contest = c.contest.id;
    let version = next_version(conn, contest)?;
    let rows = fair_play::signatures_for(conn, contest, PUBLICATION, version)?;
    let given = signed_roles(&rows);
    let may_sign = rule::release_signer(actor, &c.scope())
        .ok()
        .map(|(_, r)| r)
        .filter(|r| rule::may_sign(*r, &given).is_ok());
    let mut signatures = Vec::new();
    for s in rows {
        let Ok(role) = ContestRole::parse(&s.role) else {
            continue;
        };
        signatures.push(SignatureLine {
            role,
            name: users::get(conn, UserId(s.user_id))?.display_name,
            signed_at: s.signed_at,
        });
    }
    Ok(Signatures {
        version,
        signatures,
        may_sign,
    })
}

/// A contest's re-check for its checkers and signers: its organisers, its
/// chief judge and its supervisors.
pub fn overview(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Overview> {
    let c = load_contest(conn, contest)?;
    may_see(actor, &c)?;
    build(conn, schemes, actor, &c)
}

/// A contest's re-check as the installation's operator reads it on the
/// command line (`jiangxin recheck`): no one's checks or signatures to give.
pub fn report(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Overview> {
    let c = load_contest(conn, contest)?;
    build(conn, schemes, &Actor::Anonymous, &c)
}

fn build(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    c: &LoadedContest,
) -> AppResult<Overview> {
    let contest = c.contest.id;
    let (blind, facts) = facts(conn, schemes, contest, None)?;
    let on_panel = match actor.user() {
        Some(u) => on_marking_panel(conn, schemes, contest, u)?,
        None => false,
    };
    let mut entries = Vec::with_capacity(facts.len());
    for f in &facts {
        let judged = on_panel
            || match actor.user() {
                Some(u) => marked_entry(conn, u, f.entry)?,
                None => false,
            };
        let latest = match &f.latest {
            Some(r) => Some(LatestCheck {
                total: Decimal::from_str_exact(&r.total).unwrap_or_default(),
                agrees: r.agrees,
                note: r.note.clone(),
                checked_by: users::get(conn, UserId(r.checked_by))?.display_name,
                checked_at: r.checked_at,
            }),
            None => None,
        };
        entries.push(RecheckLine {
            label: f.label.clone(),
            total: f.total,
            state: f.state(),
            latest,
            may_check: rule::may_recheck(actor, &c.scope(), judged).is_ok(),
        });
    }
    let required = super::settings(conn, contest)?.recheck_required;
    let release = signatures(conn, actor, c)?;
    let states: Vec<State> = entries.iter().map(|e| e.state).collect();
    let given: Vec<ContestRole> = release.signatures.iter().map(|s| s.role).collect();
    let missing = rule::release(required, &states, &given)
        .err()
        .unwrap_or_default();
    Ok(Overview {
        required,
        blind,
        entries,
        release,
        missing,
    })
}

/// The release signatures of the next version, for those who see the
/// re-check.
pub fn release_signatures(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Signatures> {
    let c = load_contest(conn, contest)?;
    may_see(actor, &c)?;
    signatures(conn, actor, &c)
}

/// Re-check and signatures belong to a contest whose marking is closed.
fn marking_closed(c: &LoadedContest) -> AppResult<()> {
    match c.contest.status {
        ContestStatus::MarkingClosed | ContestStatus::Published => Ok(()),
        other => Err(AppError::new(
            ErrorKind::Conflict,
            "marking_not_closed",
            crate::msg!(
                "recheck_marking_open",
                contest = c.contest.code,
                status = other
            ),
        )),
    }
}

/// Records a check of one entry's score sheet: the total the checker read
/// is compared with the total recomputed from the entry's marks.
pub fn check(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    input: &CheckInput,
) -> AppResult<Checked> {
    write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        may_see(actor, &c)?;
        let by = actor
            .user()
            .ok_or_else(|| AppError::unauthenticated(Msg::new("access_sign_in")))?;
        let label = input.entry.trim();
        let read = Decimal::from_str_exact(input.total.trim())
            .ok()
            .filter(|d| input.total.trim().len() <= 32 && !d.is_sign_negative())
            .ok_or_else(|| {
                AppError::invalid(
                    "total",
                    crate::msg!("recheck_total_invalid", total = input.total.trim()),
                )
            })?;
        let note = match input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) => Some(check_text("note", n, 500)?),
            None => None,
        };
        marking_closed(&c)?;
        let (_, facts) = facts(conn, schemes, contest, Some(label))?;
        let Some(f) = facts.first() else {
            return Err(AppError::invalid(
                "entry",
                crate::msg!("recheck_entry_unknown", entry = label),
            ));
        };
        let judged =
            on_marking_panel(conn, schemes, contest, by)? || marked_entry(conn, by, f.entry)?;
        allow(true, rule::may_recheck(actor, &c.scope(), judged))?;
        let agrees = rule::agrees(read, f.total);
        let id = store::insert(
            conn,
            contest,
            &NewRecheck {
                entry: f.entry,
                total: &read.to_string(),
                agrees,
                note: note.as_deref(),
                by,
            },
        )?;
        audit::record(
            conn,
            Some(by),
            "recheck.check",
            ("contest", Some(contest.0)),
            serde_json::json!({"recheck": id, "entry": f.entry.0, "read": read.to_string(),
                "recomputed": f.total.to_string(), "agrees": agrees, "note": note}),
        )?;
        let state = State::of(
            Some(Check {
                total: read,
                agrees,
            }),
            f.total,
        );
        Ok(Checked {
            id,
            entry: f.label.clone(),
            total: read,
            recomputed: f.total,
            agrees,
            state,
        })
    })
}

/// Signs for the release of the next publication version, as the chief
/// judge or a supervisor of the contest; one signature per role.
pub fn sign_release(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Signed> {
    write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        let (by, role) = rule::release_signer(actor, &c.scope()).map_err(|d| refused(actor, d))?;
        marking_closed(&c)?;
        let version = next_version(conn, contest)?;
        let given = signed_roles(&fair_play::signatures_for(
            conn,
            contest,
            PUBLICATION,
            version,
        )?);
        rule::may_sign(role, &given)
            .map_err(|m| AppError::new(ErrorKind::Conflict, "already_signed", m))?;
        fair_play::sign(conn, contest, PUBLICATION, version, role.code(), by)?;
        audit::record(
            conn,
            Some(by),
            "release.sign",
            ("contest", Some(contest.0)),
            serde_json::json!({"version": version, "role": role.code()}),
        )?;
        Ok(Signed { version, role })
    })
}
