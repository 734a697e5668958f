//! The public notice (公示): the confirmed list is public for its notice
//! period, anyone signed in may lodge an objection against a person on it,
//! and the programme's organisers decide each objection with reasons. An
//! upheld objection revokes the nomination and makes the list's next
//! version (selected again from the same review ranking), whose notice
//! starts again. When the notice is over and every objection is decided,
//! the organisers close the programme and the honours stand.

use super::selection::{select, store_list, without, Line, Proposal, Said};
use super::{load, may_manage, view_of, LoadedProgramme, ProgrammeView};
use crate::engine::access::Actor;
use crate::engine::fair_play::appeals::{check_grounds, NOTE_MAX};
use crate::engine::honours::{ObjectionStatus, Stage};
use crate::engine::model::{UserId, Vocabulary};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::honours::{self as store, ListRow, ObjectionRow};
use crate::store::{audit, users, write_tx, DbConnection};
use crate::workflow::allow;
use crate::workflow::results::PublicationCache;
use chrono::NaiveDateTime;
use serde::Serialize;
use std::collections::BTreeMap;

/// One person on a list, as the public sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Honoured {
    pub position: usize,
    pub nomination: i64,
    pub competitor: i64,
    pub name: String,
    pub organisation: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    /// The job title, when recorded.
    pub job: Option<String>,
    pub frontline: bool,
}

/// A person on an earlier version who is not on this one.
#[derive(Debug, Clone, Serialize)]
pub struct Withdrawn {
    pub name: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    /// The version that no longer has them.
    pub version: i32,
    /// Why, as said when the honour was withdrawn.
    pub why: Option<super::selection::Said>,
}

/// One version of a list, as the public notice shows it.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub programme: ProgrammeView,
    pub version: i32,
    pub latest: i32,
    pub reason: String,
    #[serde(with = "crate::io::utc")]
    pub confirmed_at: NaiveDateTime,
    #[serde(with = "crate::io::utc")]
    pub notice_ends: NaiveDateTime,
    /// The notice of this version is running now (and it is the latest).
    pub open: bool,
    pub honoured: Vec<Honoured>,
    /// People on earlier versions withdrawn by this one or before it.
    pub withdrawn: Vec<Withdrawn>,
    /// The shares and how the list meets them.
    pub tallies: Vec<super::selection::TallyLine>,
    /// Versions and their reasons, oldest first.
    pub versions: Vec<(i32, String)>,
    /// Objections lodged so far, and how many are decided.
    pub objections: usize,
    pub decided: usize,
}

fn parse_body(l: &ListRow) -> AppResult<Proposal> {
    serde_json::from_str(&l.body)
        .map_err(|e| AppError::internal(format!("list version {} cannot be read: {e}", l.version)))
}

fn in_notice(p: &LoadedProgramme) -> AppResult<()> {
    match p.stage()? {
        Stage::Notice | Stage::Closed => Ok(()),
        _ => Err(AppError::not_found(crate::msg!(
            "honours_no_notice",
            programme = p.row.code
        ))),
    }
}

