//! Nominations: an organisation nominates its own people within its quota,
//! with a statement and attachments; eligibility is checked at once and a
//! refusal says every reason.

use super::{load, may_manage, LoadedProgramme};
use crate::engine::access::Actor;
use crate::engine::fair_play::appeals as files;
use crate::engine::honours::{
    ineligible, Achievement, NominationStatus, Nominee, Resolved, Stage, Window,
};
use crate::engine::model::{CompetitorId, ContestStatus, OrganisationId, Vocabulary};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::appeals::NewAttachment;
use crate::store::honours::{self as store, NominationRow};
use crate::store::{
    audit, competitors, contests, organisations, reference, write_tx, DbConnection,
};
use crate::workflow::fair_play::appeals::{attachment_name, AttachmentInput, AttachmentView};
use crate::workflow::results::PublicationCache;
use crate::workflow::{allow, refused};
use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// The longest statement, in characters.
pub const STATEMENT_MAX: usize = 5000;

/// A nomination as the nominating organisation sends it.
#[derive(Debug, Clone)]
pub struct NominationInput {
    pub competitor: CompetitorId,
    pub statement: String,
    pub attachments: Vec<AttachmentInput>,
}

/// A nomination as its readers see it.
#[derive(Debug, Clone, Serialize)]
pub struct NominationView {
    pub id: i64,
    pub programme: i64,
    pub competitor: i64,
    pub name: String,
    /// The nominee's organisation.
    pub organisation: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    /// The nominating organisation.
    pub nominated_by: String,
    pub nominated_by_zh: String,
    pub nominated_by_en: String,
    pub statement: String,
    /// `active`, `withdrawn` or `revoked`.
    pub status: String,
    pub status_reason: Option<String>,
    /// The nominee's entry in the review contest, once it exists.
    pub entry: Option<i64>,
    #[serde(with = "crate::io::utc")]
    pub nominated_at: NaiveDateTime,
    pub attachments: Vec<AttachmentView>,
}

/// How many nominations an organisation may make and has made.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaView {
    pub organisation: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    pub quota: u32,
    pub used: u32,
}

/// The organisation an organiser nominates for, and its path.
fn nominator(
    conn: &mut DbConnection,
    actor: &Actor,
    p: &LoadedProgramme,
) -> AppResult<crate::engine::model::Organisation> {
    let org = actor.acting_for().ok_or_else(|| {
        refused(
            actor,
            crate::engine::access::Denied(Msg::new("honours_nominators_only")),
        )
    })?;
    let org = organisations::get(conn, org)?;
    if !org.path.starts_with(&p.awarding_path) {
        return Err(AppError::forbidden(crate::msg!(
            "honours_outside_programme",
            organisation = org.code,
            programme = p.row.code
        )));
    }
    Ok(org)
}

