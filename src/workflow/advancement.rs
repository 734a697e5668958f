//! The advancement workflow: a contest's qualification rules, the proposal
//! computed from its feeders' published results, and confirmation, which
//! enters each qualifier in the contest with the result that qualified
//! them. Shared by the API and the CLI.

use crate::engine::advancement::{
    find_cycle, propose, read_rules, team_attributes, FeederResult, Outcome, Proposal, Rules,
};
use crate::engine::eligibility::{check, Candidate};
use crate::engine::model::{
    CompetitorId, ContestId, EntryId, EntryStatus, Organisation, OrganisationKind, UserId,
};
use crate::engine::registration::{Member, NewEntry, Plan};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::store::advancement::{self as store, NewAdvancement};
use crate::store::{audit, competitors, contests, entries, organisations, reference, DbConnection};
use crate::workflow::attributes::{person_attributes, region_code};
use crate::workflow::marking::document_error;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Reads, checks and stores a contest's qualification rules: every feeder
/// exists, is of a lower tier and of the same skill (or says
/// `other_skill`), and no pathway forms a cycle.
pub fn put_rules(
    conn: &mut DbConnection,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<i32> {
    check_rules(conn, contest, text)?;
    Ok(store::insert_pathway(conn, contest, text, reason, by)?)
}

/// The checks of [`put_rules`], without storing anything.
fn check_rules(conn: &mut DbConnection, contest: ContestId, text: &str) -> AppResult<()> {
    let rules = read_rules(text).map_err(|e| document_error("invalid_rules", "rules", e))?;
    let target = contests::get(conn, contest)?;
    if rules.contest != target.code {
        return Err(AppError::invalid(
            "contest",
            format!(
                "the rules are for contest {}, not {}",
                rules.contest, target.code
            ),
        ));
    }
    let rank = reference::tier(conn, target.tier_id)?.rank;
    for (k, f) in rules.feeders.iter().enumerate() {
        let field = format!("feeders[{k}].contest");
        let feeder = contests::by_code(conn, &f.contest)?.ok_or_else(|| {
            AppError::invalid(&field, format!("there is no contest {}", f.contest))
        })?;
        let feeder_tier = reference::tier(conn, feeder.tier_id)?;
        if feeder_tier.rank > rank || (feeder_tier.rank == rank && !f.same_tier) {
            return Err(AppError::invalid(
                &field,
                format!(
                    "{} is a {} contest: feeders come from lower tiers (or from the same tier, as stages of a selection, with `same_tier = true`)",
                    f.contest, feeder_tier.code
                ),
            ));
        }
        for (j, s) in f.stages.iter().enumerate() {
            let field = format!("feeders[{k}].stages[{j}].contest");
            let stage = contests::by_code(conn, &s.contest)?.ok_or_else(|| {
                AppError::invalid(&field, format!("there is no contest {}", s.contest))
            })?;
            if stage.skill_id != feeder.skill_id {
                return Err(AppError::invalid(
                    &field,
                    format!(
                        "{} is a contest of another skill than {}: stages of a selection share their skill",
                        s.contest, f.contest
                    ),
                ));
            }
        }
        if feeder.skill_id != target.skill_id && !f.other_skill {
            let skill = reference::skill(conn, feeder.skill_id)?;
            return Err(AppError::invalid(
                &format!("feeders[{k}].other_skill"),
                format!(
                    "{} is a contest of another skill ({}); say `other_skill = true` if that is intended",
                    f.contest, skill.code
                ),
            ));
        }
    }
    // No cycle among every contest's current pathways with this one.
    let mut feeds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in store::current_pathways(conn)? {
        if p.contest_id == contest.0 {
            continue;
        }
        if let (Ok(r), Ok(c)) = (
            read_rules(&p.body),
            contests::get(conn, ContestId(p.contest_id)),
        ) {
            feeds.insert(c.code, r.feeders.into_iter().map(|f| f.contest).collect());
        }
    }
    feeds.insert(
        target.code.clone(),
        rules.feeders.iter().map(|f| f.contest.clone()).collect(),
    );
    if let Some(cycle) = find_cycle(&feeds) {
        return Err(AppError::invalid(
            "feeders",
            format!("these pathways would form a cycle: {}", cycle.join(" ← ")),
        ));
    }
    Ok(())
}

/// A proposal with the warnings about its feeders.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    pub rules_version: i32,
    pub proposal: Proposal,
    /// Feeders without published results, and other things to look at.
    pub warnings: Vec<String>,
}

