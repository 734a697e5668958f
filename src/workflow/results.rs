//! Results: a contest's award policy, measures for tie-breaks, live
//! standings for those who supervise the contest, and publication as an
//! immutable, versioned snapshot. Shared by the API and the CLI.

use crate::engine::access::Actor;
use crate::engine::awards::{evaluate, read_policy, CheckedPolicy, Contestant, Member, Results};
use crate::engine::model::{ContestId, ContestStatus, EntryId, EntryStatus, UserId, Vocabulary};
use crate::engine::scoring::{lock_blockers, EntryScore, Layout, Outcome};
use crate::engine::standings::Entrant;
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::store::results::{self as store, NewPublication};
use crate::store::{audit, contests, entries, marking as marks_store, DbConnection};
use crate::workflow::marking::{contest_scores, document_error, Schemes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The award policies that come with jiangxin, by name.
pub const POLICIES: [(&str, &str); 5] = [
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
];

/// The text of a bundled policy.
pub fn bundled_policy(name: &str) -> Option<&'static str> {
    POLICIES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Reads and checks a policy file; errors name the line and the field.
pub fn check_policy(text: &str) -> AppResult<CheckedPolicy> {
    read_policy(text).map_err(|e| document_error("invalid_policy", "policy", e))
}

/// The module weights of a scheme, by module code.
fn weights(layout: &Layout) -> BTreeMap<String, Decimal> {
    layout
        .scheme
        .modules
        .iter()
        .filter_map(|m| m.weight.map(|w| (m.code.clone(), w)))
        .collect()
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
            .check_weights(&weights(&layout))
            .map_err(|m| AppError::invalid("module_ratio", m))?;
    }
    if store::latest_version(conn, contest)? > 0 && reason.is_none() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "policy_frozen",
            "results have been published under this policy; a new version needs a reason (?reason=…)",
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureInput {
    /// `time` (completion time in seconds) or another lower-case name.
    pub name: String,
    /// A decimal, as a string.
    pub value: String,
    #[serde(default)]
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
        .ok_or_else(|| AppError::not_found(format!("contest {contest} does not exist")))?;
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
pub struct Unranked {
    pub start_number: String,
    pub reason: String,
}

/// Results with who the entrants are: the live standings, and the body of
/// a publication.
#[derive(Debug, Clone, Serialize)]
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
    pub unranked: Vec<Unranked>,
    /// Score sheets by start number.
    pub sheets: BTreeMap<String, Sheet>,
}

/// Why an entry cannot be ranked yet.
fn incomplete(s: &EntryScore) -> String {
    let unmarked = s
        .aspects
        .iter()
        .filter(|o| matches!(o, Outcome::Unmarked))
        .count();
    let waiting = s
        .aspects
        .iter()
        .filter(|o| matches!(o, Outcome::Waiting { .. }))
        .count();
    format!("{unmarked} aspect(s) without marks, {waiting} waiting for more marks")
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
    let (scheme_version, layout, scored) = contest_scores(conn, schemes, contest)?;
    let skill = crate::store::reference::skill(conn, c.skill_id)?;
    let views: HashMap<i64, entries::EntryView> = entries::views_of_contest(conn, contest)?
        .into_iter()
        .map(|v| (v.entry.id.0, v))
        .collect();
    let mut measures: HashMap<i64, BTreeMap<String, Decimal>> = HashMap::new();
    for m in store::measures_of_contest(conn, contest)? {
        if let Ok(v) = Decimal::from_str_exact(&m.value) {
            measures.entry(m.entry_id).or_default().insert(m.name, v);
        }
    }
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
                entry: entry.id.0,
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
        if !score.is_complete() {
            unranked.push(Unranked {
                start_number: key,
                reason: incomplete(score),
            });
            continue;
        }
        let mut m = measures.remove(&entry.id.0).unwrap_or_default();
        for (i, module) in layout.scheme.modules.iter().enumerate() {
            m.insert(format!("module:{}", module.code), score.contributions[i]);
        }
        for (code, mark) in layout.criterion_codes().zip(&score.criteria) {
            m.insert(format!("criterion:{code}"), *mark);
        }
        contestants.push(Contestant {
            entrant: Entrant {
                key,
                group,
                total: score.total,
                measures: m,
            },
            team_size: usize::try_from(skill.team_size).unwrap_or(1).max(1),
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

/// What stops a contest's results from being published: every module of
/// every active entry must be signed off, with no aspect flagged.
pub fn blockers(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Vec<ErrorDetail>> {
    let (_, layout, scored) = contest_scores(conn, schemes, contest)?;
    let locked: HashSet<(i64, String)> = marks_store::locks_of_contest(conn, contest)?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for (entry, score) in &scored {
        let at = format!("entry {}", entry.start_number);
        for (m, module) in layout.scheme.modules.iter().enumerate() {
            if locked.contains(&(entry.id.0, module.code.clone())) {
                continue;
            }
            let open = lock_blockers(&layout, score, m);
            if open.is_empty() {
                out.push(ErrorDetail::field(
                    &at,
                    format!("module {} is not signed off", module.code),
                ));
            } else {
                for why in open {
                    out.push(ErrorDetail::field(
                        &at,
                        format!("module {} is not signed off: {why}", module.code),
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
        .ok_or_else(|| AppError::not_found(format!("contest {contest} does not exist")))?;
    match status {
        ContestStatus::MarkingClosed => {}
        ContestStatus::Published if reason.is_none() => {
            return Err(AppError::new(
                ErrorKind::Invalid,
                "reason_required",
                format!("the results of {code} are published: a correction needs a reason"),
            )
            .with_details(vec![ErrorDetail::field(
                "reason",
                "a correction needs a reason",
            )]))
        }
        ContestStatus::Published => {}
        other => {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "marking_not_closed",
                format!("contest {code} is '{other}': close marking before publishing results"),
            ))
        }
    }
    let missing = blockers(conn, schemes, contest)?;
    if !missing.is_empty() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "not_ready",
            format!(
                "contest {code} cannot be published: {} module sign-off(s) missing",
                missing.len()
            ),
        )
        .with_details(missing));
    }
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

/// A publication as stored, with the list of all versions.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationView {
    pub version: i32,
    pub latest: i32,
    pub reason: Option<String>,
    pub published_at: chrono::NaiveDateTime,
    pub seed: u64,
    pub history: Vec<serde_json::Value>,
    pub body: serde_json::Value,
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
    let history = store::publication_history(conn, contest)?
        .into_iter()
        .map(|(v, r, at)| serde_json::json!({"version": v, "reason": r, "published_at": at}))
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

/// The part of a publication everyone may see: the body without the
/// score sheets.
/// A publication as read through the cache: the body shared, whole and as
/// the public sees it (without the score sheets).
pub struct CachedPublication {
    pub version: i32,
    pub latest: i32,
    pub reason: Option<String>,
    pub published_at: chrono::NaiveDateTime,
    pub seed: u64,
    pub history: Vec<serde_json::Value>,
    pub body: std::sync::Arc<serde_json::Value>,
    pub public: std::sync::Arc<serde_json::Value>,
}

/// A parsed publication: its seed, its body, and its body without the
/// score sheets.
type Parsed = (
    i64,
    std::sync::Arc<serde_json::Value>,
    std::sync::Arc<serde_json::Value>,
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
        let (seed, body, public) = match cached {
            Some(c) => c,
            None => {
                let (seed, text) = store::publication_body(conn, contest, wanted)?
                    .ok_or_else(|| AppError::not_found("the publication has gone"))?;
                let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    AppError::internal(format!("a stored publication is not JSON: {e}"))
                })?;
                let mut public = body.clone();
                if let Some(o) = public.as_object_mut() {
                    o.remove("sheets");
                }
                let entry = (seed, std::sync::Arc::new(body), std::sync::Arc::new(public));
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
                    |(v, r, at)| serde_json::json!({"version": v, "reason": r, "published_at": at}),
                )
                .collect(),
            body,
            public,
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
        let p = publication(conn, c.id, None)?;
        listed.push(c.code.clone());
        for g in p.body["results"]["groups"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            for s in g["standings"].as_array().cloned().unwrap_or_default() {
                let key = s["key"].as_str().unwrap_or_default().to_string();
                let Some(score) = s["standardised"]
                    .as_str()
                    .and_then(|v| Decimal::from_str_exact(v).ok())
                else {
                    continue;
                };
                let who = &p.body["entrants"][key.as_str()];
                let ancestor = who["organisation_code"]
                    .as_str()
                    .and_then(|code| by_code.get(code))
                    .and_then(|o| {
                        o.path
                            .iter()
                            .filter_map(|id| by_id.get(&id.0))
                            .find(|a| a.kind == level)
                    });
                let members = who["members"]
                    .as_array()
                    .map(|m| {
                        m.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                info.insert(
                    (c.code.clone(), key.clone()),
                    (members, ancestor.map(|a| a.name_zh.clone())),
                );
                candidates.push(Candidate {
                    contest: c.code.clone(),
                    key,
                    organisation: ancestor.map(|a| a.code.clone()),
                    score,
                });
            }
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