/// What a person has achieved that eligibility may ask for: awards in
/// published contests, and honours of programmes whose notice is over.
pub fn achievements(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    competitor: CompetitorId,
) -> AppResult<Vec<Achievement>> {
    let tiers: HashMap<i64, (String, i32)> = reference::tiers(conn)?
        .into_iter()
        .map(|t| (t.id.0, (t.code, t.rank)))
        .collect();
    let mut out = Vec::new();
    for (contest, entry) in crate::store::live::entries_of_competitor(conn, competitor)? {
        let c = contests::get(conn, contest)?;
        if c.status != ContestStatus::Published {
            continue;
        }
        let p = match publications.get(conn, contest, None) {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let Some(row) = p.view.standing_of_entry(entry.0) else {
            continue;
        };
        let (tier, rank) = tiers.get(&c.tier_id.0).cloned().unwrap_or_default();
        for g in &row.standing.awards {
            out.push(Achievement::Award {
                contest: c.code.clone(),
                tier: tier.clone(),
                tier_rank: rank,
                award: g.code.clone(),
                on: c.ends_on,
            });
        }
    }
    for (programme, list) in store::honours_of(conn, competitor)? {
        if programme.stage == Stage::Closed.code() {
            let p = load(conn, programme.id)?;
            out.push(Achievement::Honour {
                programme: programme.code,
                on: p.day_of(list.notice_ends),
            });
        }
    }
    Ok(out)
}

/// Every reason a person may not be nominated for a programme (empty when
/// they may).
pub fn reasons(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    p: &LoadedProgramme,
    competitor: &crate::engine::model::Competitor,
) -> AppResult<Vec<Msg>> {
    let path = organisations::get(conn, competitor.organisation_id)?.path;
    let within = match &p.programme.eligibility.organisation {
        Some(code) => Some(super::organisation_by_code(
            conn,
            code,
            "eligibility.organisation",
        )?),
        None => None,
    };
    let tiers: BTreeMap<String, i32> = reference::tiers(conn)?
        .into_iter()
        .map(|t| (t.code, t.rank))
        .collect();
    let attributes = crate::workflow::attributes::person_attributes(conn, &[competitor.id])?
        .remove(&competitor.id)
        .unwrap_or_default();
    let achievements = achievements(conn, publications, competitor.id)?;
    Ok(ineligible(
        &Resolved {
            programme: &p.programme,
            within: within.as_ref(),
            tiers: &tiers,
        },
        &Nominee {
            birth_date: competitor.birth_date,
            group: competitor.group,
            organisation_path: &path,
            attributes: &attributes,
            achievements: &achievements,
        },
    ))
}

/// A person the organiser may nominate: theirs, and existing.
fn nominee(
    conn: &mut DbConnection,
    actor: &Actor,
    competitor: CompetitorId,
) -> AppResult<crate::engine::model::Competitor> {
    let c = competitors::find(conn, competitor)?
        .ok_or_else(|| AppError::not_found(crate::msg!("competitor_missing", id = competitor)))?;
    let org = organisations::get(conn, c.organisation_id)?;
    allow(
        actor.is_signed_in(),
        actor.may_manage_organisation(&org.path),
    )?;
    Ok(c)
}

/// Checks a person against a programme's eligibility before nominating:
/// the reasons they may not be nominated, empty when they may.
pub fn check(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    programme: i64,
    competitor: CompetitorId,
) -> AppResult<Vec<Msg>> {
    let p = load(conn, programme)?;
    let c = nominee(conn, actor, competitor)?;
    reasons(conn, publications, &p, &c)
}

fn ineligible_error(name: &str, reasons: Vec<Msg>) -> AppError {
    AppError::new(
        ErrorKind::Invalid,
        "nominee_ineligible",
        crate::msg!("honours_ineligible", name = name, n = reasons.len()),
    )
    .with_details(
        reasons
            .into_iter()
            .map(|m| ErrorDetail::field("competitor", m))
            .collect(),
    )
}

/// Nominates a person. The programme must be taking nominations today, the
/// nominating organisation within its quota, the person eligible and not
/// nominated already.
pub fn nominate(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    programme: i64,
    input: &NominationInput,
) -> AppResult<NominationView> {
    let statement = input.statement.trim().to_string();
    let n = statement.chars().count();
    if n == 0 || n > STATEMENT_MAX {
        return Err(AppError::invalid(
            "statement",
            crate::msg!("honours_statement_length", n = n, max = STATEMENT_MAX),
        ));
    }
    if statement
        .chars()
        .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            "statement",
            "must not contain control characters",
        ));
    }
    files::check_attachment_count(input.attachments.len())
        .map_err(|m| AppError::invalid("attachments", m))?;
    let mut kinds = Vec::new();
    for (i, a) in input.attachments.iter().enumerate() {
        let name = attachment_name(&a.name);
        let kind = files::check_attachment(i + 1, &name, &a.bytes).map_err(|m| {
            AppError::new(ErrorKind::Invalid, "attachment_refused", m.clone())
                .with_details(vec![ErrorDetail::field(format!("attachment{}", i + 1), m)])
        })?;
        kinds.push((name, kind));
    }
    let id = write_tx(conn, |conn| {
        let p = load(conn, programme)?;
        let org = nominator(conn, actor, &p)?;
        if p.stage()? != Stage::Nominating {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "nominations_closed",
                crate::msg!("honours_nominations_over", programme = p.row.code),
            ));
        }
        match p.programme.window(p.today()) {
            Window::Open => {}
            w => {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    "nominations_closed",
                    if w == Window::NotYetOpen {
                        crate::msg!(
                            "honours_window_not_open",
                            opens = p.programme.nomination.opens,
                            closes = p.programme.nomination.closes
                        )
                    } else {
                        crate::msg!(
                            "honours_window_closed",
                            closes = p.programme.nomination.closes
                        )
                    },
                ))
            }
        }
        let c = nominee(conn, actor, input.competitor)?;
        let all = store::nominations_of(conn, p.row.id)?;
        if all
            .iter()
            .any(|n| n.competitor_id == c.id.0 && n.is_active())
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "already_nominated",
                crate::msg!("honours_already_nominated", name = c.name),
            ));
        }
        let quota = p.programme.quota_of(&org.code);
        let used = all
            .iter()
            .filter(|n| n.organisation_id == org.id.0 && n.is_active())
            .count();
        if used >= quota as usize {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "quota_full",
                crate::msg!(
                    "honours_quota_full",
                    organisation = org.code,
                    quota = quota,
                    used = used
                ),
            ));
        }
        let why = reasons(conn, publications, &p, &c)?;
        if !why.is_empty() {
            return Err(ineligible_error(&c.name, why));
        }
        let id = store::insert_nomination(conn, p.row.id, c.id, org.id, &statement, actor.user())?;
        let mut stored = Vec::new();
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
            stored.push(
                serde_json::json!({"file_name": name, "sha256": sha, "size_bytes": a.bytes.len()}),
            );
        }
        audit::record(
            conn,
            actor.user(),
            "honours.nominate",
            ("nomination", Some(id)),
            serde_json::json!({"programme": p.row.id, "competitor": c.id.0, "organisation": org.code, "attachments": stored}),
        )?;
        Ok::<_, AppError>(id)
    })?;
    get(conn, actor, programme, id)
}