/// Where a feeder result comes from, for confirmation.
struct Source {
    contest: ContestId,
    entry: EntryId,
    publication: i32,
}

fn ancestor_of_kind<'a>(
    orgs: &'a HashMap<i64, Organisation>,
    org: &Organisation,
    kind: OrganisationKind,
) -> Option<&'a Organisation> {
    org.path
        .iter()
        .filter_map(|id| orgs.get(&id.0))
        .find(|o| o.kind == kind)
}

/// What a proposal is made from.
struct Gathered {
    version: i32,
    rules: Rules,
    results: Vec<FeederResult>,
    sources: HashMap<String, Source>,
    /// Feeder results already confirmed (and not declined), as `contest/key`.
    confirmed: Vec<String>,
    warnings: Vec<String>,
}

fn gather(conn: &mut DbConnection, contest: ContestId) -> AppResult<Gathered> {
    let stored = store::current_pathway(conn, contest)?.ok_or_else(|| {
        AppError::new(
            ErrorKind::Conflict,
            "no_rules",
            "this contest has no qualification rules yet",
        )
    })?;
    gather_from(conn, contest, stored.version, &stored.body)
}

/// What a proposal from the rules `body` (numbered `version`) is made from.
fn gather_from(
    conn: &mut DbConnection,
    contest: ContestId,
    version: i32,
    body: &str,
) -> AppResult<Gathered> {
    let mut rules = read_rules(body).map_err(|e| document_error("invalid_rules", "rules", e))?;
    let target = contests::get(conn, contest)?;
    let orgs: HashMap<i64, Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    let eligibility = Eligibility::of(&target, &orgs);
    // Entries confirmed before, by feeder entry; and whether they declined
    // (their entry in this contest was withdrawn).
    let confirmed_rows = store::advancements_into(conn, contest)?;
    let target_entries: HashMap<i64, crate::engine::model::Entry> =
        entries::of_contest(conn, contest)?
            .into_iter()
            .map(|e| (e.id.0, e))
            .collect();
    let mut warnings = Vec::new();
    let mut results = Vec::new();
    let mut sources = HashMap::new();
    let mut confirmed = Vec::new();
    // The members of each feeder result, for the shares' attributes.
    let mut members: Vec<(usize, Vec<CompetitorId>, Option<i64>)> = Vec::new();
    let codes = feeder_codes(&rules);
    fill_tie_breaks(conn, &mut rules)?;
    for (code, is_feeder) in &codes {
        let is_feeder = *is_feeder;
        let what = if is_feeder { "feeder" } else { "earlier stage" };
        let Some(feeder) = contests::by_code(conn, code)? else {
            warnings.push(format!("{what} {code} no longer exists"));
            continue;
        };
        let publication = match crate::workflow::results::publication(conn, feeder.id, None) {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::NotFound => {
                warnings.push(unpublished_warning(code, is_feeder));
                continue;
            }
            Err(e) => return Err(e),
        };
        let view = publication.view()?;
        for row in view.standings() {
            let s = row.standing;
            let key = s.key.clone();
            let Some(entry_id) = row.entry() else {
                continue;
            };
            let feeder_entry = entries::get(conn, feeder.id, EntryId(entry_id))?;
            let org = orgs.get(&feeder_entry.organisation_id.0);
            let identity = identity_of(&feeder_entry);
            if !is_feeder {
                results.push(stage_result(feeder.code.clone(), key, s.total, identity));
                continue;
            }
            let ineligible = eligibility.reasons(conn, &feeder, &feeder_entry)?;
            let id = format!("{}/{}", feeder.code, key);
            let confirmed_here = confirmed_rows.iter().find(|a| a.from_entry_id == entry_id);
            let declined = confirmed_here.is_some_and(|a| {
                target_entries
                    .get(&a.entry_id)
                    .is_some_and(|e| e.status == EntryStatus::Withdrawn)
            });
            if confirmed_here.is_some() && !declined {
                confirmed.push(id.clone());
            }
            members.push((
                results.len(),
                feeder_entry.members.clone(),
                org.map(|o| o.id.0),
            ));
            results.push(FeederResult {
                contest: feeder.code.clone(),
                key: key.clone(),
                name: row.members("、"),
                organisation: org.map(|o| o.code.clone()).unwrap_or_default(),
                region: org
                    .and_then(|o| ancestor_of_kind(&orgs, o, OrganisationKind::City))
                    .map(|o| o.code.clone()),
                place: s.place,
                total: s.total,
                standardised: Some(s.standardised),
                ineligible: if ineligible.is_empty() {
                    None
                } else {
                    Some(ineligible.join("; "))
                },
                declined,
                identity,
                attributes: BTreeMap::new(),
            });
            sources.insert(
                id,
                Source {
                    contest: feeder.id,
                    entry: EntryId(entry_id),
                    publication: publication.version,
                },
            );
        }
    }
    if !rules.shares.is_empty() {
        fill_attributes(conn, &orgs, &members, &mut results)?;
    }
    Ok(Gathered {
        version,
        rules,
        results,
        sources,
        confirmed,
        warnings,
    })
}

