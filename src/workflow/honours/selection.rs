//! The review and the selection: closing nominations makes the review
//! contest (an ordinary contest whose entrants are the nominees, marked by
//! a panel with a marking scheme); its published ranking fills the places
//! while honouring every category share; the organiser confirms the
//! proposal, which starts the public notice.

use super::nominations::active;
use super::{load, may_manage, view_of, LoadedProgramme, ProgrammeView};
use crate::engine::access::Actor;
use crate::engine::honours::Stage;
use crate::engine::model::{CompetitorId, ContestId, EntryId, OrganisationId, Vocabulary};
use crate::engine::registration::{Member, NewEntry, Plan};
use crate::engine::shares::{self, Candidate, Outcome};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::Lang;
use crate::store::honours::{self as store, NewList};
use crate::store::{audit, competitors, organisations, write_tx, DbConnection};
use crate::workflow::contests::{create_contest, ContestInput, EligibilityInput};
use crate::workflow::marking::Schemes;
use crate::workflow::results::PublicationCache;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A message in both languages, fixed when it was said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    pub zh: String,
    pub en: String,
}

impl Said {
    pub fn of(m: &crate::i18n::messages::Msg) -> Said {
        Said {
            zh: m.in_lang(Lang::Zh),
            en: m.in_lang(Lang::En),
        }
    }

    pub fn in_lang(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// One nominee's line in a proposal or a confirmed list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub nomination: i64,
    pub competitor: i64,
    pub name: String,
    pub organisation: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    /// The nominee's start number in the review contest.
    pub start_number: String,
    pub place: usize,
    pub total: String,
    /// `selected`, `selected_by_share`, `displaced_by_share`,
    /// `excluded_by_max` or `not_selected`.
    pub outcome: Outcome,
    /// The order among the selected, from 1.
    pub order: Option<usize>,
    pub why: Said,
    /// The attributes the shares looked at.
    pub attributes: std::collections::BTreeMap<String, String>,
    /// Why the honour was withdrawn from this person after confirmation.
    #[serde(default)]
    pub withdrawn: Option<Said>,
}

/// A share and how many of the selected are in its category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TallyLine {
    pub rule: Said,
    /// `min` or `max`.
    pub kind: String,
    pub places: usize,
    pub selected: usize,
    /// Whether the list meets the share (a list an honour was withdrawn
    /// from may no longer).
    pub met: bool,
}

/// A selection as proposed, and as stored with a confirmed list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub places: usize,
    pub filled: usize,
    pub programme_version: i32,
    pub review_contest: i64,
    pub review_contest_code: String,
    pub publication_version: i32,
    /// Nominees ranked in the review, in ranking order.
    pub lines: Vec<Line>,
    pub tallies: Vec<TallyLine>,
    /// Nominations revoked by upheld objections, left out of the ranking.
    pub left_out: Vec<i64>,
}

impl Proposal {
    /// The selected, in order.
    pub fn selected(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(|l| matches!(l.outcome, Outcome::Selected | Outcome::SelectedByShare))
    }
}

/// Closes nominations and makes the review contest: an ordinary contest
/// (draft) whose entrants are the nominees, under the ranking-only policy.
/// Before the window's last day a reason is required.
pub fn open_review(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    programme: i64,
    reason: Option<&str>,
) -> AppResult<ProgrammeView> {
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(crate::workflow::check_text("reason", r, 500)?),
        None => None,
    };
    write_tx(conn, |conn| {
        let p = load(conn, programme)?;
        may_manage(actor, &p)?;
        if p.stage()? != Stage::Nominating {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "review_open",
                crate::msg!("honours_review_already", programme = p.row.code),
            ));
        }
        let today = p.today();
        if today <= p.programme.nomination.closes && reason.is_none() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "nominations_open",
                crate::msg!(
                    "honours_close_early",
                    closes = p.programme.nomination.closes
                ),
            ));
        }
        let nominees = active(conn, p.row.id)?;
        if nominees.is_empty() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "no_nominations",
                crate::msg!("honours_no_nominations", programme = p.row.code),
            ));
        }
        let skill = crate::store::reference::skill_by_code(conn, &p.programme.review.skill)?
            .ok_or_else(|| {
                AppError::invalid(
                    "review.skill",
                    crate::msg!("honours_unknown_skill", code = p.programme.review.skill),
                )
            })?;
        let starts = p.programme.review.starts.unwrap_or(today);
        let contest = create_contest(
            conn,
            actor,
            ContestInput {
                code: p.programme.review_contest(),
                name_zh: format!("{}评审", p.row.name_zh),
                name_en: format!("{}: review", p.row.name_en),
                skill_id: skill.id.0,
                tier_id: p.row.tier_id,
                organiser_org_id: p.row.awarding_org_id,
                starts_on: starts,
                ends_on: p.programme.review.ends.unwrap_or(starts).max(starts),
                reference_date: p.programme.reference_date(),
                eligibility: EligibilityInput::default(),
                time_zone: Some(p.programme.time_zone.clone()),
            },
        )?;
        let mut plan = Plan::default();
        for (k, n) in nominees.iter().enumerate() {
            plan.new_entries.push(NewEntry {
                start_number: format!("N{:03}", k + 1),
                team_name: None,
                organisation_id: competitors::get(conn, CompetitorId(n.competitor_id))?
                    .organisation_id,
                members: vec![Member::Known(CompetitorId(n.competitor_id))],
            });
        }
        crate::store::entries::apply_plan(conn, contest.id, &plan, actor.user(), "honours")?;
        let entries: HashMap<String, EntryId> =
            crate::store::entries::of_contest(conn, contest.id)?
                .into_iter()
                .map(|e| (e.start_number, e.id))
                .collect();
        for (k, n) in nominees.iter().enumerate() {
            if let Some(e) = entries.get(&format!("N{:03}", k + 1)) {
                store::set_nomination_entry(conn, n.id, *e)?;
            }
        }
        let policy = crate::workflow::results::bundled_policy("honours-review")
            .ok_or_else(|| AppError::internal("the honours review policy is not built in"))?;
        crate::workflow::results::put_policy(
            conn,
            schemes,
            contest.id,
            policy,
            Some("honours review"),
            actor.user(),
        )?;
        store::set_review_contest(conn, p.row.id, contest.id)?;
        if !store::set_stage(
            conn,
            p.row.id,
            Stage::Nominating.code(),
            Stage::Review.code(),
        )? {
            return Err(AppError::conflict(crate::msg!(
                "honours_review_already",
                programme = p.row.code
            )));
        }
        audit::record(
            conn,
            actor.user(),
            "honours.review.open",
            ("honours_programme", Some(p.row.id)),
            serde_json::json!({"contest": contest.id.0, "code": contest.code, "nominees": nominees.len(), "reason": reason}),
        )?;
        let p = load(conn, programme)?;
        view_of(conn, actor, &p)
    })
}

