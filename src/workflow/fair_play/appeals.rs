//! Appeals (申诉) and arbitration (仲裁): filing an appeal within the
//! contest's window, seeing appeals (the arbitration group, supervisors
//! and organisers see all; a competitor and their organisation their own),
//! hearing notes, the one final decision, and the corrected publication
//! that cites an upheld appeal. Each function is one thing a user does.

use crate::engine::access::Actor;
use crate::engine::fair_play::appeals::{self as rules, EntryParties, Outcome, Window};
use crate::engine::model::{ContestId, EntryId, Vocabulary};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::appeals::{self as store, AppealRow, NewAttachment};
use crate::store::{audit, competitors, entries, organisations, users, write_tx, DbConnection};
use crate::workflow::contests::{load_contest, load_managed, LoadedContest};
use crate::workflow::marking::Schemes;
use crate::workflow::results::Published;
use crate::workflow::{allow, check_text, refused};
use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A contest's appeal window now, and how long it is.
#[derive(Debug, Clone, Serialize)]
pub struct WindowView {
    /// `not_yet_open`, `open` or `closed`.
    pub state: &'static str,
    /// What opens it: `marking_closed` or `provisional_results`.
    pub opens_on: String,
    pub minutes: i32,
    #[serde(with = "crate::io::utc::option")]
    pub opened_at: Option<NaiveDateTime>,
    #[serde(with = "crate::io::utc::option")]
    pub deadline: Option<NaiveDateTime>,
}

/// Where the contest's appeal window stands now.
pub fn window(conn: &mut DbConnection, contest: ContestId) -> AppResult<(Window, WindowView)> {
    let now = crate::store::now();
    let s = super::settings(conn, contest)?;
    let opened = match s.appeal_from {
        crate::engine::model::AppealFrom::MarkingClosed => {
            let c = load_contest(conn, contest)?;
            let closed = matches!(
                c.contest.status,
                crate::engine::model::ContestStatus::MarkingClosed
                    | crate::engine::model::ContestStatus::Published
            );
            match store::status_changes_to(conn, contest, "marking_closed")?.first() {
                Some(at) if closed => Some(*at),
                // Closed without a recorded change (an import, the demo):
                // the first publication is the latest it can have opened.
                None if closed => store::first_published_at(conn, contest)?,
                _ => None,
            }
        }
        crate::engine::model::AppealFrom::ProvisionalResults => {
            store::first_published_at(conn, contest)?
        }
    };
    let w = rules::window(opened, s.appeal_minutes, now);
    let view = WindowView {
        state: w.code(),
        opens_on: s.appeal_from.code().to_string(),
        minutes: s.appeal_minutes,
        opened_at: match w {
            Window::NotYetOpen => None,
            Window::Open { opened, .. } | Window::Closed { opened, .. } => Some(opened),
        },
        deadline: w.deadline(),
    };
    Ok((w, view))
}

/// A file sent with an appeal.
#[derive(Debug, Clone, Default)]
pub struct AttachmentInput {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// An appeal as the appellant sends it.
#[derive(Debug, Clone)]
pub struct FileInput {
    pub entry: EntryId,
    pub grounds: String,
    pub attachments: Vec<AttachmentInput>,
}

/// An attachment as listed (its body is downloaded separately).
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    /// Its place among the appeal's attachments, from 1.
    pub n: usize,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// A hearing note.
#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub body: String,
    pub recorded_by: String,
    #[serde(with = "crate::io::utc")]
    pub recorded_at: NaiveDateTime,
}

/// The arbitration group's decision.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    /// `rejected` or `upheld`.
    pub outcome: String,
    pub reasons: String,
    pub decided_by: String,
    #[serde(with = "crate::io::utc")]
    pub decided_at: NaiveDateTime,
}