/// Gives each feeder result the attributes the shares look at: those its
/// members share ([`team_attributes`]), with `organisation` and `region`
/// of the entry's organisation (as the quotas count them).
fn fill_attributes(
    conn: &mut DbConnection,
    orgs: &HashMap<i64, Organisation>,
    members: &[(usize, Vec<CompetitorId>, Option<i64>)],
    results: &mut [FeederResult],
) -> AppResult<()> {
    let everyone: Vec<CompetitorId> = members.iter().flat_map(|m| m.1.iter().copied()).collect();
    let known = person_attributes(conn, &everyone)?;
    let none = BTreeMap::new();
    for (i, who, org) in members {
        let Some(r) = results.get_mut(*i) else {
            continue;
        };
        let mut attributes = team_attributes(who.iter().map(|m| known.get(m).unwrap_or(&none)));
        attributes.remove("organisation");
        attributes.remove("region");
        if let Some(org) = org.and_then(|o| orgs.get(&o)) {
            attributes.insert("organisation".into(), org.code.clone());
            attributes.insert("region".into(), region_code(org, |id| orgs.get(&id.0)));
        }
        r.attributes = attributes;
    }
    Ok(())
}

/// Every feeder, then the earlier stages of the feeders that are selection
/// stages (their results only rank the stage); `true` marks a feeder.
fn feeder_codes(rules: &Rules) -> Vec<(String, bool)> {
    let mut codes: Vec<(String, bool)> = rules
        .feeders
        .iter()
        .map(|f| (f.contest.clone(), true))
        .collect();
    for f in &rules.feeders {
        for s in &f.stages {
            if !codes.iter().any(|(c, _)| c == &s.contest) {
                codes.push((s.contest.clone(), false));
            }
        }
    }
    codes
}

/// Gives each staged feeder without a tie-break the one of its current
/// results policy.
fn fill_tie_breaks(conn: &mut DbConnection, rules: &mut Rules) -> AppResult<()> {
    for f in rules.feeders.iter_mut().filter(|f| !f.stages.is_empty()) {
        if f.tie_break.is_some() {
            continue;
        }
        if let Some(feeder) = contests::by_code(conn, &f.contest)? {
            if let Some((_, policy)) = crate::workflow::results::current_policy(conn, feeder.id)? {
                f.tie_break = Some(policy.policy.tie_break);
            }
        }
    }
    Ok(())
}

/// The warning for a feeder or earlier stage without published results.
fn unpublished_warning(code: &str, is_feeder: bool) -> String {
    if is_feeder {
        format!(
            "feeder {code} has not published its results: none of its competitors can be proposed yet"
        )
    } else {
        format!("earlier stage {code} has not published its results: its scores count as 0")
    }
}

/// An entry's members' ids, sorted and joined with `+`.
fn identity_of(entry: &crate::engine::model::Entry) -> String {
    let mut members: Vec<i64> = entry.members.iter().map(|m| m.0).collect();
    members.sort_unstable();
    members
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join("+")
}

/// An earlier stage's result: only its total counts.
fn stage_result(
    contest: String,
    key: String,
    total: rust_decimal::Decimal,
    identity: String,
) -> FeederResult {
    FeederResult {
        contest,
        key,
        name: String::new(),
        organisation: String::new(),
        region: None,
        place: 0,
        total,
        standardised: None,
        ineligible: None,
        declined: false,
        identity,
        attributes: BTreeMap::new(),
    }
}

/// The target contest's eligibility rules, for checking feeder entries.
struct Eligibility<'a> {
    target: &'a crate::engine::model::Contest,
    orgs: &'a HashMap<i64, Organisation>,
    within: Option<&'a Organisation>,
    /// The contests qualification must come from; empty for any.
    prerequisites: HashSet<i64>,
}

