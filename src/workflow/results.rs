//! Results: a contest's award policy, measures for tie-breaks, live
//! standings for those who supervise the contest, and publication as an
//! immutable, versioned snapshot. Shared by the API and the CLI.

use crate::engine::access::Actor;
use crate::engine::awards::Standing;
use crate::engine::awards::{evaluate, read_policy, CheckedPolicy, Contestant, Member, Results};
use crate::engine::model::{ContestId, ContestStatus, EntryId, EntryStatus, UserId, Vocabulary};
use crate::engine::scoring::{lock_blockers, EntryScore, Layout, Outcome};
use crate::engine::standings::{
    by_start_number, place_label, rank, team_size, tie_break_measures, Entrant, TieBreak, Unranked,
};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::results::{self as store, NewPublication};
use crate::store::{audit, contests, entries, marking as marks_store, DbConnection};
use crate::workflow::contests::{load_contest, may_supervise};
use crate::workflow::marking::{contest_scores, document_error, Schemes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The award policies that come with jiangxin, by name.
pub const POLICIES: [(&str, &str); 6] = [
    (
        "worldskills",
        include_str!("../../fixtures/policies/worldskills.toml"),
    ),
    (
        "china-national",
        include_str!("../../fixtures/policies/china-national.toml"),
    ),
    (
        "workers-competition",
        include_str!("../../fixtures/policies/workers-competition.toml"),
    ),
    (
        "prize-bands",
        include_str!("../../fixtures/policies/prize-bands.toml"),
    ),
    (
        "enterprise-drill",
        include_str!("../../fixtures/policies/enterprise-drill.toml"),
    ),
    (
        "honours-review",
        include_str!("../../fixtures/policies/honours-review.toml"),
    ),
];

/// The text of a bundled policy.
pub fn bundled_policy(name: &str) -> Option<&'static str> {
    POLICIES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Reads and checks a policy file; errors name the line and the field.
pub fn check_policy(text: &str) -> AppResult<CheckedPolicy> {
    read_policy(text).map_err(|e| document_error("invalid_policy", "policy", e))
}

/// The refusal of a policy and a scheme that do not agree on the module
/// ratio ([`CheckedPolicy::check_scheme`]), whichever is stored second.
pub fn module_ratio_refused(message: crate::i18n::messages::Msg) -> AppError {
    AppError::new(ErrorKind::Invalid, "module_ratio_mismatch", message.clone())
        .with_details(vec![ErrorDetail::field("module_ratio", message)])
}

/// Stores a new version of a contest's policy. Once results are
/// published, a change needs a reason.
pub fn put_policy(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<i32> {
    let policy = check_policy(text)?;
    if let Some((_, layout)) = schemes.current(conn, contest)? {
        policy
            .check_scheme(&layout.scheme)
            .map_err(module_ratio_refused)?;
    }
    if store::latest_version(conn, contest)? > 0 && reason.is_none() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "policy_frozen",
            "results have been published under this policy; a new version needs a reason",
        ));
    }
    Ok(store::insert_policy(conn, contest, text, reason, by)?)
}