/// An appeal as its reader may see it. While the contest is blind, those
/// who see every appeal know the entry by its blind number only: no entry
/// id, no names.
#[derive(Debug, Clone, Serialize)]
pub struct AppealView {
    pub id: i64,
    pub contest: i64,
    /// The entry's id; none while the contest is blind to the reader.
    pub entry: Option<i64>,
    /// The start number, or the blind number while the contest is blind.
    pub entry_label: String,
    /// Whether `entry_label` is a blind number.
    pub blind: bool,
    /// The entry's competitors (or team); empty while blind.
    pub appellant: String,
    /// Who filed it: `competitor` or `organisation`.
    pub filed_as: String,
    #[serde(with = "crate::io::utc")]
    pub filed_at: NaiveDateTime,
    pub grounds: String,
    /// `pending`, `rejected` or `upheld`.
    pub status: String,
    pub decision: Option<DecisionView>,
    /// Hearing notes: for the arbitration group, supervisors and organisers.
    pub notes: Vec<NoteView>,
    pub attachments: Vec<AttachmentView>,
    /// The publication versions that cite it.
    pub cited_by: Vec<i32>,
}

/// What a reader may see of a contest's appeals.
enum Sight {
    /// Every appeal (the arbitration group, supervisors, organisers).
    All,
    /// The appeals of entries the reader may appeal for.
    Own,
}

fn sight(actor: &Actor, c: &LoadedContest) -> AppResult<Sight> {
    let manages = actor.may_manage_contest(&c.scope()).is_ok();
    if rules::may_see_all(actor, c.contest.id, manages) {
        return Ok(Sight::All);
    }
    match actor {
        Actor::Competitor { .. } | Actor::Organiser { .. } => Ok(Sight::Own),
        Actor::Anonymous => Err(AppError::unauthenticated(Msg::new("access_sign_in"))),
        Actor::Judge { .. } => Err(AppError::forbidden(Msg::new("appeal_list_denied"))),
    }
}

/// May the actor appeal for (and follow the appeals of) this entry?
fn party_to(
    conn: &mut DbConnection,
    actor: &Actor,
    entry: &crate::engine::model::Entry,
) -> AppResult<Result<(), crate::engine::access::Denied>> {
    let path = organisations::get(conn, entry.organisation_id)?.path;
    Ok(rules::may_appeal_for(
        actor,
        &EntryParties {
            members: &entry.members,
            organisation: &path,
        },
    ))
}

/// The entry an appeal is for, or the refusal naming it.
fn entry_of(
    conn: &mut DbConnection,
    c: &LoadedContest,
    entry: EntryId,
) -> AppResult<crate::engine::model::Entry> {
    entries::get(conn, c.contest.id, entry).map_err(|e| match e {
        diesel::result::Error::NotFound => AppError::invalid(
            "entry",
            crate::msg!(
                "appeal_entry_missing",
                contest = c.contest.code,
                entry = entry
            ),
        ),
        other => other.into(),
    })
}

/// Files an appeal: by the entry's competitor or an organiser over its
/// organisation, within the window, with its grounds and at most three
/// PDF, JPEG or PNG files. `show` writes the deadline in a refusal.
pub fn file(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    input: &FileInput,
    show: &dyn Fn(NaiveDateTime) -> String,
) -> AppResult<AppealView> {
    let id = write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
        let entry = entry_of(conn, &c, input.entry)?;
        party_to(conn, actor, &entry)?.map_err(|d| refused(actor, d))?;
        let (w, _) = window(conn, contest)?;
        rules::may_file_now(&w, show).map_err(|m| {
            AppError::new(
                ErrorKind::Conflict,
                match w {
                    Window::NotYetOpen => "appeal_window_not_open",
                    _ => "appeal_window_closed",
                },
                m,
            )
        })?;
        rules::check_grounds(&input.grounds).map_err(|m| AppError::invalid("grounds", m))?;
        let grounds = input.grounds.trim().to_string();
        // Line breaks are welcome in grounds; other control characters not.
        if grounds
            .chars()
            .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
        {
            return Err(AppError::invalid(
                "grounds",
                "must not contain control characters",
            ));
        }
        rules::check_attachment_count(input.attachments.len())
            .map_err(|m| AppError::invalid("attachments", m))?;
        let mut kinds = Vec::new();
        for (i, a) in input.attachments.iter().enumerate() {
            let name = attachment_name(&a.name);
            let kind = rules::check_attachment(i + 1, &name, &a.bytes).map_err(|m| {
                AppError::new(ErrorKind::Invalid, "appeal_attachment_refused", m.clone())
                    .with_details(vec![ErrorDetail::field(format!("attachment{}", i + 1), m)])
            })?;
            kinds.push((name, kind));
        }
        let by = actor
            .user()
            .ok_or_else(|| AppError::unauthenticated(Msg::new("access_sign_in")))?;
        let id = store::insert(conn, contest, entry.id, &grounds, by)?;
        let mut files = Vec::new();
        for (a, (name, kind)) in input.attachments.iter().zip(&kinds) {
            let sha = hex::encode(Sha256::digest(&a.bytes));
            store::insert_attachment(
                conn,
                id,
                &NewAttachment {
                    file_name: name,
                    media_type: kind.media_type(),
                    sha256: &sha,
                    body: &a.bytes,
                },
            )?;
            files.push(
                serde_json::json!({"file_name": name, "sha256": sha, "size_bytes": a.bytes.len()}),
            );
        }
        audit::record(
            conn,
            Some(by),
            "appeal.file",
            ("appeal", Some(id)),
            serde_json::json!({"contest": contest.0, "entry": entry.id.0, "attachments": files}),
        )?;
        Ok::<i64, AppError>(id)
    })?;
    get(conn, actor, contest, id)
}