/// The selection from the review's latest publication, leaving out revoked
/// nominations.
pub(crate) fn select(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    p: &LoadedProgramme,
) -> AppResult<Proposal> {
    let contest = p.row.review_contest_id.map(ContestId).ok_or_else(|| {
        AppError::new(
            ErrorKind::Conflict,
            "no_review",
            crate::msg!("honours_no_review", programme = p.row.code),
        )
    })?;
    let code = crate::store::contests::get(conn, contest)?.code;
    let published = match publications.get(conn, contest, None) {
        Ok(x) => x,
        Err(e) if e.kind == ErrorKind::NotFound => {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "review_not_published",
                crate::msg!("honours_review_unpublished", contest = code),
            ))
        }
        Err(e) => return Err(e),
    };
    let all = store::nominations_of(conn, p.row.id)?;
    let by_entry: HashMap<i64, &store::NominationRow> = all
        .iter()
        .filter_map(|n| n.entry_id.map(|e| (e, n)))
        .collect();
    let people: Vec<CompetitorId> = all.iter().map(|n| CompetitorId(n.competitor_id)).collect();
    let attributes = crate::workflow::attributes::person_attributes(conn, &people)?;
    let orgs: HashMap<OrganisationId, crate::engine::model::Organisation> =
        organisations::all(conn)?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
    let mut candidates = Vec::new();
    let mut base: HashMap<String, Line> = HashMap::new();
    let mut left_out = Vec::new();
    for row in published.view.standings() {
        let Some(n) = row.entry().and_then(|e| by_entry.get(&e)) else {
            continue;
        };
        if !n.is_active() {
            left_out.push(n.id);
            continue;
        }
        let key = row.standing.key.clone();
        let c = competitors::get(conn, CompetitorId(n.competitor_id))?;
        let org = orgs.get(&c.organisation_id);
        let attrs = attributes.get(&c.id).cloned().unwrap_or_default();
        candidates.push(Candidate {
            key: key.clone(),
            place: row.standing.place,
            attributes: attrs.clone(),
        });
        base.insert(
            key.clone(),
            Line {
                nomination: n.id,
                competitor: c.id.0,
                name: c.name,
                organisation: org.map(|o| o.code.clone()).unwrap_or_default(),
                organisation_zh: org.map(|o| o.name_zh.clone()).unwrap_or_default(),
                organisation_en: org.map(|o| o.name_en.clone()).unwrap_or_default(),
                start_number: key,
                place: row.standing.place,
                total: row.standing.total.to_string(),
                outcome: Outcome::NotSelected,
                order: None,
                why: Said {
                    zh: String::new(),
                    en: String::new(),
                },
                attributes: attrs,
                withdrawn: None,
            },
        );
    }
    let selection = shares::select(&candidates, p.programme.places, &p.programme.shares)
        .map_err(|e| AppError::new(ErrorKind::Conflict, "shares_infeasible", e.message()))?;
    let mut lines = Vec::new();
    for d in &selection.decisions {
        if let Some(mut l) = base.remove(&d.key) {
            l.outcome = d.outcome;
            l.order = d.order;
            l.why = Said::of(&d.why);
            lines.push(l);
        }
    }
    Ok(Proposal {
        places: selection.places,
        filled: selection.filled,
        programme_version: p.version,
        review_contest: contest.0,
        review_contest_code: code,
        publication_version: published.version,
        lines,
        tallies: tally_lines(&selection.tallies),
        left_out,
    })
}

