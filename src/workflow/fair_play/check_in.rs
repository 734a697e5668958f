//! Check-in (检录): recording each entry as present, absent or withdrawn at
//! the door, and the list of where every entry stands. Checks are appended;
//! the latest check of an entry stands. A device resending a queued check
//! (same `client_id`) gets the stored check back, and nothing is stored twice.

use crate::engine::access::Actor;
use crate::engine::fair_play::check_in::{self as rules, Check, Refusal};
use crate::engine::model::{
    CheckInStatus, ContestId, ContestStatus, EntryId, EntryStatus, UserId, Vocabulary,
};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::{audit, check_ins as store, entries, users, write_tx, DbConnection};
use crate::workflow::contests::load_contest;
use crate::workflow::marking::valid_client_id;
use crate::workflow::{allow, check_text};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How far ahead of the server's clock a device's time may be.
const CLOCK_SKEW_MINUTES: i64 = 10;

/// One check as a device sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckInput {
    pub entry: i64,
    pub status: String,
    /// The last 4 characters of the identity number, typed at the door.
    #[serde(default)]
    pub id_tail: Option<String>,
    /// Why a check is taken although the identity did not match.
    #[serde(default)]
    pub reason: Option<String>,
    /// The device's own id for the check (a UUID).
    pub client_id: String,
    #[serde(default)]
    pub device: Option<String>,
    /// When the check was made on the device (it may have been queued
    /// offline); the time it arrives when left out.
    #[serde(default)]
    pub checked_at: Option<DateTime<Utc>>,
}

/// Where one entry stands at the door.
#[derive(Debug, Clone, Serialize)]
pub struct EntryCheck {
    pub entry: i64,
    pub start_number: String,
    pub team_name: Option<String>,
    pub members: Vec<String>,
    pub organisation_zh: String,
    pub organisation_en: String,
    /// `present`, `absent`, `withdrawn`, or `not_yet` when never checked.
    pub status: String,
    pub identity_matched: Option<bool>,
    pub reason: Option<String>,
    pub checked_by: Option<i64>,
    pub checked_by_name: Option<String>,
    pub checked_at: Option<NaiveDateTime>,
    pub client_id: Option<String>,
}

/// How many entries stand at each status.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub present: usize,
    pub absent: usize,
    pub withdrawn: usize,
    pub not_yet: usize,
}

impl Counts {
    pub fn of(list: &[EntryCheck]) -> Counts {
        let mut c = Counts::default();
        for e in list {
            match e.status.as_str() {
                "present" => c.present += 1,
                "absent" => c.absent += 1,
                "withdrawn" => c.withdrawn += 1,
                _ => c.not_yet += 1,
            }
        }
        c
    }
}

/// Every registered entry of a contest and where it stands at the door.
#[derive(Debug, Clone, Serialize)]
pub struct CheckInList {
    pub contest: i64,
    pub contest_code: String,
    pub contest_status: ContestStatus,
    pub counts: Counts,
    pub entries: Vec<EntryCheck>,
}

/// A check as stored: the entry's standing after it, and whether this
/// request stored it (false when it was a resent check).
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub stored: bool,
    pub check: EntryCheck,
}

/// The check that stands for an entry (`None` when never checked).
pub fn door_status(conn: &mut DbConnection, entry: EntryId) -> AppResult<Option<CheckInStatus>> {
    store::latest_of_entry(conn, entry)?
        .map(|r| CheckInStatus::parse(&r.status).map_err(AppError::internal))
        .transpose()
}

/// The entries of a contest kept out of marking and places by their check
/// (absent or withdrawn at the door), with that status.
pub fn kept_out(
    conn: &mut DbConnection,
    contest: ContestId,
) -> AppResult<HashMap<EntryId, CheckInStatus>> {
    let mut out = HashMap::new();
    for (entry, row) in store::latest(conn, contest)? {
        let status = CheckInStatus::parse(&row.status).map_err(AppError::internal)?;
        if rules::keeps_out(Some(status)) {
            out.insert(entry, status);
        }
    }
    Ok(out)
}