/// Stores a policy as the contest's next version and audits it, in one
/// transaction: the one way the API and the pages change a policy.
pub fn store_policy(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<i32> {
    crate::store::write_tx(conn, |conn| {
        let version = put_policy(conn, schemes, contest, text, reason, by)?;
        crate::store::audit::record(
            conn,
            by,
            "contest.policy.put",
            ("contest", Some(contest.0)),
            serde_json::json!({"version": version, "reason": reason}),
        )?;
        Ok(version)
    })
}

/// A stored version of a contest's policy.
pub use crate::store::results::PolicyVersion;

/// Every version of a contest's policy, oldest first.
pub fn policy_versions(
    conn: &mut DbConnection,
    contest: ContestId,
) -> AppResult<Vec<PolicyVersion>> {
    Ok(store::policy_versions(conn, contest)?)
}

/// The text of a contest's policy: version `version`, or the latest.
pub fn policy_text(
    conn: &mut DbConnection,
    contest: ContestId,
    version: Option<i32>,
) -> AppResult<String> {
    let all = store::policy_versions(conn, contest)?;
    let found = match version {
        Some(v) => all.into_iter().find(|p| p.version == v),
        None => all.into_iter().last(),
    };
    found.map(|p| p.body).ok_or_else(|| {
        AppError::not_found(match version {
            Some(v) => format!("contest {contest} has no policy version {v}"),
            None => format!("contest {contest} has no award policy yet"),
        })
    })
}

/// The contest's current policy, checked.
pub fn current_policy(
    conn: &mut DbConnection,
    contest: ContestId,
) -> AppResult<Option<(i32, CheckedPolicy)>> {
    match store::current_policy(conn, contest)? {
        Some(p) => Ok(Some((p.version, check_policy(&p.body)?))),
        None => Ok(None),
    }
}

/// A measure as a client sends it.
#[derive(Debug, Clone)]
pub struct MeasureInput {
    /// `time` (completion time in seconds) or another lower-case name.
    pub name: String,
    /// A decimal, as a string.
    pub value: String,
    pub reason: Option<String>,
}

/// Records a measure of an entry (a later value replaces an earlier one;
/// both are kept). After publication a change needs a reason.
pub fn record_measure(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    input: &MeasureInput,
    by: Option<UserId>,
) -> AppResult<i64> {
    let name = input.name.trim();
    let well_formed = !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed || name == "total" {
        return Err(AppError::invalid(
            "name",
            format!(
                "`{name}` is not a measure name: lower-case letters, digits and _, \
                 e.g. time (module and criterion marks are measures already)"
            ),
        ));
    }
    let value = Decimal::from_str_exact(input.value.trim()).map_err(|_| {
        AppError::invalid(
            "value",
            format!("`{}` is not a decimal number", input.value),
        )
    })?;
    if name == "time" && value.is_sign_negative() {
        return Err(AppError::invalid(
            "value",
            "a completion time cannot be negative",
        ));
    }
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let (code, status) = contests::code_and_status(conn, contest)?
        .ok_or_else(|| AppError::not_found(crate::msg!("contest_missing", contest = contest)))?;
    if status == ContestStatus::Published && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            format!("the results of {code} are published: a change needs a reason"),
        ));
    }
    let e = entries::get(conn, contest, entry)
        .map_err(|_| AppError::invalid("entry", format!("contest {code} has no entry {entry}")))?;
    if e.status != EntryStatus::Active {
        return Err(AppError::conflict(format!(
            "entry {} is withdrawn",
            e.start_number
        )));
    }
    let id = store::insert_measure(conn, contest, entry, name, &value.to_string(), reason, by)?;
    audit::record(
        conn,
        by,
        "measure.record",
        ("entry", Some(entry.0)),
        serde_json::json!({"name": name, "value": value.to_string(), "reason": reason}),
    )?;
    Ok(id)
}

/// Records a measure for someone who supervises the contest and has no
/// conflict with the entry, in one transaction.
pub fn record_measure_as(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
    input: &MeasureInput,
) -> AppResult<i64> {
    crate::store::write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        may_supervise(actor, &c)?;
        crate::workflow::marking::entry_without_conflict(conn, actor, contest, entry)?;
        record_measure(conn, contest, entry, input, actor.user())
    })
}

/// Who an entrant is, as results show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntrantInfo {
    pub entry: i64,
    pub start_number: String,
    pub team_name: Option<String>,
    pub members: Vec<String>,
    pub organisation_code: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    pub group: Option<String>,
}

/// One module of an entry's score sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetModule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub raw: Decimal,
    pub contribution: Decimal,
}

/// An entry's detailed marks, as its competitors see them once published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    pub total: Decimal,
    pub modules: Vec<SheetModule>,
    pub criteria: Vec<(String, Decimal)>,
    pub aspects: Vec<(String, Outcome)>,
}

fn sheet(layout: &Layout, s: &EntryScore) -> Sheet {
    Sheet {
        total: s.total,
        modules: layout
            .scheme
            .modules
            .iter()
            .enumerate()
            .map(|(m, module)| SheetModule {
                code: module.code.clone(),
                name_zh: module.name_zh.clone(),
                name_en: module.name_en.clone(),
                raw: s.modules[m],
                contribution: s.contributions[m],
            })
            .collect(),
        criteria: layout
            .criterion_codes()
            .map(str::to_string)
            .zip(s.criteria.iter().copied())
            .collect(),
        aspects: s
            .aspects
            .iter()
            .enumerate()
            .map(|(i, o)| (layout.aspect(i).code.clone(), o.clone()))
            .collect(),
    }
}

/// An entry left out of the standings, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnrankedEntry {
    pub start_number: String,
    pub reason: String,
}