/// A file name kept for download: its last path part, printable, at most
/// 200 characters.
pub(crate) fn attachment_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if clean.trim().is_empty() {
        "attachment".to_string()
    } else {
        clean.trim().to_string()
    }
}

/// Builds the views of some appeals for a reader.
fn views(
    conn: &mut DbConnection,
    c: &LoadedContest,
    rows: Vec<AppealRow>,
    all: bool,
) -> AppResult<Vec<AppealView>> {
    let blind = if all {
        super::blind::view(conn, c.contest.id)?
    } else {
        None
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut events: BTreeMap<i64, Vec<store::EventRow>> = BTreeMap::new();
    for e in store::events(conn, &ids)? {
        events.entry(e.appeal_id).or_default().push(e);
    }
    let mut files: BTreeMap<i64, Vec<store::AttachmentRow>> = BTreeMap::new();
    for a in store::attachments(conn, &ids)? {
        files.entry(a.appeal_id).or_default().push(a);
    }
    let mut cited: BTreeMap<i64, Vec<i32>> = BTreeMap::new();
    for (v, a) in store::cited_by_publications(conn, c.contest.id)? {
        cited.entry(a).or_default().push(v);
    }
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    let mut name_of = |conn: &mut DbConnection, user: i64| -> AppResult<String> {
        if let Some(n) = names.get(&user) {
            return Ok(n.clone());
        }
        let n = users::find(conn, crate::engine::model::UserId(user))?
            .map(|u| u.display_name)
            .unwrap_or_default();
        names.insert(user, n.clone());
        Ok(n)
    };
    let mut out = Vec::new();
    for r in rows {
        let entry = entries::get(conn, c.contest.id, EntryId(r.entry_id))?;
        let filer = users::find(conn, crate::engine::model::UserId(r.filed_by))?;
        let filed_as = match filer.as_ref().map(|u| u.competitor_id.is_some()) {
            Some(true) => "competitor",
            _ => "organisation",
        };
        let (entry_id, label, appellant, is_blind) = match &blind {
            Some(v) => (
                None,
                v.number(entry.id).unwrap_or("—").to_string(),
                String::new(),
                true,
            ),
            None => {
                let mut people = Vec::new();
                for m in &entry.members {
                    people.push(competitors::get(conn, *m)?.name);
                }
                let who = match &entry.team_name {
                    Some(t) => format!("{t} ({})", people.join("、")),
                    None => people.join("、"),
                };
                (Some(entry.id.0), entry.start_number.clone(), who, false)
            }
        };
        let mut notes = Vec::new();
        let mut decision = None;
        for e in events.remove(&r.id).unwrap_or_default() {
            let by = name_of(conn, e.recorded_by)?;
            if e.kind == "decision" {
                decision = Some(DecisionView {
                    outcome: e.outcome.unwrap_or_default(),
                    reasons: e.body,
                    decided_by: by,
                    decided_at: e.recorded_at,
                });
            } else if all {
                notes.push(NoteView {
                    body: e.body,
                    recorded_by: by,
                    recorded_at: e.recorded_at,
                });
            }
        }
        out.push(AppealView {
            id: r.id,
            contest: r.contest_id,
            entry: entry_id,
            entry_label: label,
            blind: is_blind,
            appellant,
            filed_as: filed_as.to_string(),
            filed_at: r.filed_at,
            grounds: r.grounds,
            status: decision
                .as_ref()
                .map(|d| d.outcome.clone())
                .unwrap_or_else(|| "pending".to_string()),
            decision,
            notes,
            attachments: files
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, a)| AttachmentView {
                    n: i + 1,
                    file_name: a.file_name,
                    media_type: a.media_type,
                    size_bytes: a.size_bytes,
                    sha256: a.sha256,
                })
                .collect(),
            cited_by: cited.remove(&r.id).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The appeals of a contest the actor may see: all of them for its
/// arbitration group, supervisors and organisers; their own for a
/// competitor or the organisers of their organisation.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Vec<AppealView>> {
    let c = load_contest(conn, contest)?;
    let rows = store::of_contest(conn, contest)?;
    match sight(actor, &c)? {
        Sight::All => views(conn, &c, rows, true),
        Sight::Own => {
            let mut mine = Vec::new();
            for r in rows {
                let e = entries::get(conn, contest, EntryId(r.entry_id))?;
                if party_to(conn, actor, &e)?.is_ok() {
                    mine.push(r);
                }
            }
            views(conn, &c, mine, false)
        }
    }
}

/// The stored appeal, and whether the actor sees it as one who sees all.
fn readable(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    appeal: i64,
) -> AppResult<(LoadedContest, AppealRow, bool)> {
    let c = load_contest(conn, contest)?;
    let all = matches!(sight(actor, &c)?, Sight::All);
    let row = store::get(conn, contest, appeal)?.ok_or_else(|| {
        AppError::not_found(crate::msg!(
            "appeal_missing",
            contest = c.contest.code,
            appeal = appeal
        ))
    })?;
    if !all {
        let e = entries::get(conn, contest, EntryId(row.entry_id))?;
        party_to(conn, actor, &e)?.map_err(|d| refused(actor, d))?;
    }
    Ok((c, row, all))
}

/// One appeal, for those who may see it.
pub fn get(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    appeal: i64,
) -> AppResult<AppealView> {
    let (c, row, all) = readable(conn, actor, contest, appeal)?;
    views(conn, &c, vec![row], all)?
        .pop()
        .ok_or_else(|| AppError::internal("an appeal has gone"))
}

/// An attachment to download: its name, media type and bytes.
pub fn attachment(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    appeal: i64,
    n: usize,
) -> AppResult<(String, String, Vec<u8>)> {
    let (c, row, _) = readable(conn, actor, contest, appeal)?;
    let files = store::attachments(conn, &[row.id])?;
    let a = n.checked_sub(1).and_then(|i| files.get(i)).ok_or_else(|| {
        AppError::not_found(crate::msg!(
            "appeal_attachment_missing",
            contest = c.contest.code,
            appeal = appeal,
            n = n,
            count = files.len()
        ))
    })?;
    let body = store::attachment_body(conn, a.id)?;
    Ok((a.file_name.clone(), a.media_type.clone(), body))
}

/// The decision already taken on an appeal, if any.
fn decided(conn: &mut DbConnection, appeal: i64) -> AppResult<Option<Outcome>> {
    Ok(store::events(conn, &[appeal])?
        .into_iter()
        .find(|e| e.kind == "decision")
        .and_then(|e| e.outcome.as_deref().and_then(|o| Outcome::parse(o).ok())))
}

/// Records a hearing note: the contest's arbitrators, until the decision.
pub fn note(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    appeal: i64,
    body: &str,
) -> AppResult<AppealView> {
    write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        rules::may_hear(actor, contest).map_err(|d| refused(actor, d))?;
        let row = store::get(conn, contest, appeal)?.ok_or_else(|| {
            AppError::not_found(crate::msg!(
                "appeal_missing",
                contest = c.contest.code,
                appeal = appeal
            ))
        })?;
        if let Some(o) = decided(conn, row.id)? {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "appeal_decided",
                crate::msg!("appeal_already_decided", outcome = o.code()),
            ));
        }
        let text = check_text("body", body, rules::NOTE_MAX)?;
        let by = actor
            .user()
            .ok_or_else(|| AppError::unauthenticated(Msg::new("access_sign_in")))?;
        let id = store::insert_event(conn, row.id, "note", None, &text, by)?;
        audit::record(
            conn,
            Some(by),
            "appeal.note",
            ("appeal", Some(row.id)),
            serde_json::json!({"event": id}),
        )?;
        Ok::<(), AppError>(())
    })?;
    get(conn, actor, contest, appeal)
}