/// Who may read a nomination: the programme's organisers, and organisers
/// of the nominating organisation (or above it).
fn readable(
    conn: &mut DbConnection,
    actor: &Actor,
    p: &LoadedProgramme,
    n: &NominationRow,
) -> AppResult<()> {
    if may_manage(actor, p).is_ok() {
        return Ok(());
    }
    let org = organisations::get(conn, OrganisationId(n.organisation_id))?;
    allow(
        actor.is_signed_in(),
        actor.may_manage_organisation(&org.path),
    )
}

fn row(conn: &mut DbConnection, programme: i64, id: i64) -> AppResult<NominationRow> {
    store::nomination(conn, id)?
        .filter(|n| n.programme_id == programme)
        .ok_or_else(|| AppError::not_found(crate::msg!("honours_nomination_missing", id = id)))
}

/// One nomination.
pub fn get(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: i64,
    id: i64,
) -> AppResult<NominationView> {
    let p = load(conn, programme)?;
    let n = row(conn, programme, id)?;
    readable(conn, actor, &p, &n)?;
    views(conn, vec![n])?
        .pop()
        .ok_or_else(|| AppError::internal("a nomination has gone"))
}

/// The nominations the reader may see: all for the programme's organisers,
/// their own organisation's (and those below it) for a nominating one.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: i64,
) -> AppResult<Vec<NominationView>> {
    let p = load(conn, programme)?;
    let all = store::nominations_of(conn, p.row.id)?;
    let rows = if may_manage(actor, &p).is_ok() {
        all
    } else {
        allow(
            actor.is_signed_in(),
            actor
                .acting_for()
                .map(|_| ())
                .ok_or_else(|| crate::engine::access::Denied(Msg::new("honours_nominators_only"))),
        )?;
        let orgs: HashMap<i64, Vec<OrganisationId>> = organisations::all(conn)?
            .into_iter()
            .map(|o| (o.id.0, o.path))
            .collect();
        all.into_iter()
            .filter(|n| {
                orgs.get(&n.organisation_id)
                    .is_some_and(|path| actor.may_manage_organisation(path).is_ok())
            })
            .collect()
    };
    views(conn, rows)
}

/// The active nominations of a programme (for the review and selection).
pub fn active(conn: &mut DbConnection, programme: i64) -> AppResult<Vec<NominationRow>> {
    Ok(store::nominations_of(conn, programme)?
        .into_iter()
        .filter(|n| n.is_active())
        .collect())
}