/// Results with who the entrants are: the live standings, and the body of
/// a publication. A stored publication is read back through this one
/// typed view ([`ResultsView::read`]), never walked as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultsView {
    pub contest: i64,
    pub contest_code: String,
    pub scheme_version: i32,
    pub policy_version: i32,
    pub policy_name_zh: String,
    pub policy_name_en: String,
    pub results: Results,
    /// By start number.
    pub entrants: BTreeMap<String, EntrantInfo>,
    pub unranked: Vec<UnrankedEntry>,
    /// Score sheets by start number (absent from the public view).
    #[serde(default)]
    pub sheets: BTreeMap<String, Sheet>,
}

/// One standing of a publication, with its group and who the entrant is.
#[derive(Debug, Clone, Copy)]
pub struct StandingRow<'a> {
    pub group: Option<&'a str>,
    pub standing: &'a Standing,
    /// `None` only for a body that does not list the entrant.
    pub entrant: Option<&'a EntrantInfo>,
}

impl StandingRow<'_> {
    /// The entry's id, when the entrant is listed.
    pub fn entry(&self) -> Option<i64> {
        self.entrant.map(|e| e.entry)
    }

    /// The members' names, as one text.
    pub fn members(&self, separator: &str) -> String {
        self.entrant
            .map(|e| e.members.join(separator))
            .unwrap_or_default()
    }

    /// The place as it is written (`2=` when shared).
    pub fn place_label(&self) -> String {
        place_label(self.standing.place, self.standing.shared)
    }
}

impl ResultsView {
    /// Reads a stored publication body.
    pub fn read(body: &serde_json::Value) -> AppResult<ResultsView> {
        ResultsView::deserialize(body)
            .map_err(|e| AppError::internal(format!("a stored publication cannot be read: {e}")))
    }

    /// Every standing, group by group, in place order.
    pub fn standings(&self) -> impl Iterator<Item = StandingRow<'_>> {
        self.results.groups.iter().flat_map(move |g| {
            g.standings.iter().map(move |s| StandingRow {
                group: g.group.as_deref(),
                standing: s,
                entrant: self.entrants.get(&s.key),
            })
        })
    }

    /// The standing of an entry, by its id.
    pub fn standing_of_entry(&self, entry: i64) -> Option<StandingRow<'_>> {
        self.standings().find(|r| r.entry() == Some(entry))
    }
}

/// The standings of a contest from its current marks, under its current
/// policy. Lots are drawn with `seed`.
pub fn compute(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    seed: u64,
) -> AppResult<ResultsView> {
    let c = contests::get(conn, contest)?;
    let Some((policy_version, policy)) = current_policy(conn, contest)? else {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "no_policy",
            format!("contest {} has no award policy yet", c.code),
        ));
    };
    let (scheme_version, layout, mut scored) = contest_scores(conn, schemes, contest)?;
    let mut views: HashMap<i64, entries::EntryView> = entries::views_of_contest(conn, contest)?
        .into_iter()
        .map(|v| (v.entry.id.0, v))
        .collect();
    // While the contest is blind entrants are known by their blind numbers
    // only: no id, name, team or organisation.
    let blind = crate::workflow::fair_play::blind::view(conn, contest)?;
    crate::workflow::fair_play::blind_views::relabel(blind.as_ref(), &mut scored);
    if blind.is_some() {
        for (entry, _) in &scored {
            if let Some(v) = views.get_mut(&entry.id.0) {
                for m in &mut v.members {
                    m.name = entry.start_number.clone();
                }
                v.organisation_code = String::new();
                v.organisation_name_zh = String::new();
                v.organisation_name_en = String::new();
            }
        }
    }
    let mut measures: HashMap<i64, BTreeMap<String, Decimal>> = HashMap::new();
    for m in store::measures_of_contest(conn, contest)? {
        if let Ok(v) = Decimal::from_str_exact(&m.value) {
            measures.entry(m.entry_id).or_default().insert(m.name, v);
        }
    }
    let door = crate::workflow::fair_play::check_in::kept_out(conn, contest)?;
    let mut contestants = Vec::new();
    let mut entrants = BTreeMap::new();
    let mut unranked = Vec::new();
    let mut sheets = BTreeMap::new();
    for (entry, score) in &scored {
        let Some(v) = views.get(&entry.id.0) else {
            continue;
        };
        let key = entry.start_number.clone();
        let group = v.members.first().map(|m| m.group.code().to_string());
        entrants.insert(
            key.clone(),
            EntrantInfo {
                entry: if blind.is_some() { 0 } else { entry.id.0 },
                start_number: key.clone(),
                team_name: entry.team_name.clone(),
                members: v.members.iter().map(|m| m.name.clone()).collect(),
                organisation_code: v.organisation_code.clone(),
                organisation_zh: v.organisation_name_zh.clone(),
                organisation_en: v.organisation_name_en.clone(),
                group: group.clone(),
            },
        );
        sheets.insert(key.clone(), sheet(&layout, score));
        if let Some(why) = Unranked::why(door.get(&entry.id).copied(), &score.aspects) {
            unranked.push(UnrankedEntry {
                start_number: key,
                reason: why.to_string(),
            });
            continue;
        }
        let m = tie_break_measures(
            layout
                .scheme
                .modules
                .iter()
                .map(|m| m.code.as_str())
                .zip(score.contributions.iter().copied()),
            layout.criterion_codes().zip(score.criteria.iter().copied()),
            measures.remove(&entry.id.0).unwrap_or_default(),
        );
        contestants.push(Contestant {
            entrant: Entrant {
                key,
                group,
                total: score.total,
                measures: m,
            },
            team_size: team_size(v.members.len()),
            members: v
                .members
                .iter()
                .map(|p| Member {
                    name: p.name.clone(),
                    level: p.skill_level,
                })
                .collect(),
        });
    }
    Ok(ResultsView {
        contest: contest.0,
        contest_code: c.code,
        scheme_version,
        policy_version,
        policy_name_zh: policy.policy.name_zh.clone(),
        policy_name_en: policy.policy.name_en.clone(),
        results: evaluate(&policy, &contestants, seed),
        entrants,
        unranked,
        sheets,
    })
}