fn tally_lines(tallies: &[shares::Tally]) -> Vec<TallyLine> {
    tallies
        .iter()
        .map(|t| TallyLine {
            rule: Said::of(&t.rule),
            kind: match t.kind {
                shares::ShareKind::Min => "min".to_string(),
                shares::ShareKind::Max => "max".to_string(),
            },
            places: t.places,
            selected: t.selected,
            met: t.met(),
        })
        .collect()
}

/// A list without one person whose honour is withdrawn: their place is
/// left vacant (nobody moves up without a notice of their own), and each
/// share is tallied again over the places.
pub(crate) fn without(
    p: &LoadedProgramme,
    list: &Proposal,
    nomination: i64,
    why: &crate::i18n::messages::Msg,
) -> Proposal {
    let mut next = list.clone();
    for l in &mut next.lines {
        if l.nomination == nomination {
            l.outcome = Outcome::NotSelected;
            l.order = None;
            l.withdrawn = Some(Said::of(why));
        }
    }
    let mut order = 0;
    let mut kept = Vec::new();
    for l in &mut next.lines {
        if matches!(l.outcome, Outcome::Selected | Outcome::SelectedByShare) {
            order += 1;
            l.order = Some(order);
            kept.push(Candidate {
                key: l.start_number.clone(),
                place: l.place,
                attributes: l.attributes.clone(),
            });
        }
    }
    next.filled = order;
    next.tallies = tally_lines(&shares::tally(&p.programme.shares, next.places, &kept));
    next
}

/// The proposal, for the programme's organisers: who is in, out, or moved
/// by a share, and why.
pub fn proposal(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    programme: i64,
) -> AppResult<Proposal> {
    let p = load(conn, programme)?;
    may_manage(actor, &p)?;
    select(conn, publications, &p)
}

/// Stores a new list version from a proposal, with its notice period
/// starting now.
pub(crate) fn store_list(
    conn: &mut DbConnection,
    actor: &Actor,
    p: &LoadedProgramme,
    proposal: &Proposal,
    reason: &str,
    objection: Option<i64>,
) -> AppResult<(i32, NaiveDateTime)> {
    let members: Vec<(CompetitorId, i64)> = proposal
        .selected()
        .map(|l| (CompetitorId(l.competitor), l.nomination))
        .collect();
    if members.is_empty() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "nobody_selected",
            crate::msg!("honours_nobody_selected", programme = p.row.code),
        ));
    }
    let last = p.programme.notice.last_day(p.day_of(crate::store::now()));
    let notice_ends = p.end_of(last);
    let body = serde_json::to_string(proposal)
        .map_err(|e| AppError::internal(format!("a proposal cannot be written: {e}")))?;
    let version = store::insert_list(
        conn,
        &NewList {
            programme: p.row.id,
            body: &body,
            reason,
            programme_version: proposal.programme_version,
            review_contest: ContestId(proposal.review_contest),
            publication_version: proposal.publication_version,
            objection,
            by: actor.user(),
            notice_ends,
            members: &members,
        },
    )?;
    Ok((version, notice_ends))
}

/// Confirms the proposal as the programme's list (version 1) and starts its
/// public notice.
pub fn confirm(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    programme: i64,
    reason: Option<&str>,
) -> AppResult<ProgrammeView> {
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => crate::workflow::check_text("reason", r, 500)?,
        None => "confirmed".to_string(),
    };
    write_tx(conn, |conn| {
        let p = load(conn, programme)?;
        may_manage(actor, &p)?;
        if p.stage()? != Stage::Review {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "not_in_review",
                crate::msg!(
                    "honours_not_in_review",
                    programme = p.row.code,
                    stage = p.row.stage
                ),
            ));
        }
        let proposal = select(conn, publications, &p)?;
        let (version, notice_ends) = store_list(conn, actor, &p, &proposal, &reason, None)?;
        if !store::set_stage(conn, p.row.id, Stage::Review.code(), Stage::Notice.code())? {
            return Err(AppError::conflict(crate::msg!(
                "honours_not_in_review",
                programme = p.row.code,
                stage = p.row.stage
            )));
        }
        audit::record(
            conn,
            actor.user(),
            "honours.confirm",
            ("honours_programme", Some(p.row.id)),
            serde_json::json!({
                "version": version,
                "reason": reason,
                "review_contest": proposal.review_contest,
                "publication_version": proposal.publication_version,
                "programme_version": proposal.programme_version,
                "selected": proposal.selected().map(|l| l.nomination).collect::<Vec<_>>(),
                "notice_ends": notice_ends.and_utc().to_rfc3339(),
            }),
        )?;
        let p = load(conn, programme)?;
        view_of(conn, actor, &p)
    })
}