/// Decides an appeal, once and for all: the contest's arbitrators, with
/// the outcome (`rejected` or `upheld`) and the reasons.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    appeal: i64,
    outcome: &str,
    reasons: &str,
) -> AppResult<AppealView> {
    write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        rules::may_hear(actor, contest).map_err(|d| refused(actor, d))?;
        let row = store::get(conn, contest, appeal)?.ok_or_else(|| {
            AppError::not_found(crate::msg!(
                "appeal_missing",
                contest = c.contest.code,
                appeal = appeal
            ))
        })?;
        rules::may_decide(decided(conn, row.id)?)
            .map_err(|m| AppError::new(ErrorKind::Conflict, "appeal_decided", m))?;
        let outcome = Outcome::parse(outcome).map_err(|m| AppError::invalid("outcome", m))?;
        let reasons = check_text("reasons", reasons, rules::NOTE_MAX)?;
        let by = actor
            .user()
            .ok_or_else(|| AppError::unauthenticated(Msg::new("access_sign_in")))?;
        let id = store::insert_event(conn, row.id, "decision", Some(outcome.code()), &reasons, by)?;
        audit::record(
            conn,
            Some(by),
            "appeal.decide",
            ("appeal", Some(row.id)),
            serde_json::json!({"event": id, "outcome": outcome.code(), "reasons": reasons}),
        )?;
        Ok::<(), AppError>(())
    })?;
    get(conn, actor, contest, appeal)
}