impl<'a> Eligibility<'a> {
    /// The rules of `target`, with organisations by id.
    fn of(target: &'a crate::engine::model::Contest, orgs: &'a HashMap<i64, Organisation>) -> Self {
        Eligibility {
            target,
            orgs,
            within: target
                .eligibility
                .within_organisation
                .and_then(|id| orgs.get(&id.0)),
            prerequisites: target
                .eligibility
                .qualified_from
                .iter()
                .map(|c| c.0)
                .collect(),
        }
    }

    /// Why a feeder entry may not enter the target contest.
    fn reasons(
        &self,
        conn: &mut DbConnection,
        feeder: &crate::engine::model::Contest,
        entry: &crate::engine::model::Entry,
    ) -> AppResult<Vec<String>> {
        let mut ineligible = Vec::new();
        for m in &entry.members {
            let c = competitors::get(conn, *m)?;
            let path = self
                .orgs
                .get(&c.organisation_id.0)
                .map(|o| o.path.clone())
                .unwrap_or_default();
            for reason in check(
                &self.target.eligibility,
                self.target.reference_date,
                self.within,
                &Candidate {
                    birth_date: c.birth_date,
                    group: c.group,
                    organisation_path: &path,
                },
            ) {
                ineligible.push(format!("{} {}", c.name, reason.message));
            }
        }
        if !self.prerequisites.is_empty() && !self.prerequisites.contains(&feeder.id.0) {
            ineligible.push(format!(
                "{} is not among the contests this one requires qualification from",
                feeder.code
            ));
        }
        Ok(ineligible)
    }
}

/// The proposal: who qualifies, by which rule, who is a reserve, and why
/// not for everyone else, with the difference from what was confirmed.
pub fn proposal(conn: &mut DbConnection, contest: ContestId) -> AppResult<ProposalView> {
    let g = gather(conn, contest)?;
    Ok(view_of(g))
}

/// The proposal made from what was gathered, with its warnings.
fn view_of(g: Gathered) -> ProposalView {
    let proposal = propose(&g.rules, &g.results, &g.confirmed);
    let mut warnings = g.warnings;
    if let Some(e) = proposal.share_error() {
        warnings.push(e.english());
    }
    for u in &proposal.unfilled {
        warnings.push(format!(
            "{}: {} of {} places filled (quotas, eligibility or declines)",
            u.group, u.filled, u.places
        ));
    }
    ProposalView {
        rules_version: g.version,
        proposal,
        warnings,
    }
}

/// An entry created (or found) by confirmation.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmed {
    pub from: String,
    pub entry: i64,
    pub start_number: String,
    pub rule: String,
    /// The competitor already had an entry in this contest.
    pub existing: bool,
}