/// A version of the list (the latest when `version` is `None`), for anyone.
pub fn notice(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: i64,
    version: Option<i32>,
) -> AppResult<NoticeView> {
    let p = load(conn, programme)?;
    in_notice(&p)?;
    let lists = store::lists(conn, p.row.id)?;
    let latest = lists.last().map_or(0, |l| l.version);
    let wanted = version.unwrap_or(latest);
    let l = lists.iter().find(|l| l.version == wanted).ok_or_else(|| {
        AppError::not_found(crate::msg!(
            "honours_list_missing",
            programme = p.row.code,
            version = wanted,
            latest = latest
        ))
    })?;
    let body = parse_body(l)?;
    let lines: BTreeMap<i64, &Line> = body.lines.iter().map(|x| (x.nomination, x)).collect();
    let honoured: Vec<Honoured> = store::members(conn, l.id)?
        .into_iter()
        .enumerate()
        .filter_map(|(k, (_, n))| lines.get(&n).map(|x| (k, x)))
        .map(|(k, x)| Honoured {
            position: k + 1,
            nomination: x.nomination,
            competitor: x.competitor,
            name: x.name.clone(),
            organisation: x.organisation.clone(),
            organisation_zh: x.organisation_zh.clone(),
            organisation_en: x.organisation_en.clone(),
            job: x.attributes.get("job").cloned(),
            frontline: x.attributes.get("frontline").is_some_and(|v| v == "true"),
        })
        .collect();
    let mut withdrawn = Vec::new();
    for pair in lists.windows(2).filter(|w| w[1].version <= wanted) {
        let before: Vec<(i64, i64)> = store::members(conn, pair[0].id)?;
        let after: Vec<i64> = store::members(conn, pair[1].id)?
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        let old = parse_body(&pair[0])?;
        let objection = match pair[1].objection_id {
            Some(o) => store::objection(conn, o)?,
            None => None,
        };
        for (_, n) in before.into_iter().filter(|(_, n)| !after.contains(n)) {
            let why = objection
                .as_ref()
                .filter(|o| o.nomination_id == n)
                .map(|o| {
                    Said::of(&crate::msg!(
                        "honours_withdrawn_by",
                        objection = o.id,
                        reasons = o.reasons.clone().unwrap_or_default()
                    ))
                });
            if let Some(x) = old.lines.iter().find(|x| x.nomination == n) {
                withdrawn.push(Withdrawn {
                    name: x.name.clone(),
                    organisation_zh: x.organisation_zh.clone(),
                    organisation_en: x.organisation_en.clone(),
                    version: pair[1].version,
                    why,
                });
            }
        }
    }
    let objections = store::objections_of(conn, p.row.id)?;
    let now = crate::store::now();
    Ok(NoticeView {
        programme: view_of(conn, actor, &p)?,
        version: l.version,
        latest,
        reason: l.reason.clone(),
        confirmed_at: l.confirmed_at,
        notice_ends: l.notice_ends,
        open: l.version == latest && now <= l.notice_ends && p.stage()? == Stage::Notice,
        honoured,
        withdrawn,
        tallies: body.tallies,
        versions: lists
            .iter()
            .map(|l| (l.version, l.reason.clone()))
            .collect(),
        decided: objections
            .iter()
            .filter(|o| o.status != ObjectionStatus::Pending.code())
            .count(),
        objections: objections.len(),
    })
}

/// An objection as its readers see it.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectionView {
    pub id: i64,
    pub programme: i64,
    pub list_version: i32,
    pub nomination: i64,
    /// The person objected to.
    pub name: String,
    pub grounds: String,
    /// Who lodged it: shown to the programme's organisers and the objector.
    pub lodged_by: Option<String>,
    #[serde(with = "crate::io::utc")]
    pub lodged_at: NaiveDateTime,
    /// `pending`, `upheld` or `dismissed`.
    pub status: String,
    pub reasons: Option<String>,
    #[serde(with = "crate::io::utc::option")]
    pub decided_at: Option<NaiveDateTime>,
}

fn objection_views(
    conn: &mut DbConnection,
    rows: Vec<ObjectionRow>,
    named: bool,
) -> AppResult<Vec<ObjectionView>> {
    let mut out = Vec::new();
    for o in rows {
        let n = store::nomination(conn, o.nomination_id)?
            .ok_or_else(|| AppError::internal("an objection's nomination has gone"))?;
        let name = crate::store::competitors::get(
            conn,
            crate::engine::model::CompetitorId(n.competitor_id),
        )?
        .name;
        let lodged_by = if named {
            Some(users::get(conn, UserId(o.lodged_by))?.display_name)
        } else {
            None
        };
        out.push(ObjectionView {
            id: o.id,
            programme: o.programme_id,
            list_version: o.list_version,
            nomination: o.nomination_id,
            name,
            grounds: o.grounds,
            lodged_by,
            lodged_at: o.lodged_at,
            status: o.status,
            reasons: o.reasons,
            decided_at: o.decided_at,
        });
    }
    Ok(out)
}