fn views(conn: &mut DbConnection, rows: Vec<NominationRow>) -> AppResult<Vec<NominationView>> {
    let orgs: HashMap<i64, crate::engine::model::Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut files: BTreeMap<i64, Vec<AttachmentView>> = BTreeMap::new();
    for a in store::attachments(conn, &ids)? {
        let list = files.entry(a.nomination_id).or_default();
        list.push(AttachmentView {
            n: list.len() + 1,
            file_name: a.file_name,
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
        });
    }
    let mut out = Vec::new();
    for r in rows {
        let c = competitors::get(conn, CompetitorId(r.competitor_id))?;
        let own = orgs.get(&c.organisation_id.0);
        let by = orgs.get(&r.organisation_id);
        let names = |o: Option<&crate::engine::model::Organisation>| {
            o.map(|o| (o.code.clone(), o.name_zh.clone(), o.name_en.clone()))
                .unwrap_or_default()
        };
        let (organisation, organisation_zh, organisation_en) = names(own);
        let (nominated_by, nominated_by_zh, nominated_by_en) = names(by);
        out.push(NominationView {
            id: r.id,
            programme: r.programme_id,
            competitor: r.competitor_id,
            name: c.name,
            organisation,
            organisation_zh,
            organisation_en,
            nominated_by,
            nominated_by_zh,
            nominated_by_en,
            statement: r.statement,
            status: r.status,
            status_reason: r.status_reason,
            entry: r.entry_id,
            nominated_at: r.nominated_at,
            attachments: files.remove(&r.id).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// An attachment to download: its name, media type and bytes.
pub fn attachment(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: i64,
    id: i64,
    n: usize,
) -> AppResult<(String, String, Vec<u8>)> {
    let p = load(conn, programme)?;
    let row = row(conn, programme, id)?;
    readable(conn, actor, &p, &row)?;
    let list = store::attachments(conn, &[row.id])?;
    let a = n.checked_sub(1).and_then(|i| list.get(i)).ok_or_else(|| {
        AppError::not_found(crate::msg!(
            "honours_attachment_missing",
            n = n,
            count = list.len()
        ))
    })?;
    let body = store::attachment_body(conn, a.id)?;
    Ok((a.file_name.clone(), a.media_type.clone(), body))
}

/// Withdraws a nomination while nominations are open: its nominating
/// organisation or the programme's organisers, with a reason.
pub fn withdraw(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: i64,
    id: i64,
    reason: &str,
) -> AppResult<NominationView> {
    let reason = crate::workflow::check_text("reason", reason, 500)?;
    write_tx(conn, |conn| {
        let p = load(conn, programme)?;
        let n = row(conn, programme, id)?;
        readable(conn, actor, &p, &n)?;
        if p.stage()? != Stage::Nominating {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "nominations_closed",
                crate::msg!("honours_nominations_over", programme = p.row.code),
            ));
        }
        if !store::end_nomination(
            conn,
            n.id,
            NominationStatus::Withdrawn,
            &reason,
            actor.user(),
        )? {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "nomination_ended",
                crate::msg!("honours_nomination_ended", id = id, status = n.status),
            ));
        }
        audit::record(
            conn,
            actor.user(),
            "honours.nomination.withdraw",
            ("nomination", Some(n.id)),
            serde_json::json!({"programme": p.row.id, "reason": reason}),
        )?;
        Ok::<_, AppError>(())
    })?;
    get(conn, actor, programme, id)
}

/// The quotas the reader may see: every organisation's for the programme's
/// organisers, their own for a nominating organisation.
pub fn quotas(conn: &mut DbConnection, actor: &Actor, programme: i64) -> AppResult<Vec<QuotaView>> {
    let p = load(conn, programme)?;
    let all = store::nominations_of(conn, p.row.id)?;
    let orgs: HashMap<i64, crate::engine::model::Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    let used = |org: i64| {
        all.iter()
            .filter(|n| n.organisation_id == org && n.is_active())
            .count() as u32
    };
    let view = |o: &crate::engine::model::Organisation| QuotaView {
        organisation: o.code.clone(),
        organisation_zh: o.name_zh.clone(),
        organisation_en: o.name_en.clone(),
        quota: p.programme.quota_of(&o.code),
        used: used(o.id.0),
    };
    if may_manage(actor, &p).is_ok() {
        let mut shown: Vec<i64> = p
            .programme
            .nomination
            .quotas
            .iter()
            .filter_map(|q| {
                orgs.values()
                    .find(|o| o.code == q.organisation)
                    .map(|o| o.id.0)
            })
            .collect();
        for n in &all {
            if !shown.contains(&n.organisation_id) {
                shown.push(n.organisation_id);
            }
        }
        return Ok(shown
            .iter()
            .filter_map(|id| orgs.get(id))
            .map(view)
            .collect());
    }
    let org = nominator(conn, actor, &p)?;
    Ok(vec![view(&org)])
}