/// One line of a contest's live ranking: a group heading, or an entrant
/// with its place as written (empty while it cannot be ranked).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveLine {
    /// A group heading (per-group rankings) instead of an entrant.
    pub group: Option<String>,
    pub place: String,
    pub start_number: String,
    pub team_name: Option<String>,
    pub members: Vec<String>,
    pub organisation_zh: String,
    pub organisation_en: String,
    pub total: Decimal,
}

impl LiveLine {
    fn heading(group: &str) -> LiveLine {
        LiveLine {
            group: Some(group.to_string()),
            place: String::new(),
            start_number: String::new(),
            team_name: None,
            members: Vec::new(),
            organisation_zh: String::new(),
            organisation_en: String::new(),
            total: Decimal::ZERO,
        }
    }

    fn of(who: Option<&EntrantInfo>, key: &str, place: String, total: Decimal) -> LiveLine {
        LiveLine {
            group: None,
            place,
            start_number: key.to_string(),
            team_name: who.and_then(|w| w.team_name.clone()),
            members: who.map(|w| w.members.clone()).unwrap_or_default(),
            organisation_zh: who.map(|w| w.organisation_zh.clone()).unwrap_or_default(),
            organisation_en: who.map(|w| w.organisation_en.clone()).unwrap_or_default(),
            total,
        }
    }
}

/// A contest's live ranking as it stands, and whether the organiser made
/// it public.
#[derive(Debug, Clone)]
pub struct LiveStandings {
    pub public: bool,
    pub lines: Vec<LiveLine>,
}

/// The live ranking: the standings under the contest's award policy (as
/// [`compute`] with seed 0), then the entries not complete yet by their
/// totals so far; before there is a policy, every active entry by its
/// total so far, equal totals sharing a place. No lines before there is a
/// scheme.
pub fn live_standings(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<LiveStandings> {
    let public = crate::store::live::is_public(conn, contest)?;
    let lines = if schemes.current(conn, contest)?.is_none() {
        Vec::new()
    } else {
        match compute(conn, schemes, contest, 0) {
            Ok(view) => live_with_policy(&view),
            Err(e) if e.code == "no_policy" => live_running_totals(conn, schemes, contest)?,
            Err(e) => return Err(e),
        }
    };
    Ok(LiveStandings { public, lines })
}

fn live_with_policy(view: &ResultsView) -> Vec<LiveLine> {
    let mut out = Vec::new();
    let several = view.results.groups.len() > 1;
    for g in &view.results.groups {
        if several {
            if let Some(code) = &g.group {
                out.push(LiveLine::heading(code));
            }
        }
        for s in &g.standings {
            out.push(LiveLine::of(
                view.entrants.get(&s.key),
                &s.key,
                place_label(s.place, s.shared),
                s.total,
            ));
        }
    }
    let mut open: Vec<(&str, Decimal)> = view
        .unranked
        .iter()
        .map(|u| {
            let total = view
                .sheets
                .get(&u.start_number)
                .map(|s| s.total)
                .unwrap_or_default();
            (u.start_number.as_str(), total)
        })
        .collect();
    open.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| by_start_number(a.0, b.0)));
    for (key, total) in open {
        out.push(LiveLine::of(
            view.entrants.get(key),
            key,
            String::new(),
            total,
        ));
    }
    out
}