fn names(
    conn: &mut DbConnection,
    cache: &mut HashMap<i64, String>,
    user: i64,
) -> AppResult<String> {
    if let Some(n) = cache.get(&user) {
        return Ok(n.clone());
    }
    let n = users::find(conn, UserId(user))?
        .map(|u| u.display_name)
        .unwrap_or_default();
    cache.insert(user, n.clone());
    Ok(n)
}

fn standing(
    view: &entries::EntryView,
    row: Option<&store::CheckInRow>,
    by_name: Option<String>,
) -> EntryCheck {
    EntryCheck {
        entry: view.entry.id.0,
        start_number: view.entry.start_number.clone(),
        team_name: view.entry.team_name.clone(),
        members: view.members.iter().map(|m| m.name.clone()).collect(),
        organisation_zh: view.organisation_name_zh.clone(),
        organisation_en: view.organisation_name_en.clone(),
        status: row.map_or_else(|| "not_yet".to_string(), |r| r.status.clone()),
        identity_matched: row.map(|r| r.identity_matched),
        reason: row.and_then(|r| r.reason.clone()),
        checked_by: row.map(|r| r.checked_by),
        checked_by_name: by_name,
        checked_at: row.map(|r| r.checked_at),
        client_id: row.map(|r| r.client_id.clone()),
    }
}

/// Every registered entry (withdrawn registrations left out) by start
/// number, with the check that stands for it: for the contest's organisers
/// and its supervisor.
pub fn list(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<CheckInList> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_view_check_ins(&c.scope()))?;
    roll(conn, &c)
}

/// The list for the installation's operator (the command line), who works
/// on the database itself.
pub fn roll_call(conn: &mut DbConnection, contest: ContestId) -> AppResult<CheckInList> {
    let c = load_contest(conn, contest)?;
    roll(conn, &c)
}

fn roll(
    conn: &mut DbConnection,
    c: &crate::workflow::contests::LoadedContest,
) -> AppResult<CheckInList> {
    let contest = c.contest.id;
    let latest = store::latest(conn, contest)?;
    let mut cache = HashMap::new();
    let mut views = entries::views_of_contest(conn, contest)?;
    views.retain(|v| v.entry.status == EntryStatus::Active);
    views.sort_by(|a, b| {
        crate::engine::standings::by_start_number(&a.entry.start_number, &b.entry.start_number)
    });
    let mut list = Vec::with_capacity(views.len());
    for v in &views {
        let row = latest.get(&v.entry.id);
        let by = match row {
            Some(r) => Some(names(conn, &mut cache, r.checked_by)?),
            None => None,
        };
        list.push(standing(v, row, by));
    }
    Ok(CheckInList {
        contest: contest.0,
        contest_code: c.contest.code.clone(),
        contest_status: c.contest.status,
        counts: Counts::of(&list),
        entries: list,
    })
}

fn refusal(r: Refusal, code: &str, start_number: &str) -> AppError {
    match r {
        Refusal::Draft => AppError::conflict(crate::msg!("checkin_contest_draft", contest = code)),
        Refusal::Published => {
            AppError::conflict(crate::msg!("checkin_contest_published", contest = code))
        }
        Refusal::EntryWithdrawn => {
            AppError::conflict(crate::msg!("checkin_entry_withdrawn", entry = start_number))
        }
        Refusal::TailFormat => AppError::invalid(
            "id_tail",
            crate::msg!("checkin_tail_format", len = rules::TAIL_LEN),
        ),
        Refusal::TailMissing => AppError::new(
            ErrorKind::Invalid,
            "id_tail_missing",
            Msg::at(
                "id_tail",
                crate::msg!("checkin_tail_missing", entry = start_number),
            ),
        )
        .with_details(vec![crate::error::ErrorDetail::field(
            "id_tail",
            crate::msg!("checkin_tail_missing", entry = start_number),
        )]),
        Refusal::TailMismatch => AppError::new(
            ErrorKind::Invalid,
            "id_mismatch",
            Msg::at(
                "id_tail",
                crate::msg!("checkin_tail_mismatch", entry = start_number),
            ),
        )
        .with_details(vec![crate::error::ErrorDetail::field(
            "id_tail",
            crate::msg!("checkin_tail_mismatch", entry = start_number),
        )]),
    }
}