/// Confirms the proposal: each qualifier not yet confirmed gets an entry in
/// the contest (or keeps the one they have), recorded with the result that
/// qualified them. Confirmed entries are never removed here. Call it
/// inside `write_tx`.
pub fn confirm(
    conn: &mut DbConnection,
    contest: ContestId,
    by: Option<UserId>,
) -> AppResult<Vec<Confirmed>> {
    let target = contests::get(conn, contest)?;
    if !target.status.accepts_registrations() {
        return Err(AppError::conflict(format!(
            "contest {} is '{}': qualifiers are entered while it takes registrations",
            target.code, target.status
        )));
    }
    let g = gather(conn, contest)?;
    let p = propose(&g.rules, &g.results, &g.confirmed);
    if let Some(e) = p.share_error() {
        return Err(AppError::conflict(
            crate::i18n::messages::Msg::new("qualify_shares_confirm").part("why", e.clone()),
        ));
    }
    let already: HashSet<&String> = g.confirmed.iter().collect();
    let sources = &g.sources;
    let existing = entries::of_contest(conn, contest)?;
    let mut next_number = existing
        .iter()
        .filter_map(|e| e.start_number.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for line in p.lines.iter().filter(|l| l.outcome == Outcome::Qualifies) {
        let id = format!("{}/{}", line.contest, line.key);
        if already.contains(&id) {
            continue;
        }
        let Some(src) = sources.get(&id) else {
            continue;
        };
        let feeder_entry = entries::get(conn, src.contest, src.entry)?;
        let present = entries::of_contest(conn, contest)?.into_iter().find(|e| {
            e.status == EntryStatus::Active
                && e.members.iter().any(|m| feeder_entry.members.contains(m))
        });
        let (entry, start_number, was_there) = match present {
            Some(e) => (e.id, e.start_number, true),
            None => {
                next_number += 1;
                let start_number = format!("{next_number:03}");
                let plan = Plan {
                    new_entries: vec![NewEntry {
                        start_number: start_number.clone(),
                        team_name: feeder_entry.team_name.clone(),
                        organisation_id: feeder_entry.organisation_id,
                        members: feeder_entry
                            .members
                            .iter()
                            .map(|m| Member::Known(*m))
                            .collect(),
                    }],
                    ..Plan::default()
                };
                entries::apply_plan(conn, contest, &plan, by, "advancement")?;
                let created = entries::of_contest(conn, contest)?
                    .into_iter()
                    .find(|e| e.start_number == start_number)
                    .ok_or_else(|| AppError::internal("the new entry was not stored"))?;
                (created.id, start_number, false)
            }
        };
        store::insert_advancement(
            conn,
            contest,
            &NewAdvancement {
                entry,
                from_contest: src.contest,
                from_entry: src.entry,
                publication_version: src.publication,
                rule: &line.why.english(),
                by,
            },
        )?;
        out.push(Confirmed {
            from: id,
            entry: entry.0,
            start_number,
            rule: line.why.english(),
            existing: was_there,
        });
    }
    audit::record(
        conn,
        by,
        "advancement.confirm",
        ("contest", Some(contest.0)),
        serde_json::json!({"confirmed": out.iter().map(|c| c.from.clone()).collect::<Vec<_>>()}),
    )?;
    Ok(out)
}

use crate::engine::access::Actor;
use crate::store::write_tx;
use crate::workflow::allow;
use crate::workflow::contests::load_contest;

/// The contest's current qualification rules, as stored (anyone who may
/// see the contest).
pub fn rules_of(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<String> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    store::current_pathway(conn, contest)?
        .map(|p| p.body)
        .ok_or_else(|| {
            AppError::not_found(format!("contest {contest} has no qualification rules yet"))
        })
}

/// Stores the contest's qualification rules as its next version (its
/// organisers), with the audit row. Returns the version.
pub fn save_rules(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
) -> AppResult<i32> {
    write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        let version = put_rules(conn, contest, text, reason, actor.user())?;
        audit::record(
            conn,
            actor.user(),
            "contest.qualification.put",
            ("contest", Some(contest.0)),
            serde_json::json!({"version": version, "reason": reason}),
        )?;
        Ok(version)
    })
}

/// The proposal, for the contest's organisers.
pub fn proposal_for(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<ProposalView> {
    crate::workflow::contests::load_managed(conn, actor, contest)?;
    proposal(conn, contest)
}

/// Confirms the proposal (the contest's organisers): see [`confirm`].
pub fn confirm_qualifiers(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Vec<Confirmed>> {
    write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        confirm(conn, contest, actor.user())
    })
}

/// Every confirmed advancement into the contest, with the result that
/// qualified it (anyone who may see the contest).
pub fn provenance(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Vec<store::Advancement>> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    Ok(store::advancements_into(conn, contest)?)
}

/// The proposal that the rules `text` would give, checked as [`save_rules`]
/// checks them but stored nowhere (the contest's organisers). Numbered as
/// the version saving them would make.
pub fn preview_rules(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    text: &str,
) -> AppResult<ProposalView> {
    crate::workflow::contests::load_managed(conn, actor, contest)?;
    check_rules(conn, contest, text)?;
    let next = store::current_pathway(conn, contest)?.map_or(1, |p| p.version + 1);
    let g = gather_from(conn, contest, next, text)?;
    Ok(view_of(g))
}

/// A contest's current qualification rules, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentRules {
    pub version: i32,
    pub body: String,
    pub reason: Option<String>,
    #[serde(with = "crate::io::utc")]
    pub at: chrono::NaiveDateTime,
}

/// The contest's current qualification rules, if it has some (its organisers).
pub fn current_rules(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Option<CurrentRules>> {
    crate::workflow::contests::load_managed(conn, actor, contest)?;
    Ok(
        store::current_pathway(conn, contest)?.map(|p| CurrentRules {
            version: p.version,
            body: p.body,
            reason: p.reason,
            at: p.created_at,
        }),
    )
}