fn live_running_totals(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Vec<LiveLine>> {
    let (_, _, mut scored) = contest_scores(conn, schemes, contest)?;
    let blind = crate::workflow::fair_play::blind::view(conn, contest)?;
    crate::workflow::fair_play::blind_views::relabel(blind.as_ref(), &mut scored);
    let views: HashMap<i64, entries::EntryView> = entries::views_of_contest(conn, contest)?
        .into_iter()
        .filter(|_| blind.is_none())
        .map(|v| (v.entry.id.0, v))
        .collect();
    // Only entries with every aspect marked have a place; the others follow,
    // unranked ("—"), by their score so far.
    let (complete, open): (Vec<_>, Vec<_>) = scored
        .iter()
        .partition(|(_, score)| Unranked::of(&score.aspects).is_none());
    let entrants: Vec<Entrant> = complete
        .iter()
        .map(|(entry, score)| Entrant {
            key: entry.start_number.clone(),
            group: None,
            total: score.total,
            measures: BTreeMap::new(),
        })
        .collect();
    let by_key: HashMap<&str, &(crate::engine::model::Entry, EntryScore)> = scored
        .iter()
        .map(|s| (s.0.start_number.as_str(), s))
        .collect();
    let mut placed = Vec::with_capacity(scored.len());
    for ranking in rank(&entrants, &TieBreak::total_shared(), 0) {
        for p in ranking.places {
            if let Some(s) = by_key.get(p.key.as_str()) {
                placed.push((*s, place_label(p.place, p.shared)));
            }
        }
    }
    let mut open = open;
    open.sort_by(|a, b| {
        b.1.total
            .cmp(&a.1.total)
            .then_with(|| by_start_number(&a.0.start_number, &b.0.start_number))
    });
    placed.extend(open.into_iter().map(|s| (s, String::new())));
    let mut out = Vec::with_capacity(placed.len());
    for ((entry, score), place) in placed {
        let v = views.get(&entry.id.0);
        out.push(LiveLine {
            group: None,
            place,
            start_number: entry.start_number.clone(),
            team_name: entry.team_name.clone(),
            members: v
                .map(|v| v.members.iter().map(|m| m.name.clone()).collect())
                .unwrap_or_default(),
            organisation_zh: v
                .map(|v| v.organisation_name_zh.clone())
                .unwrap_or_default(),
            organisation_en: v
                .map(|v| v.organisation_name_en.clone())
                .unwrap_or_default(),
            total: score.total,
        });
    }
    Ok(out)
}

/// What stops a contest's results from being published: every module of
/// every active entry present at check-in must be signed off, with no
/// aspect flagged.
pub fn blockers(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Vec<ErrorDetail>> {
    Ok(open_modules(conn, schemes, contest)?
        .into_iter()
        .map(|(entry, why)| {
            ErrorDetail::field(crate::msg!("msg_entry", entry = entry).english(), why)
        })
        .collect())
}

/// What stops a contest's results from being published, by entry (its
/// start number).
pub fn open_modules(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Vec<(String, Msg)>> {
    let (_, layout, mut scored) = contest_scores(conn, schemes, contest)?;
    let blind = crate::workflow::fair_play::blind::view(conn, contest)?;
    crate::workflow::fair_play::blind_views::relabel(blind.as_ref(), &mut scored);
    let locked: HashSet<(i64, String)> = marks_store::locks_of_contest(conn, contest)?
        .into_iter()
        .collect();
    // Entries kept out at the door (absent, withdrawn) have nothing to sign off.
    let door = crate::workflow::fair_play::check_in::kept_out(conn, contest)?;
    let mut out = Vec::new();
    for (entry, score) in scored.iter().filter(|(e, _)| !door.contains_key(&e.id)) {
        let at = &entry.start_number;
        for (m, module) in layout.scheme.modules.iter().enumerate() {
            if locked.contains(&(entry.id.0, module.code.clone())) {
                continue;
            }
            let open = lock_blockers(&layout, score, m);
            if open.is_empty() {
                out.push((
                    at.clone(),
                    crate::msg!("publish_module_open", module = module.code),
                ));
            } else {
                for why in open {
                    out.push((
                        at.clone(),
                        crate::msg!("publish_module_open_why", module = module.code)
                            .part("why", why),
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// A stored publication.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub version: i32,
    pub seed: u64,
}

/// Publishes the contest's results: version 1 once marking is closed, a
/// correction (with a reason) after that. Call it inside `write_tx`.
pub fn publish(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<Published> {
    let (code, status) = contests::code_and_status(conn, contest)?
        .ok_or_else(|| AppError::not_found(crate::msg!("contest_missing", contest = contest)))?;
    match status {
        ContestStatus::MarkingClosed => {}
        ContestStatus::Published if reason.is_none() => {
            return Err(AppError::new(
                ErrorKind::Invalid,
                "reason_required",
                crate::msg!("publish_reason_required", contest = code),
            )
            .with_details(vec![ErrorDetail::field(
                "reason",
                Msg::new("publish_correction_needs_reason"),
            )]))
        }
        ContestStatus::Published => {}
        other => {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "marking_not_closed",
                crate::msg!("publish_marking_open", contest = code, status = other),
            ))
        }
    }
    let missing = blockers(conn, schemes, contest)?;
    if !missing.is_empty() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "not_ready",
            crate::msg!("publish_not_ready", contest = code, missing = missing.len()),
        )
        .with_details(missing));
    }
    crate::workflow::fair_play::recheck::check_release(conn, schemes, contest)?;
    let seed = rand::random::<u64>() >> 1;
    let view = compute(conn, schemes, contest, seed)?;
    let body = serde_json::to_string(&view)
        .map_err(|e| AppError::internal(format!("cannot write the results: {e}")))?;
    let version = store::insert_publication(
        conn,
        contest,
        &NewPublication {
            reason,
            seed: i64::try_from(seed).unwrap_or(i64::MAX),
            scheme_version: view.scheme_version,
            policy_version: view.policy_version,
            body: &body,
            by,
        },
    )?;
    if status != ContestStatus::Published {
        contests::set_status(conn, contest, ContestStatus::Published)?;
    }
    audit::record(
        conn,
        by,
        "results.publish",
        ("contest", Some(contest.0)),
        serde_json::json!({"version": version, "seed": seed, "reason": reason}),
    )?;
    Ok(Published { version, seed })
}

/// Publishes the results for someone who manages the contest, in one
/// transaction ([`publish`]).
pub fn publish_as(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    reason: Option<&str>,
) -> AppResult<Published> {
    crate::store::write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        if crate::workflow::fair_play::blind::view(conn, contest)?.is_some() {
            return Err(AppError::conflict(Msg::new("blindview_publish_blind")));
        }
        publish(conn, schemes, contest, reason, actor.user())
    })
}

/// An entry's score sheet from a publication.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedSheet {
    pub version: i32,
    pub start_number: String,
    pub sheet: Sheet,
    /// The contest's code (not part of the JSON answer).
    #[serde(skip)]
    pub contest_code: String,
}

/// An entry's published score sheet (the latest publication when `version`
/// is `None`), for its own competitors and for those who supervise the
/// contest without a conflict with the entry.
pub fn published_sheet(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
    version: Option<i32>,
) -> AppResult<PublishedSheet> {
    let c = load_contest(conn, contest)?;
    if !owns_entry(conn, actor, contest, entry)? {
        may_supervise(actor, &c)?;
        crate::workflow::marking::entry_without_conflict(conn, actor, contest, entry)?;
    }
    let p = publication(conn, contest, version)?;
    let e = entries::get(conn, contest, entry)?;
    let sheet = p.view()?.sheets.remove(&e.start_number).ok_or_else(|| {
        AppError::not_found(format!(
            "publication {} has no score sheet for entry {}",
            p.version, e.start_number
        ))
    })?;
    Ok(PublishedSheet {
        version: p.version,
        start_number: e.start_number,
        sheet,
        contest_code: c.contest.code,
    })
}

/// A publication as stored, with the list of all versions.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationView {
    pub version: i32,
    pub latest: i32,
    pub reason: Option<String>,
    #[serde(with = "crate::io::utc")]
    pub published_at: chrono::NaiveDateTime,
    pub seed: u64,
    pub history: Vec<serde_json::Value>,
    pub body: serde_json::Value,
}

impl PublicationView {
    /// The body, read through the typed view.
    pub fn view(&self) -> AppResult<ResultsView> {
        ResultsView::read(&self.body)
    }
}

/// A contest's publication (the latest when `version` is `None`).
pub fn publication(
    conn: &mut DbConnection,
    contest: ContestId,
    version: Option<i32>,
) -> AppResult<PublicationView> {
    let latest = store::latest_version(conn, contest)?;
    if latest == 0 {
        return Err(AppError::new(
            ErrorKind::NotFound,
            "not_published",
            "the results of this contest have not been published",
        ));
    }
    let p = store::publication(conn, contest, version)?.ok_or_else(|| {
        AppError::not_found(format!(
            "there is no publication {} (the latest is {latest})",
            version.unwrap_or(latest)
        ))
    })?;
    let body: serde_json::Value = serde_json::from_str(&p.body)
        .map_err(|e| AppError::internal(format!("a stored publication is not JSON: {e}")))?;
    let cited = crate::workflow::fair_play::appeals::cited(conn, contest)?;
    let history = store::publication_history(conn, contest)?
        .into_iter()
        .map(|(v, r, at)| serde_json::json!({"version": v, "reason": r, "published_at": crate::io::utc::text(&at), "appeal": cited.get(&v)}))
        .collect();
    Ok(PublicationView {
        version: p.version,
        latest,
        reason: p.reason,
        published_at: p.published_at,
        seed: u64::try_from(p.seed).unwrap_or(0),
        history,
        body,
    })
}

/// A publication as read through the cache: the body shared, whole and as
/// the public sees it (without the score sheets), and read through the
/// typed view.
pub struct CachedPublication {
    pub version: i32,
    pub latest: i32,
    pub reason: Option<String>,
    pub published_at: chrono::NaiveDateTime,
    pub seed: u64,
    pub history: Vec<serde_json::Value>,
    pub body: std::sync::Arc<serde_json::Value>,
    pub public: std::sync::Arc<serde_json::Value>,
    pub view: std::sync::Arc<ResultsView>,
}

/// A parsed publication: its seed, its body, its body without the score
/// sheets, and its typed view.
type Parsed = (
    i64,
    std::sync::Arc<serde_json::Value>,
    std::sync::Arc<serde_json::Value>,
    std::sync::Arc<ResultsView>,
);

/// Parsed publications by contest and version. A stored publication never
/// changes, so an entry never goes stale; pages of a large contest read it
/// without parsing it again.
#[derive(Default)]
pub struct PublicationCache {
    map: std::sync::Mutex<HashMap<(i64, i32), Parsed>>,
}

/// Publications kept parsed at most; the cache starts again when full.
const CACHED_PUBLICATIONS: usize = 256;

impl PublicationCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, i32), Parsed>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The publication (the latest when `version` is `None`), parsed once.
    pub fn get(
        &self,
        conn: &mut DbConnection,
        contest: ContestId,
        version: Option<i32>,
    ) -> AppResult<CachedPublication> {
        let history = store::publication_history(conn, contest)?;
        let cited = crate::workflow::fair_play::appeals::cited(conn, contest)?;
        let latest = history.last().map(|h| h.0).unwrap_or(0);
        if latest == 0 {
            return Err(AppError::new(
                ErrorKind::NotFound,
                "not_published",
                "the results of this contest have not been published",
            ));
        }
        let wanted = version.unwrap_or(latest);
        let (_, reason, published_at) = history
            .iter()
            .find(|h| h.0 == wanted)
            .cloned()
            .ok_or_else(|| {
                AppError::not_found(format!(
                    "there is no publication {wanted} (the latest is {latest})"
                ))
            })?;
        let cached = self.lock().get(&(contest.0, wanted)).cloned();
        let (seed, body, public, view) = match cached {
            Some(c) => c,
            None => {
                let (seed, text) = store::publication_body(conn, contest, wanted)?
                    .ok_or_else(|| AppError::not_found("the publication has gone"))?;
                let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    AppError::internal(format!("a stored publication is not JSON: {e}"))
                })?;
                let view = ResultsView::read(&body)?;
                let mut public = body.clone();
                if let Some(o) = public.as_object_mut() {
                    o.remove("sheets");
                }
                let entry = (
                    seed,
                    std::sync::Arc::new(body),
                    std::sync::Arc::new(public),
                    std::sync::Arc::new(view),
                );
                let mut map = self.lock();
                if map.len() >= CACHED_PUBLICATIONS {
                    map.clear();
                }
                map.insert((contest.0, wanted), entry.clone());
                entry
            }
        };
        Ok(CachedPublication {
            version: wanted,
            latest,
            reason,
            published_at,
            seed: u64::try_from(seed).unwrap_or(0),
            history: history
                .into_iter()
                .map(
                    |(v, r, at)| serde_json::json!({"version": v, "reason": r, "published_at": crate::io::utc::text(&at), "appeal": cited.get(&v)}),
                )
                .collect(),
            body,
            public,
            view,
        })
    }
}