/// An objection as lodged.
#[derive(Debug, Clone)]
pub struct ObjectionInput {
    pub nomination: i64,
    pub grounds: String,
}

/// Lodges an objection against a person on the list in notice: anyone
/// signed in, while the notice runs.
pub fn lodge(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: i64,
    input: &ObjectionInput,
) -> AppResult<ObjectionView> {
    let by = actor
        .user()
        .ok_or_else(|| AppError::unauthenticated(Msg::new("access_sign_in")))?;
    check_grounds(&input.grounds).map_err(|m| AppError::invalid("grounds", m))?;
    let grounds = input.grounds.trim().to_string();
    if grounds
        .chars()
        .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            "grounds",
            "must not contain control characters",
        ));
    }
    let id = write_tx(conn, |conn| {
        let p = load(conn, programme)?;
        in_notice(&p)?;
        let latest = store::lists(conn, p.row.id)?
            .pop()
            .ok_or_else(|| AppError::internal("a programme in notice has no list"))?;
        if p.stage()? != Stage::Notice || crate::store::now() > latest.notice_ends {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "notice_over",
                crate::msg!("honours_notice_over", programme = p.row.code),
            ));
        }
        let on_list = store::members(conn, latest.id)?
            .iter()
            .any(|(_, n)| *n == input.nomination);
        if !on_list {
            return Err(AppError::invalid(
                "nomination",
                crate::msg!(
                    "honours_not_on_list",
                    nomination = input.nomination,
                    version = latest.version
                ),
            ));
        }
        let id = store::insert_objection(
            conn,
            p.row.id,
            latest.version,
            input.nomination,
            &grounds,
            by,
        )?;
        audit::record(
            conn,
            Some(by),
            "honours.objection.lodge",
            ("honours_objection", Some(id)),
            serde_json::json!({"programme": p.row.id, "version": latest.version, "nomination": input.nomination}),
        )?;
        Ok::<_, AppError>(id)
    })?;
    let row =
        store::objection(conn, id)?.ok_or_else(|| AppError::internal("an objection has gone"))?;
    objection_views(conn, vec![row], true)?
        .pop()
        .ok_or_else(|| AppError::internal("an objection has gone"))
}

/// The objections the reader may see: every one for the programme's
/// organisers (with who lodged them), their own for anyone else.
pub fn objections(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: i64,
) -> AppResult<Vec<ObjectionView>> {
    let p = load(conn, programme)?;
    let rows = store::objections_of(conn, p.row.id)?;
    if may_manage(actor, &p).is_ok() {
        return objection_views(conn, rows, true);
    }
    allow(actor.is_signed_in(), actor.require_signed_in())?;
    let me = actor.user().map(|u| u.0);
    let mine = rows
        .into_iter()
        .filter(|o| Some(o.lodged_by) == me)
        .collect();
    objection_views(conn, mine, true)
}

/// The decision on an objection.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    /// Upheld: the honour is withdrawn and the list's next version made.
    pub upheld: bool,
    pub reasons: String,
}