/// The reason a publication citing `appeal` gives when none is written.
pub fn default_reason(appeal: i64) -> String {
    format!("appeal #{appeal} upheld")
}

/// Publishes the results again to carry out an upheld appeal of the
/// contest, citing it ([`crate::workflow::results::publish`], then the
/// citation), for someone who manages the contest, in one transaction.
pub fn publish_citing_as(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    appeal: i64,
    reason: Option<&str>,
) -> AppResult<Published> {
    write_tx(conn, |conn| {
        let c = load_managed(conn, actor, contest)?;
        let row = store::get(conn, contest, appeal)?.ok_or_else(|| {
            AppError::invalid(
                "appeal",
                crate::msg!("appeal_missing", contest = c.contest.code, appeal = appeal),
            )
        })?;
        rules::may_cite(decided(conn, row.id)?, row.id)
            .map_err(|m| AppError::invalid("appeal", m))?;
        let reason = reason
            .map(str::to_string)
            .unwrap_or_else(|| default_reason(row.id));
        let published =
            crate::workflow::results::publish(conn, schemes, contest, Some(&reason), actor.user())?;
        store::cite_in_publication(conn, contest, published.version, row.id)?;
        audit::record(
            conn,
            actor.user(),
            "results.publish.appeal",
            ("contest", Some(contest.0)),
            serde_json::json!({"version": published.version, "appeal": row.id}),
        )?;
        Ok(published)
    })
}

/// The appeal each publication of a contest cites, by version.
pub fn cited(conn: &mut DbConnection, contest: ContestId) -> AppResult<BTreeMap<i32, i64>> {
    Ok(store::cited_by_publications(conn, contest)?)
}

/// The upheld appeals of a contest a correction may cite (for the
/// organisers' publish page).
pub fn upheld(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<Vec<i64>> {
    load_managed(conn, actor, contest)?;
    let ids: Vec<i64> = store::of_contest(conn, contest)?
        .iter()
        .map(|r| r.id)
        .collect();
    Ok(store::events(conn, &ids)?
        .into_iter()
        .filter(|e| e.kind == "decision" && e.outcome.as_deref() == Some("upheld"))
        .map(|e| e.appeal_id)
        .collect())
}

/// The entries an appellant may file for in a contest, with the window:
/// for the competitor's and their organisation's pages.
pub fn fileable(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<(Vec<(EntryId, String)>, WindowView)> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    let mut out = Vec::new();
    for e in entries::of_contest(conn, contest)? {
        if party_to(conn, actor, &e)?.is_ok() {
            out.push((e.id, e.start_number.clone()));
        }
    }
    let (_, w) = window(conn, contest)?;
    Ok((out, w))
}