pub fn public_view(mut p: PublicationView) -> PublicationView {
    if let Some(o) = p.body.as_object_mut() {
        o.remove("sheets");
    }
    p
}

/// May this actor see the detailed marks of `entry`? Its own competitors,
/// once the results are published; those who supervise the contest.
pub fn owns_entry(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
) -> AppResult<bool> {
    match actor {
        Actor::Competitor { competitor, .. } => {
            let e = entries::get(conn, contest, entry)?;
            Ok(e.members.contains(competitor))
        }
        _ => Ok(false),
    }
}

/// A winner of an award over several contests.
#[derive(Debug, Clone, Serialize)]
pub struct AcrossWinner {
    pub contest: String,
    pub start_number: String,
    pub members: Vec<String>,
    /// The organisation at the requested level the winner is the best of.
    pub organisation: Option<String>,
    pub organisation_zh: Option<String>,
    pub standardised: Decimal,
}

/// The best of each organisation at a level (e.g. each nation, each city)
/// and the top score overall, over the published results of every contest
/// of a tier, by standardised score. Equal scores share.
#[derive(Debug, Clone, Serialize)]
pub struct AcrossView {
    pub tier: String,
    pub level: crate::engine::model::OrganisationKind,
    pub contests: Vec<String>,
    pub best_of: Vec<AcrossWinner>,
    pub top: Vec<AcrossWinner>,
}