/// Decides an objection, once, with reasons: the programme's organisers.
/// An upheld objection revokes the nomination and makes the list's next
/// version, selected again without the person (or, when the shares can no
/// longer be met, without them and their place vacant); its notice starts
/// again.
pub fn decide(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    programme: i64,
    objection: i64,
    input: &DecisionInput,
) -> AppResult<ObjectionView> {
    let reasons = input.reasons.trim().to_string();
    let n = reasons.chars().count();
    if !(10..=NOTE_MAX).contains(&n) {
        return Err(AppError::invalid(
            "reasons",
            crate::msg!("honours_reasons_length", n = n, max = NOTE_MAX),
        ));
    }
    write_tx(conn, |conn| {
        let p = load(conn, programme)?;
        may_manage(actor, &p)?;
        let by = actor
            .user()
            .ok_or_else(|| AppError::unauthenticated(Msg::new("access_sign_in")))?;
        let o = store::objection(conn, objection)?
            .filter(|o| o.programme_id == p.row.id)
            .ok_or_else(|| {
                AppError::not_found(crate::msg!("honours_objection_missing", id = objection))
            })?;
        if p.stage()? != Stage::Notice {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "notice_over",
                crate::msg!("honours_notice_over", programme = p.row.code),
            ));
        }
        let status = if input.upheld {
            ObjectionStatus::Upheld
        } else {
            ObjectionStatus::Dismissed
        };
        if !store::decide_objection(conn, o.id, status.code(), &reasons, by)? {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "objection_decided",
                crate::msg!("honours_objection_decided", id = o.id, status = o.status),
            ));
        }
        let mut version = None;
        if input.upheld {
            let reason = format!("objection {}: {reasons}", o.id);
            // Already revoked by another upheld objection: the list stands.
            if store::end_nomination(
                conn,
                o.nomination_id,
                crate::engine::honours::NominationStatus::Revoked,
                &reason,
                Some(by),
            )? {
                // Selected again from the review's ranking without the
                // person, so that the shares still hold; when they no longer
                // can be met, the place is left vacant.
                let next = match select(conn, publications, &p) {
                    Ok(next) => next,
                    Err(e) if e.code == "shares_infeasible" => {
                        let latest = store::lists(conn, p.row.id)?.pop().ok_or_else(|| {
                            AppError::internal("a programme in notice has no list")
                        })?;
                        let why = crate::msg!(
                            "honours_withdrawn_by",
                            objection = o.id,
                            reasons = reasons
                        );
                        without(&p, &parse_body(&latest)?, o.nomination_id, &why)
                    }
                    Err(e) => return Err(e),
                };
                version = Some(store_list(conn, actor, &p, &next, &reason, Some(o.id))?.0);
            }
        }
        audit::record(
            conn,
            Some(by),
            "honours.objection.decide",
            ("honours_objection", Some(o.id)),
            serde_json::json!({"programme": p.row.id, "outcome": status.code(), "reasons": reasons, "list_version": version}),
        )?;
        Ok::<_, AppError>(())
    })?;
    let row = store::objection(conn, objection)?
        .ok_or_else(|| AppError::internal("an objection has gone"))?;
    objection_views(conn, vec![row], true)?
        .pop()
        .ok_or_else(|| AppError::internal("an objection has gone"))
}

/// Closes a programme once its notice is over and every objection is
/// decided: the honours on the latest list stand.
pub fn close(conn: &mut DbConnection, actor: &Actor, programme: i64) -> AppResult<ProgrammeView> {
    write_tx(conn, |conn| {
        let p = load(conn, programme)?;
        may_manage(actor, &p)?;
        if p.stage()? != Stage::Notice {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "not_in_notice",
                crate::msg!("honours_not_in_notice", programme = p.row.code),
            ));
        }
        let latest = store::lists(conn, p.row.id)?
            .pop()
            .ok_or_else(|| AppError::internal("a programme in notice has no list"))?;
        if crate::store::now() <= latest.notice_ends {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "notice_running",
                crate::msg!("honours_notice_running", programme = p.row.code),
            ));
        }
        let pending = store::objections_of(conn, p.row.id)?
            .iter()
            .filter(|o| o.status == ObjectionStatus::Pending.code())
            .count();
        if pending > 0 {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "objections_pending",
                crate::msg!("honours_objections_pending", n = pending),
            ));
        }
        store::set_stage(conn, p.row.id, Stage::Notice.code(), Stage::Closed.code())?;
        audit::record(
            conn,
            actor.user(),
            "honours.close",
            ("honours_programme", Some(p.row.id)),
            serde_json::json!({"version": latest.version}),
        )?;
        let p = load(conn, programme)?;
        view_of(conn, actor, &p)
    })
}