/// Records one check at the door, by one of the contest's organisers.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    input: &CheckInput,
) -> AppResult<Recorded> {
    if !valid_client_id(&input.client_id) {
        return Err(AppError::invalid(
            "client_id",
            crate::msg!("checkin_client_id", found = input.client_id),
        ));
    }
    let status = CheckInStatus::parse(input.status.trim()).map_err(|_| {
        AppError::invalid(
            "status",
            crate::msg!("checkin_unknown_status", found = input.status),
        )
    })?;
    let reason = match input.reason.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => Some(check_text("reason", r, 500)?),
        _ => None,
    };
    let device = input.device.as_deref().unwrap_or("").trim().to_string();
    if device.chars().count() > 80 || device.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "device",
            crate::i18n::messages::Msg::new("checkin_device"),
        ));
    }
    let now = crate::store::now();
    let checked_at = input.checked_at.map_or(now, |t| t.naive_utc());
    if checked_at > now + chrono::Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(AppError::invalid(
            "checked_at",
            crate::i18n::messages::Msg::new("checkin_in_future"),
        ));
    }
    write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        let by = actor.user();
        allow(actor.is_signed_in(), actor.may_check_in(&c.scope()))?;
        let by = by.ok_or_else(|| AppError::unauthenticated(Msg::new("access_sign_in")))?;
        let code = c.contest.code.clone();
        let entry = entries::get(conn, contest, EntryId(input.entry)).map_err(|e| match e {
            diesel::result::Error::NotFound => AppError::new(
                ErrorKind::Invalid,
                "entry_not_in_contest",
                Msg::at(
                    "entry",
                    crate::msg!(
                        "checkin_entry_elsewhere",
                        entry = input.entry,
                        contest = code
                    ),
                ),
            )
            .with_details(vec![crate::error::ErrorDetail::field(
                "entry",
                crate::msg!(
                    "checkin_entry_elsewhere",
                    entry = input.entry,
                    contest = code
                ),
            )]),
            other => other.into(),
        })?;
        if let Some(prior) = store::by_client_id(conn, contest, &input.client_id)? {
            let same = prior.entry_id == input.entry
                && prior.status == status.code()
                && prior.reason == reason;
            if !same {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    "client_id_reused",
                    crate::msg!("checkin_client_id_reused", id = input.client_id),
                ));
            }
            let views = entries::views_of_contest(conn, contest)?;
            let view = views
                .iter()
                .find(|v| v.entry.id == entry.id)
                .ok_or_else(|| AppError::internal("a checked entry has no view"))?;
            let mut cache = HashMap::new();
            let name = names(conn, &mut cache, prior.checked_by)?;
            return Ok(Recorded {
                stored: false,
                check: standing(view, Some(&prior), Some(name)),
            });
        }
        let views = entries::views_of_contest(conn, contest)?;
        let view = views
            .iter()
            .find(|v| v.entry.id == entry.id)
            .ok_or_else(|| AppError::internal("an entry has no view"))?;
        let tails: Vec<String> = view.members.iter().map(|m| m.id_last4.clone()).collect();
        let matched = rules::decide(&Check {
            contest: c.contest.status,
            entry_active: entry.status == EntryStatus::Active,
            status,
            typed: input.id_tail.as_deref(),
            tails: &tails,
            reason: reason.as_deref(),
        })
        .map_err(|r| refusal(r, &code, &entry.start_number))?;
        let id = store::insert(
            conn,
            contest,
            &store::NewCheckIn {
                entry: entry.id,
                status: status.code(),
                identity_matched: matched,
                reason: reason.as_deref(),
                client_id: &input.client_id,
                device: &device,
                by,
                checked_at,
            },
        )?;
        audit::record(
            conn,
            Some(by),
            "check_in.record",
            ("entry", Some(entry.id.0)),
            serde_json::json!({"check_in": id, "contest": contest.0, "status": status.code(),
                "identity_matched": matched, "reason": reason, "client_id": input.client_id,
                "device": device, "checked_at": checked_at}),
        )?;
        let row = store::latest_of_entry(conn, entry.id)?
            .ok_or_else(|| AppError::internal("a stored check was not found"))?;
        let mut cache = HashMap::new();
        let name = names(conn, &mut cache, row.checked_by)?;
        Ok(Recorded {
            stored: true,
            check: standing(view, Some(&row), Some(name)),
        })
    })
}