pub fn across_contests(
    conn: &mut DbConnection,
    tier: &str,
    level: crate::engine::model::OrganisationKind,
) -> AppResult<AcrossView> {
    use crate::engine::awards::{across, AcrossKind, Candidate};
    let t = crate::store::reference::tier_by_code(conn, tier)?
        .ok_or_else(|| AppError::invalid("tier", format!("there is no tier `{tier}`")))?;
    let orgs = crate::store::organisations::all(conn)?;
    let by_code: HashMap<&str, &crate::engine::model::Organisation> =
        orgs.iter().map(|o| (o.code.as_str(), o)).collect();
    let by_id: HashMap<i64, &crate::engine::model::Organisation> =
        orgs.iter().map(|o| (o.id.0, o)).collect();
    let mut candidates = Vec::new();
    let mut info: HashMap<(String, String), (Vec<String>, Option<String>)> = HashMap::new();
    let mut listed = Vec::new();
    for c in contests::all(conn)? {
        if c.tier_id != t.id || c.status != ContestStatus::Published {
            continue;
        }
        let p = publication(conn, c.id, None)?.view()?;
        listed.push(c.code.clone());
        for row in p.standings() {
            let key = row.standing.key.clone();
            let ancestor = row
                .entrant
                .and_then(|who| by_code.get(who.organisation_code.as_str()))
                .and_then(|o| {
                    o.path
                        .iter()
                        .filter_map(|id| by_id.get(&id.0))
                        .find(|a| a.kind == level)
                });
            let members = row.entrant.map(|w| w.members.clone()).unwrap_or_default();
            info.insert(
                (c.code.clone(), key.clone()),
                (members, ancestor.map(|a| a.name_zh.clone())),
            );
            candidates.push(Candidate {
                contest: c.code.clone(),
                key,
                organisation: ancestor.map(|a| a.code.clone()),
                score: row.standing.standardised,
            });
        }
    }
    let winners = |list: Vec<Candidate>| {
        list.into_iter()
            .map(|w| {
                let (members, zh) = info
                    .get(&(w.contest.clone(), w.key.clone()))
                    .cloned()
                    .unwrap_or_default();
                AcrossWinner {
                    contest: w.contest,
                    start_number: w.key,
                    members,
                    organisation: w.organisation,
                    organisation_zh: zh,
                    standardised: w.score,
                }
            })
            .collect::<Vec<_>>()
    };
    Ok(AcrossView {
        tier: t.code,
        level,
        contests: listed,
        best_of: winners(across(AcrossKind::BestOf, &candidates)),
        top: winners(across(AcrossKind::Top, &candidates)),
    })
}

// ---- the policy page ------------------------------------------------------------

/// What the award policy page shows: the current version, every version,
/// and whether results have been published.
pub struct PolicyPage {
    pub current: Option<crate::store::results::PolicyVersion>,
    pub versions: Vec<crate::store::results::PolicyVersion>,
    pub published: bool,
}

/// The award policies of a contest as the policy page shows them.
pub fn policy_page(conn: &mut DbConnection, contest: ContestId) -> AppResult<PolicyPage> {
    Ok(PolicyPage {
        current: crate::store::results::current_policy(conn, contest)?,
        versions: crate::store::results::policy_versions(conn, contest)?,
        published: crate::store::results::latest_version(conn, contest)? > 0,
    })
}
