//! Advancement: who goes on from feeder contests to the next tier, by
//! which rule, in which order; who is a reserve; and, for everyone else,
//! why not. Also multi-stage selections whose stages combine by weights.
//!
//! Pure: the caller supplies the feeders' published results (with each
//! competitor's eligibility for the next contest already checked) and the
//! entries already confirmed.

use crate::engine::awards::{CountRounding, DecimalValue};
use crate::engine::scheme::{parse_document, SchemeError};
use crate::engine::shares::{self, Candidate, ShareKind, ShareRule};
use crate::engine::standings::{rank, Entrant, TieBreak};
use crate::i18n::messages::Msg;
use crate::msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which score a threshold or a pooled ranking uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    #[default]
    Total,
    Standardised,
}

/// Who qualifies from one feeder, or from all of them pooled: every given
/// condition must hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Places 1 to n.
    pub top: Option<usize>,
    /// The first share of entrants (e.g. "0.1"), rounded by `rounding`.
    pub top_share: Option<DecimalValue>,
    pub rounding: Option<CountRounding>,
    /// At least this score (`on`).
    pub min_score: Option<DecimalValue>,
    #[serde(default)]
    pub on: Score,
    /// How many reserves to list after the qualifiers, in order.
    #[serde(default)]
    pub reserves: usize,
}

/// A feeder contest and its own rule (absent when the pooled rule applies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feeder {
    pub contest: String,
    /// The feeder's skill, when the rules say it; a feeder of another skill
    /// than the next contest's needs `other_skill = true`.
    pub skill: Option<String>,
    #[serde(default)]
    pub other_skill: bool,
    /// The feeder is of the same tier as the next contest: an earlier stage
    /// of a selection (十进五 feeding 五进二).
    #[serde(default)]
    pub same_tier: bool,
    /// The feeder's own rule, as in [`Selection`].
    pub top: Option<usize>,
    pub top_share: Option<DecimalValue>,
    pub rounding: Option<CountRounding>,
    pub min_score: Option<DecimalValue>,
    #[serde(default)]
    pub on: Score,
    #[serde(default)]
    pub reserves: usize,
    /// A selection stage: the earlier stages whose scores combine with this
    /// feeder's own, each with its weight. The feeder is then ranked by the
    /// weighted sum, not by its own places.
    #[serde(default)]
    pub stages: Vec<EarlierStage>,
    /// This feeder's own weight when `stages` are given (e.g. "0.7").
    pub weight: Option<DecimalValue>,
    /// The tie-break chain of the combined ranking (default: the feeder
    /// contest's on the server, `["total", "shared"]` offline).
    pub tie_break: Option<Vec<String>>,
    /// The seed of a lot in the combined ranking (default: derived from the
    /// feeder's code, see [`stage_seed`]).
    pub seed: Option<u64>,
}

/// An earlier stage of a selection and the weight of its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlierStage {
    pub contest: String,
    pub weight: DecimalValue,
}

/// The seed of a combined stage ranking when the rules give none: FNV-1a
/// of the feeder's code, so that anyone can replay the draw.
pub fn stage_seed(feeder: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in feeder.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h >> 1
}

impl Feeder {
    /// The feeder's own rule, if it has one.
    pub fn selection(&self) -> Option<Selection> {
        if self.top.is_none() && self.top_share.is_none() && self.min_score.is_none() {
            return None;
        }
        Some(Selection {
            top: self.top,
            top_share: self.top_share,
            rounding: self.rounding,
            min_score: self.min_score,
            on: self.on,
            reserves: self.reserves,
        })
    }
}

/// At most `max` qualifiers per organisation (or per region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub per: QuotaLevel,
    pub max: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaLevel {
    Organisation,
    Region,
}

/// Places kept for an organisation (the host): its best results qualify
/// whatever the other rules say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserved {
    pub organisation: String,
    pub places: usize,
}

/// A competitor the organiser names, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wildcard {
    pub contest: String,
    pub key: String,
    pub reason: String,
}

/// The qualification rules of a contest (`RULES.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The contest qualifiers go on to.
    pub contest: String,
    pub skill: Option<String>,
    pub feeders: Vec<Feeder>,
    /// A rule over all feeders' results together.
    pub pooled: Option<Selection>,
    #[serde(default)]
    pub quotas: Vec<Quota>,
    #[serde(default)]
    pub reserved: Vec<Reserved>,
    #[serde(default)]
    pub wildcards: Vec<Wildcard>,
    /// Category shares of the qualifiers (as in honours): applied after the
    /// other rules, see [`propose`].
    #[serde(default)]
    pub shares: Vec<ShareRule>,
}

/// Reads and checks a rules file; errors name the line and the field.
pub fn read_rules(text: &str) -> Result<Rules, SchemeError> {
    let rules: Rules = parse_document(text)?;
    let at = |path: &str, message: Msg| {
        let key = path.split(['[', '.']).next().unwrap_or(path);
        let line = text
            .lines()
            .position(|l| {
                let t = l.trim_start();
                t.starts_with(key)
                    || t.starts_with(&format!("[[{key}]]"))
                    || t.starts_with(&format!("[{key}]"))
            })
            .map_or(0, |n| n + 1);
        SchemeError {
            line,
            column: usize::from(line > 0),
            path: path.to_string(),
            message,
        }
    };
    if rules.feeders.is_empty() {
        return Err(at("feeders", msg!("rules_no_feeders")));
    }
    let mut seen = HashSet::new();
    for (k, f) in rules.feeders.iter().enumerate() {
        if f.contest == rules.contest {
            return Err(at(
                &format!("feeders[{k}].contest"),
                msg!("rules_feeds_itself", contest = f.contest),
            ));
        }
        if !seen.insert(f.contest.as_str()) {
            return Err(at(
                &format!("feeders[{k}].contest"),
                msg!("rules_feeder_twice", contest = f.contest),
            ));
        }
        if let (Some(a), Some(b)) = (&f.skill, &rules.skill) {
            if a != b && !f.other_skill {
                return Err(at(
                    &format!("feeders[{k}].skill"),
                    msg!("rules_other_skill", contest = f.contest, a = a, b = b),
                ));
            }
        }
        match (&f.selection(), &rules.pooled) {
            (None, None) => {
                return Err(at(
                    &format!("feeders[{k}]"),
                    msg!("rules_no_rule", contest = f.contest),
                ))
            }
            (Some(s), _) => check_selection(s).map_err(|m| at(&format!("feeders[{k}]"), m))?,
            _ => {}
        }
        check_stages(f, &rules.contest).map_err(|m| at(&format!("feeders[{k}]"), m))?;
    }
    if let Some(p) = &rules.pooled {
        check_selection(p).map_err(|m| at("pooled", m))?;
        if rules.feeders.iter().any(|f| f.selection().is_some()) {
            return Err(at("pooled", msg!("rules_pooled_and_feeder")));
        }
    }
    for (k, q) in rules.quotas.iter().enumerate() {
        if q.max == 0 {
            return Err(at(&format!("quotas[{k}].max"), msg!("rules_quota_zero")));
        }
    }
    for (k, w) in rules.wildcards.iter().enumerate() {
        if w.reason.trim().is_empty() {
            return Err(at(
                &format!("wildcards[{k}].reason"),
                msg!("rules_wildcard_reason", key = w.key),
            ));
        }
        if !rules.feeders.iter().any(|f| f.contest == w.contest) {
            return Err(at(
                &format!("wildcards[{k}].contest"),
                msg!(
                    "rules_wildcard_feeder",
                    contest = w.contest,
                    target = rules.contest
                ),
            ));
        }
    }
    if let Err(e) = shares::check_rules(&rules.shares) {
        let k = match &e {
            shares::ShareError::Invalid { share, .. } => *share,
            _ => 0,
        };
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[shares]]")
            .nth(k)
            .map_or(0, |(n, _)| n + 1);
        return Err(SchemeError {
            line,
            column: usize::from(line > 0),
            path: format!("shares[{k}]"),
            message: e.message(),
        });
    }
    Ok(rules)
}

fn check_stages(f: &Feeder, target: &str) -> Result<(), Msg> {
    if f.stages.is_empty() {
        if f.weight.is_some() || f.tie_break.is_some() || f.seed.is_some() {
            return Err(msg!("rules_stage_fields", contest = f.contest));
        }
        return Ok(());
    }
    let Some(own) = f.weight else {
        return Err(msg!("rules_own_weight", contest = f.contest));
    };
    if own.0 <= Decimal::ZERO {
        return Err(msg!("rules_feeder_weight", contest = f.contest));
    }
    let mut seen = HashSet::new();
    for s in &f.stages {
        if s.contest == f.contest || s.contest == target {
            return Err(msg!(
                "rules_stage_self",
                stage = s.contest,
                contest = f.contest
            ));
        }
        if !seen.insert(s.contest.as_str()) {
            return Err(msg!("rules_stage_twice", stage = s.contest));
        }
        if s.weight.0 <= Decimal::ZERO {
            return Err(msg!("rules_stage_weight", stage = s.contest));
        }
    }
    if let Some(chain) = &f.tie_break {
        TieBreak::parse(chain)?;
    }
    Ok(())
}

fn check_selection(s: &Selection) -> Result<(), Msg> {
    if s.top.is_none() && s.top_share.is_none() && s.min_score.is_none() {
        return Err(msg!("rules_selection"));
    }
    if s.top == Some(0) {
        return Err(msg!("rules_top_zero"));
    }
    if let Some(f) = s.top_share {
        if f.0 <= Decimal::ZERO || f.0 > Decimal::ONE {
            return Err(msg!("rules_top_share", share = f.0));
        }
        if s.rounding.is_none() {
            return Err(msg!("rules_top_share_rounding"));
        }
    }
    Ok(())
}

/// Whether pathways form a cycle: `feeds[c]` lists the feeders of `c`.
/// Returns one cycle, as contest codes, if there is one.
pub fn find_cycle(feeds: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    fn visit(
        c: &str,
        feeds: &BTreeMap<String, Vec<String>>,
        state: &mut HashMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(c) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|s| s == c).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(c.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(c.to_string(), 1);
        stack.push(c.to_string());
        for f in feeds.get(c).map(Vec::as_slice).unwrap_or_default() {
            if let Some(cycle) = visit(f, feeds, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(c.to_string(), 2);
        None
    }
    let mut state = HashMap::new();
    for c in feeds.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(c, feeds, &mut state, &mut stack) {
            return Some(cycle);
        }
    }
    None
}

/// One competitor's published result in a feeder contest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeederResult {
    pub contest: String,
    /// Who it is (a start number offline; the competitor's id on the server).
    pub key: String,
    pub name: String,
    pub organisation: String,
    pub region: Option<String>,
    pub place: usize,
    pub total: Decimal,
    pub standardised: Option<Decimal>,
    /// Why the competitor may not enter the next contest, if they may not.
    pub ineligible: Option<String>,
    pub declined: bool,
    /// Who it is across the stages of a selection (empty: the same as `key`).
    #[serde(default)]
    pub identity: String,
    /// What the shares look at (`frontline = "true"`, `gender = "female"`);
    /// `organisation` and `region` default to the fields above.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

impl FeederResult {
    fn identity(&self) -> &str {
        if self.identity.is_empty() {
            &self.key
        } else {
            &self.identity
        }
    }

    fn score(&self, on: Score) -> Decimal {
        match on {
            Score::Total => self.total,
            Score::Standardised => self.standardised.unwrap_or(self.total),
        }
    }
}

/// The attributes of a team: those every member has with the same value
/// (a team is in a category when all its members are).
pub fn team_attributes<'a>(
    members: impl IntoIterator<Item = &'a BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut members = members.into_iter();
    let Some(first) = members.next() else {
        return BTreeMap::new();
    };
    let mut common = first.clone();
    for m in members {
        common.retain(|k, v| m.get(k) == Some(v));
    }
    common
}

/// What the proposal says of a competitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Qualifies,
    Reserve,
    NotQualified,
}

/// One line of a proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub contest: String,
    pub key: String,
    pub name: String,
    pub organisation: String,
    pub place: usize,
    pub score: Decimal,
    pub outcome: Outcome,
    /// The rule that qualified the competitor, or why not.
    pub why: Msg,
    /// Qualifiers and reserves in order, from 1.
    pub order: Option<usize>,
}

/// A group's places that could not all be filled, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unfilled {
    pub group: String,
    pub places: usize,
    pub filled: usize,
}

/// The difference between a proposal and what was confirmed before.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Difference {
    /// Qualify now, not confirmed before.
    pub added: Vec<String>,
    /// Confirmed before, no longer qualifying: kept until the organiser
    /// withdraws them, never removed silently.
    pub no_longer_qualifying: Vec<String>,
}

/// Who qualifies, who is a reserve, and why not for everyone else.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub contest: String,
    pub lines: Vec<Line>,
    pub unfilled: Vec<Unfilled>,
    pub difference: Difference,
    /// How each selection stage was ranked.
    pub stages: Vec<CombinedStage>,
    /// How the category shares were applied, when the rules have some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shares: Option<SharesApplied>,
}

/// The category shares over the qualifiers: each share's places and how
/// many of the qualifiers are in its category, or why they could not be
/// applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharesApplied {
    /// The places the shares are counted on: every qualifier of the other
    /// rules, wildcards and reserved places included.
    pub places: usize,
    pub filled: usize,
    pub tallies: Vec<shares::Tally>,
    /// The shares cannot be met: the proposal is that of the other rules
    /// alone, and this says which share and why.
    pub error: Option<Msg>,
}

/// How a feeder that is a selection stage was ranked: the weights, the
/// tie-break chain, the seed of any lot, and who missed an earlier stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CombinedStage {
    pub feeder: String,
    /// Contest and weight, earlier stages first, the feeder last.
    pub weights: Vec<(String, Decimal)>,
    pub tie_break: Vec<String>,
    pub seed: u64,
    /// Competitors without a result in an earlier stage (counted as 0), as
    /// `stage: key`.
    pub missing: Vec<String>,
}

/// Ranks each feeder that is a selection stage by the weighted sum of its
/// stages: its results get the combined place and total. Results of
/// contests that are not feeders are used only here and then left out.
fn rank_stages<'a>(
    rules: &Rules,
    results: &'a [FeederResult],
) -> (Cow<'a, [FeederResult]>, Vec<CombinedStage>) {
    let feeders: HashSet<&str> = rules.feeders.iter().map(|f| f.contest.as_str()).collect();
    let staged = rules.feeders.iter().any(|f| !f.stages.is_empty());
    // Results come grouped by contest: look each contest up once.
    let mut last: Option<&str> = None;
    let only_feeders = results.iter().all(|r| {
        if last == Some(r.contest.as_str()) {
            return true;
        }
        last = Some(r.contest.as_str());
        feeders.contains(r.contest.as_str())
    });
    if !staged && only_feeders {
        return (Cow::Borrowed(results), Vec::new());
    }
    let mut out: Vec<FeederResult> = results
        .iter()
        .filter(|r| feeders.contains(r.contest.as_str()))
        .cloned()
        .collect();
    let mut notes = Vec::new();
    for f in rules.feeders.iter().filter(|f| !f.stages.is_empty()) {
        let chain_items = f
            .tie_break
            .clone()
            .unwrap_or_else(|| vec!["total".into(), "shared".into()]);
        let Ok(chain) = TieBreak::parse(&chain_items) else {
            continue;
        };
        let seed = f.seed.unwrap_or_else(|| stage_seed(&f.contest));
        let own_weight = f.weight.map_or(Decimal::ONE, |w| w.0);
        let own: Vec<&mut FeederResult> =
            out.iter_mut().filter(|r| r.contest == f.contest).collect();
        let mut missing = Vec::new();
        let mut stages = Vec::new();
        for s in &f.stages {
            let scores: BTreeMap<String, Decimal> = results
                .iter()
                .filter(|r| r.contest == s.contest)
                .map(|r| (r.identity().to_string(), r.total))
                .collect();
            for r in &own {
                if !scores.contains_key(r.identity()) {
                    missing.push(format!("{}: {}", s.contest, r.key));
                }
            }
            stages.push(Stage {
                weight: s.weight.0,
                scores,
            });
        }
        stages.push(Stage {
            weight: own_weight,
            scores: own
                .iter()
                .map(|r| (r.identity().to_string(), r.total))
                .collect(),
        });
        let ranked: HashMap<String, (usize, Decimal)> = combine_stages(&stages, &chain, seed, 0)
            .into_iter()
            .map(|(k, place, total, _)| (k, (place, total)))
            .collect();
        for r in own {
            if let Some((place, total)) = ranked.get(r.identity()) {
                r.place = *place;
                r.total = *total;
                r.standardised = None;
            }
        }
        let mut weights: Vec<(String, Decimal)> = f
            .stages
            .iter()
            .map(|s| (s.contest.clone(), s.weight.0))
            .collect();
        weights.push((f.contest.clone(), own_weight));
        notes.push(CombinedStage {
            feeder: f.contest.clone(),
            weights,
            tie_break: chain_items,
            seed,
            missing,
        });
    }
    (Cow::Owned(out), notes)
}

impl Proposal {
    pub fn qualifiers(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(|l| l.outcome == Outcome::Qualifies)
    }

    /// Why the rules' shares could not be applied, if they could not.
    pub fn share_error(&self) -> Option<&Msg> {
        self.shares.as_ref().and_then(|s| s.error.as_ref())
    }
}

fn share(n: usize, f: Decimal, rounding: CountRounding) -> usize {
    rounding.count(Decimal::from(n) * f)
}

/// How many places a selection gives over `ordered` results (best first)
/// and whether a result meets its score threshold.
fn places_of(s: &Selection, ordered: &[&FeederResult]) -> usize {
    let n = ordered.len();
    let mut places = n;
    if let Some(t) = s.top {
        places = places.min(t);
    }
    if let Some(f) = s.top_share {
        places = places.min(share(n, f.0, s.rounding.unwrap_or(CountRounding::Down)));
    }
    if let Some(min) = s.min_score {
        places = places.min(ordered.iter().filter(|r| r.score(s.on) >= min.0).count());
    }
    places
}

fn describe(s: &Selection, group: &str) -> Msg {
    let mut parts = Vec::new();
    if let Some(t) = s.top {
        parts.push(crate::msg!("qualify_top", n = t));
    }
    if let Some(f) = s.top_share {
        parts.push(crate::msg!(
            "qualify_top_share",
            share = f.0 * Decimal::ONE_HUNDRED
        ));
    }
    if let Some(m) = s.min_score {
        let on = match s.on {
            Score::Total => "qualify_on_total",
            Score::Standardised => "qualify_on_standardised",
        };
        parts.push(crate::msg!("qualify_at_least", min = m.0).part("on", Msg::new(on)));
    }
    Msg::at(group, Msg::List(parts))
}

/// What the selection has decided so far: the lines written, the order of
/// the qualifiers, the places each organisation and region has taken, and
/// who is already in.
struct Selector<'a> {
    rules: &'a Rules,
    lines: HashMap<String, Line>,
    order: usize,
    per_org: HashMap<String, usize>,
    per_region: HashMap<String, usize>,
    taken: HashSet<String>,
    /// The wildcards and reserved places, in the order admitted.
    fixed: Vec<String>,
}

/// A feeder with its own rule, or all feeders pooled: the rule and the
/// results it ranks, best first.
struct Group<'r> {
    name: String,
    selection: Selection,
    ordered: Vec<&'r FeederResult>,
}

fn result_id(r: &FeederResult) -> String {
    format!("{}/{}", r.contest, r.key)
}

fn line_of(r: &FeederResult, score: Decimal, outcome: Outcome, why: Msg) -> Line {
    Line {
        contest: r.contest.clone(),
        key: r.key.clone(),
        name: r.name.clone(),
        organisation: r.organisation.clone(),
        place: r.place,
        score,
        outcome,
        why,
        order: None,
    }
}

impl<'a> Selector<'a> {
    fn new(rules: &'a Rules) -> Self {
        Selector {
            rules,
            lines: HashMap::new(),
            order: 0,
            per_org: HashMap::new(),
            per_region: HashMap::new(),
            taken: HashSet::new(),
            fixed: Vec::new(),
        }
    }

    /// Why a competitor cannot take a place, if they cannot.
    fn blocked(&self, r: &FeederResult) -> Option<Msg> {
        if let Some(why) = &r.ineligible {
            return Some(crate::msg!("qualify_not_eligible", why = why));
        }
        if r.declined {
            return Some(Msg::new("qualify_declined"));
        }
        for q in &self.rules.quotas {
            // The message naming the organisation or region is made only
            // for a quota that is full: most results pass.
            let full = |count: Option<&usize>| count.copied().unwrap_or(0) >= q.max;
            let from = match q.per {
                QuotaLevel::Organisation => full(self.per_org.get(&r.organisation))
                    .then(|| crate::msg!("qualify_organisation", name = r.organisation)),
                QuotaLevel::Region => r
                    .region
                    .as_ref()
                    .filter(|region| full(self.per_region.get(*region)))
                    .map(|region| crate::msg!("qualify_region", name = region)),
            };
            if let Some(from) = from {
                return Some(crate::msg!("qualify_quota", max = q.max).part("from", from));
            }
        }
        None
    }

    /// Writes a line for the competitor, replacing any earlier one.
    fn write(&mut self, r: &FeederResult, line: Line) {
        self.lines.insert(result_id(r), line);
    }

    /// The competitor qualifies, next in order, by `why`.
    fn admit(&mut self, r: &FeederResult, score: Decimal, why: Msg) {
        self.admit_id(result_id(r), r, score, why);
    }

    /// [`Selector::admit`] with the competitor's [`result_id`] at hand.
    fn admit_id(&mut self, id: String, r: &FeederResult, score: Decimal, why: Msg) {
        self.order += 1;
        match self.per_org.get_mut(&r.organisation) {
            Some(n) => *n += 1,
            None => {
                self.per_org.insert(r.organisation.clone(), 1);
            }
        }
        if let Some(region) = &r.region {
            *self.per_region.entry(region.clone()).or_default() += 1;
        }
        self.taken.insert(id.clone());
        let mut l = line_of(r, score, Outcome::Qualifies, why);
        l.order = Some(self.order);
        self.lines.insert(id, l);
    }

    /// The competitors the organiser names.
    fn wildcards(&mut self, results: &[FeederResult]) {
        let rules = self.rules;
        for w in &rules.wildcards {
            let Some(r) = results
                .iter()
                .find(|r| r.contest == w.contest && r.key == w.key)
            else {
                continue;
            };
            match &r.ineligible {
                Some(why) => {
                    let why = crate::msg!("qualify_wildcard_not_eligible", why = why);
                    self.write(r, line_of(r, r.total, Outcome::NotQualified, why));
                }
                None => {
                    self.admit(
                        r,
                        r.total,
                        crate::msg!("qualify_wildcard", reason = w.reason),
                    );
                    self.fixed.push(result_id(r));
                }
            }
        }
    }

    /// The places reserved for an organisation: its best totals first.
    fn reserved(&mut self, results: &[FeederResult]) {
        let rules = self.rules;
        for res in &rules.reserved {
            let mut own: Vec<&FeederResult> = results
                .iter()
                .filter(|r| {
                    r.organisation == res.organisation && !self.taken.contains(&result_id(r))
                })
                .collect();
            own.sort_by(|a, b| b.total.cmp(&a.total).then(a.place.cmp(&b.place)));
            let mut filled = 0;
            for r in own {
                if filled == res.places {
                    break;
                }
                if r.ineligible.is_some() || r.declined {
                    continue;
                }
                self.admit(
                    r,
                    r.total,
                    crate::msg!("qualify_reserved", organisation = res.organisation),
                );
                self.fixed.push(result_id(r));
                filled += 1;
            }
        }
    }

    /// Fills a group's places in order, then its reserves; everyone else
    /// gets the reason. Returns the places left empty, if any.
    fn fill(&mut self, g: &Group<'_>) -> Option<Unfilled> {
        let s = &g.selection;
        let places = places_of(s, &g.ordered);
        let rule = describe(s, &g.name);
        let mut filled = 0;
        let mut reserves = 0;
        for (k, r) in g.ordered.iter().enumerate() {
            let id = result_id(r);
            if self.taken.contains(&id) {
                continue;
            }
            let score = r.score(s.on);
            let meets = s.min_score.is_none_or(|m| score >= m.0);
            if let Some(why) = self.blocked(r) {
                self.lines
                    .insert(id, line_of(r, score, Outcome::NotQualified, why));
                continue;
            }
            if filled < places && meets {
                let why = if k < places {
                    rule.clone()
                } else {
                    Msg::new("qualify_moved_up").part("rule", rule.clone())
                };
                self.admit_id(id, r, score, why);
                filled += 1;
            } else if reserves < s.reserves && meets {
                reserves += 1;
                let why = crate::msg!("qualify_reserve", n = reserves).part("rule", rule.clone());
                let mut l = line_of(r, score, Outcome::Reserve, why);
                l.order = Some(reserves);
                self.lines.insert(id, l);
            } else {
                let why = if meets {
                    crate::msg!("qualify_outside", place = r.place, contest = r.contest)
                        .part("rule", rule.clone())
                } else {
                    crate::msg!("qualify_below_minimum", score = score).part("rule", rule.clone())
                };
                self.lines
                    .insert(id, line_of(r, score, Outcome::NotQualified, why));
            }
        }
        (filled < places).then(|| Unfilled {
            group: g.name.clone(),
            places,
            filled,
        })
    }

    /// Every line, results of contests that are not feeders included:
    /// qualifiers and reserves in order, then everyone else.
    fn into_lines(mut self, results: &[FeederResult]) -> Vec<Line> {
        // Lines are written only for results, by their id: as many lines
        // as results means every result has its line.
        let every_result_has_a_line = self.lines.len() == results.len();
        for r in results.iter().filter(|_| !every_result_has_a_line) {
            self.lines.entry(result_id(r)).or_insert_with(|| {
                let why = crate::msg!(
                    "qualify_not_a_feeder",
                    contest = r.contest,
                    target = self.rules.contest
                );
                line_of(r, r.total, Outcome::NotQualified, why)
            });
        }
        let mut lines: Vec<Line> = self.lines.into_values().collect();
        lines.sort_by(|a, b| {
            let rank = |l: &Line| match l.outcome {
                Outcome::Qualifies => 0,
                Outcome::Reserve => 1,
                Outcome::NotQualified => 2,
            };
            rank(a)
                .cmp(&rank(b))
                .then(a.order.cmp(&b.order))
                .then(a.contest.cmp(&b.contest))
                .then(a.place.cmp(&b.place))
                .then(a.key.cmp(&b.key))
        });
        lines
    }
}

/// The attribute a quota counts, as the shares see it: never one a
/// results file or the database gives (their names have no `#`).
const QUOTA_ORGANISATION: &str = "#organisation";
const QUOTA_REGION: &str = "#region";

/// The candidates the shares choose among, best first: the wildcards and
/// reserved places, then the qualifiers on rank, then the others in line.
struct ShareList<'r> {
    results: Vec<&'r FeederResult>,
    /// The group of each, `None` for a wildcard or a reserved place.
    group: Vec<Option<usize>>,
    fixed: usize,
    on_rank: usize,
}

/// Round robin over the groups: the first of each group (in the rules'
/// order), then the second of each, and so on.
fn round_robin<'r>(lists: &[Vec<&'r FeederResult>]) -> Vec<(usize, &'r FeederResult)> {
    let deepest = lists.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::new();
    for depth in 0..deepest {
        for (g, list) in lists.iter().enumerate() {
            if let Some(r) = list.get(depth) {
                out.push((g, *r));
            }
        }
    }
    out
}

/// A quota as a maximum share: at most `max` of the places for the
/// organisation (or region) `name`.
fn quota_rule(level: QuotaLevel, name: &str, max: usize) -> ShareRule {
    let (attribute, zh, en) = match level {
        QuotaLevel::Organisation => (QUOTA_ORGANISATION, "单位", "organisation"),
        QuotaLevel::Region => (QUOTA_REGION, "地区", "region"),
    };
    ShareRule {
        attribute: attribute.into(),
        value: quota_value(name),
        kind: ShareKind::Max,
        share: None,
        count: Some(max),
        rounding: None,
        name_zh: Some(format!("{zh} {name}")),
        name_en: Some(format!("{en} {name}")),
    }
}

/// The value a quota's maximum share looks for: the organisation or region,
/// or `#` for none given (a quota counts those together, as the other rules
/// do).
fn quota_value(name: &str) -> String {
    if name.is_empty() {
        "#".into()
    } else {
        name.into()
    }
}

/// The candidate the shares see for a result.
fn share_candidate(r: &FeederResult) -> Candidate {
    let mut attributes = r.attributes.clone();
    if !r.organisation.is_empty() {
        attributes
            .entry("organisation".into())
            .or_insert_with(|| r.organisation.clone());
    }
    attributes.insert(QUOTA_ORGANISATION.into(), quota_value(&r.organisation));
    if let Some(region) = &r.region {
        attributes
            .entry("region".into())
            .or_insert_with(|| region.clone());
        attributes.insert(QUOTA_REGION.into(), quota_value(region));
    }
    Candidate {
        key: result_id(r),
        place: r.place,
        attributes,
    }
}

impl Selector<'_> {
    /// The wildcards and reserved places, the qualifiers on rank and the
    /// others who could take a place (eligible, not declined, at the
    /// minimum score), in the order the shares take them.
    fn share_list<'r>(&self, groups: &[Group<'r>], results: &'r [FeederResult]) -> ShareList<'r> {
        let by_id: HashMap<String, &FeederResult> =
            results.iter().map(|r| (result_id(r), r)).collect();
        let fixed: Vec<&FeederResult> = self
            .fixed
            .iter()
            .filter_map(|id| by_id.get(id).copied())
            .collect();
        let fixed_ids: HashSet<&String> = self.fixed.iter().collect();
        let mut on_rank = vec![Vec::new(); groups.len()];
        let mut in_line = vec![Vec::new(); groups.len()];
        for (g, group) in groups.iter().enumerate() {
            let s = &group.selection;
            for r in &group.ordered {
                let id = result_id(r);
                if fixed_ids.contains(&id) {
                    continue;
                }
                let qualifies = self
                    .lines
                    .get(&id)
                    .is_some_and(|l| l.outcome == Outcome::Qualifies);
                let meets = s.min_score.is_none_or(|m| r.score(s.on) >= m.0);
                if qualifies {
                    on_rank[g].push(*r);
                } else if r.ineligible.is_none() && !r.declined && meets {
                    in_line[g].push(*r);
                }
            }
        }
        let first = round_robin(&on_rank);
        let rest = round_robin(&in_line);
        let mut list = ShareList {
            results: fixed.clone(),
            group: vec![None; fixed.len()],
            fixed: fixed.len(),
            on_rank: first.len(),
        };
        for (g, r) in first.into_iter().chain(rest) {
            list.results.push(r);
            list.group.push(Some(g));
        }
        list
    }

    /// Applies the rules' shares to the qualifiers: the places are those
    /// the other rules filled, and the shares choose among the candidates
    /// of [`Selector::share_list`] with the engine of honours
    /// ([`shares::select_ordered`]), the quotas holding as maximum shares.
    /// Lines change only for those the shares move in or out.
    fn apply_shares(&mut self, groups: &[Group<'_>], results: &[FeederResult]) -> SharesApplied {
        let list = self.share_list(groups, results);
        let places = list.fixed + list.on_rank;
        let candidates: Vec<Candidate> = list.results.iter().map(|r| share_candidate(r)).collect();
        let own = self.rules.shares.len();
        let not_met = |why: Msg| SharesApplied {
            places,
            filled: places,
            tallies: Vec::new(),
            error: Some(Msg::new("qualify_shares_not_met").part("why", why)),
        };
        // The quotas the selection would break become maximum shares, one
        // at a time, until it breaks none.
        let mut rules = self.rules.shares.clone();
        let mut quotas: HashSet<(QuotaLevel, String)> = HashSet::new();
        let selection = loop {
            let selection = match shares::select_ordered(&candidates, places, &rules) {
                Ok(s) => s,
                Err(e) => return not_met(e.message()),
            };
            let broken = self.broken_quota(&list, &selection, &quotas);
            match broken {
                None => break selection,
                Some((level, name, max)) => {
                    if rules.len() == shares::MAX_RULES {
                        return not_met(crate::msg!(
                            "qualify_shares_too_many_quotas",
                            count = quotas.len() + 1
                        ));
                    }
                    rules.push(quota_rule(level, &name, max));
                    quotas.insert((level, name));
                }
            }
        };
        let describe_share = |j: Option<usize>| match j {
            Some(j) => rules[j].describe(places),
            None => Msg::new("share_the_shares"),
        };
        // A wildcard or a reserved place is never moved.
        for d in selection.decisions.iter().take(list.fixed) {
            if d.order.is_none() {
                let why = self
                    .lines
                    .get(&d.key)
                    .map_or_else(|| Msg::Plain(String::new()), |l| l.why.clone());
                return not_met(
                    crate::msg!("qualify_share_fixed", key = d.key)
                        .part("share", describe_share(d.share))
                        .part("why", why),
                );
            }
        }
        let rule_of = |i: usize| {
            list.group[i].and_then(|g| groups.get(g)).map_or_else(
                || Msg::Plain(String::new()),
                |g| describe(&g.selection, &g.name),
            )
        };
        let mut order = list.fixed;
        for (i, d) in selection.decisions.iter().enumerate().skip(list.fixed) {
            let r = list.results[i];
            let on_rank = i < list.fixed + list.on_rank;
            let Some(line) = self.lines.get_mut(&d.key) else {
                continue;
            };
            let at = |m: Msg| m.arg("place", r.place).arg("contest", &r.contest);
            let quota = d.share.is_some_and(|j| j >= own);
            match d.outcome {
                shares::Outcome::Selected | shares::Outcome::SelectedByShare => {
                    order += 1;
                    line.order = Some(order);
                    if !on_rank {
                        line.outcome = Outcome::Qualifies;
                        line.why = match (d.outcome, &d.other) {
                            (shares::Outcome::SelectedByShare, Some(o)) => {
                                at(Msg::new("qualify_share_in"))
                                    .arg("displaced", o)
                                    .part("share", describe_share(d.share))
                            }
                            (shares::Outcome::SelectedByShare, None) => {
                                at(Msg::new("qualify_share_in_alone"))
                                    .part("share", describe_share(d.share))
                            }
                            _ => Msg::new("qualify_share_moved_up").part("rule", rule_of(i)),
                        };
                    }
                }
                shares::Outcome::ExcludedByMax if quota => {
                    let max = d.share.and_then(|j| rules[j].count).unwrap_or(0);
                    let from = rules[d.share.unwrap_or(0)].category();
                    line.outcome = Outcome::NotQualified;
                    line.order = None;
                    line.why = crate::msg!("qualify_quota", max = max).part("from", from);
                }
                shares::Outcome::ExcludedByMax => {
                    line.outcome = Outcome::NotQualified;
                    line.order = None;
                    line.why = at(Msg::new("qualify_share_excluded"))
                        .part("share", describe_share(d.share));
                }
                shares::Outcome::DisplacedByShare | shares::Outcome::NotSelected => {
                    // Off the list only if they were on it, or were in
                    // line and a share kept them from moving up.
                    let displaced = d.outcome == shares::Outcome::DisplacedByShare;
                    let kept_from_moving_up = displaced && line.outcome == Outcome::NotQualified;
                    if !on_rank && !kept_from_moving_up {
                        continue;
                    }
                    line.outcome = Outcome::NotQualified;
                    line.order = None;
                    line.why = match &d.other {
                        Some(o) => at(Msg::new("qualify_share_displaced")).arg("by", o),
                        None => at(Msg::new("qualify_share_displaced_alone")),
                    }
                    .part("rule", rule_of(i))
                    .part("share", describe_share(d.share));
                }
            }
        }
        self.order = order;
        self.renumber_reserves(groups);
        SharesApplied {
            places,
            filled: selection.filled,
            tallies: selection.tallies.into_iter().take(own).collect(),
            error: None,
        }
    }

    /// The first quota the selection breaks that is not yet a share: its
    /// level, the organisation or region, and the places it allows (at
    /// least those of its wildcards and reserved places).
    fn broken_quota(
        &self,
        list: &ShareList<'_>,
        selection: &shares::Selection,
        known: &HashSet<(QuotaLevel, String)>,
    ) -> Option<(QuotaLevel, String, usize)> {
        for q in &self.rules.quotas {
            let name_of = |r: &FeederResult| match q.per {
                QuotaLevel::Organisation => Some(r.organisation.clone()),
                QuotaLevel::Region => r.region.clone(),
            };
            let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
            let mut fixed: HashMap<String, usize> = HashMap::new();
            for (i, d) in selection.decisions.iter().enumerate() {
                let Some(name) = name_of(list.results[i]) else {
                    continue;
                };
                if d.order.is_some() {
                    *chosen.entry(name.clone()).or_default() += 1;
                }
                if i < list.fixed {
                    *fixed.entry(name).or_default() += 1;
                }
            }
            for (name, n) in chosen {
                let max = q.max.max(fixed.get(&name).copied().unwrap_or(0));
                if n > max && !known.contains(&(q.per, name.clone())) {
                    return Some((q.per, name, max));
                }
            }
        }
        None
    }

    /// Numbers each group's reserves from 1 again, once the shares have
    /// moved some of them in.
    fn renumber_reserves(&mut self, groups: &[Group<'_>]) {
        for g in groups {
            let rule = describe(&g.selection, &g.name);
            let mut n = 0;
            for r in &g.ordered {
                let Some(line) = self.lines.get_mut(&result_id(r)) else {
                    continue;
                };
                if line.outcome == Outcome::Reserve {
                    n += 1;
                    line.order = Some(n);
                    line.why = crate::msg!("qualify_reserve", n = n).part("rule", rule.clone());
                }
            }
        }
    }
}

/// The groups: each feeder with its own rule, or all feeders pooled.
fn groups<'r>(rules: &Rules, results: &'r [FeederResult]) -> Vec<Group<'r>> {
    match &rules.pooled {
        Some(p) => {
            let mut all: Vec<&FeederResult> = results
                .iter()
                .filter(|r| rules.feeders.iter().any(|f| f.contest == r.contest))
                .collect();
            all.sort_by(|a, b| {
                b.score(p.on)
                    .cmp(&a.score(p.on))
                    .then(a.place.cmp(&b.place))
                    .then(a.contest.cmp(&b.contest))
                    .then(a.key.cmp(&b.key))
            });
            vec![Group {
                name: "all feeders".into(),
                selection: p.clone(),
                ordered: all,
            }]
        }
        None => {
            // Each contest's results, in the order given, found in one pass.
            let mut by_contest: HashMap<&str, Vec<&FeederResult>> = HashMap::new();
            for r in results {
                by_contest.entry(r.contest.as_str()).or_default().push(r);
            }
            rules
                .feeders
                .iter()
                .filter_map(|f| {
                    let selection = f.selection()?;
                    let mut own: Vec<&FeederResult> = by_contest
                        .get(f.contest.as_str())
                        .cloned()
                        .unwrap_or_default();
                    own.sort_by(|a, b| a.place.cmp(&b.place).then(a.key.cmp(&b.key)));
                    Some(Group {
                        name: f.contest.clone(),
                        selection,
                        ordered: own,
                    })
                })
                .collect()
        }
    }
}

/// Who qualifies now and was not confirmed, and who was confirmed and no
/// longer qualifies.
fn difference(lines: &[Line], confirmed: &[String]) -> Difference {
    let qualified: HashSet<String> = lines
        .iter()
        .filter(|l| l.outcome == Outcome::Qualifies)
        .map(|l| format!("{}/{}", l.contest, l.key))
        .collect();
    let before: HashSet<&String> = confirmed.iter().collect();
    let mut difference = Difference {
        added: qualified
            .iter()
            .filter(|k| !before.contains(k))
            .cloned()
            .collect(),
        no_longer_qualifying: confirmed
            .iter()
            .filter(|k| !qualified.contains(*k))
            .cloned()
            .collect(),
    };
    difference.added.sort();
    difference.no_longer_qualifying.sort();
    difference
}

/// Proposes who advances. `confirmed` lists the keys already confirmed
/// (as `contest/key`), for the difference.
pub fn propose(rules: &Rules, results: &[FeederResult], confirmed: &[String]) -> Proposal {
    let (results, stages) = rank_stages(rules, results);
    let results: &[FeederResult] = &results;
    let mut selector = Selector::new(rules);
    selector.lines.reserve(results.len());
    // Wildcards first, then the places reserved for an organisation, then
    // the groups.
    selector.wildcards(results);
    selector.reserved(results);
    let groups = groups(rules, results);
    let mut unfilled: Vec<Unfilled> = groups.iter().filter_map(|g| selector.fill(g)).collect();
    // Then the shares, over every qualifier.
    let shares = (!rules.shares.is_empty()).then(|| selector.apply_shares(&groups, results));
    if let Some(s) = &shares {
        if s.error.is_none() && s.filled < s.places {
            unfilled.push(Unfilled {
                group: "shares".into(),
                places: s.places,
                filled: s.filled,
            });
        }
    }
    let lines = selector.into_lines(results);
    let difference = difference(&lines, confirmed);
    Proposal {
        contest: rules.contest.clone(),
        lines,
        unfilled,
        difference,
        stages,
        shares,
    }
}

/// One stage of a selection: its weight and each competitor's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// E.g. "0.7" for 70 %.
    pub weight: Decimal,
    pub scores: BTreeMap<String, Decimal>,
}

/// Ranks the competitors of the last stage by the weighted sum of their
/// scores in every stage (a stage they did not take counts 0), with the
/// tie-break chain; `keep` of them go on.
pub fn combine_stages(
    stages: &[Stage],
    chain: &TieBreak,
    seed: u64,
    keep: usize,
) -> Vec<(String, usize, Decimal, bool)> {
    let Some(last) = stages.last() else {
        return Vec::new();
    };
    let entrants: Vec<Entrant> = last
        .scores
        .keys()
        .map(|k| {
            let total: Decimal = stages
                .iter()
                .map(|s| s.weight * s.scores.get(k).copied().unwrap_or_default())
                .sum();
            let mut measures = BTreeMap::new();
            for (n, s) in stages.iter().enumerate() {
                measures.insert(
                    format!("stage:{}", n + 1),
                    s.scores.get(k).copied().unwrap_or_default(),
                );
            }
            Entrant {
                key: k.clone(),
                group: None,
                total,
                measures,
            }
        })
        .collect();
    let ranking = rank(&entrants, chain, seed);
    let totals: HashMap<&str, Decimal> =
        entrants.iter().map(|e| (e.key.as_str(), e.total)).collect();
    ranking
        .into_iter()
        .flat_map(|r| r.places)
        .map(|p| {
            let t = totals.get(p.key.as_str()).copied().unwrap_or_default();
            (p.key, p.place, t, p.place <= keep)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn result(contest: &str, key: &str, org: &str, place: usize, total: &str) -> FeederResult {
        FeederResult {
            contest: contest.into(),
            key: key.into(),
            name: format!("name-{key}"),
            organisation: org.into(),
            region: None,
            place,
            total: d(total),
            standardised: None,
            ineligible: None,
            declined: false,
            identity: String::new(),
            attributes: BTreeMap::new(),
        }
    }

    fn rules(text: &str) -> Rules {
        read_rules(text).unwrap()
    }

    fn outcome<'a>(p: &'a Proposal, key: &str) -> &'a Line {
        p.lines.iter().find(|l| l.key == key).unwrap()
    }

    #[test]
    fn top_n_per_feeder_with_a_reserve_list_that_moves_up() {
        let r = rules(
            r#"
contest = "CITY"
[[feeders]]
contest = "E1"
top = 2
reserves = 2
[[feeders]]
contest = "E2"
top = 1
"#,
        );
        let mut results = vec![
            result("E1", "a", "X", 1, "95"),
            result("E1", "b", "X", 2, "90"),
            result("E1", "c", "Y", 3, "85"),
            result("E1", "d", "Y", 4, "80"),
            result("E1", "e", "Y", 5, "75"),
            result("E2", "f", "Z", 1, "70"),
            result("E2", "g", "Z", 2, "60"),
        ];
        let p = propose(&r, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["a", "b", "f"]);
        assert_eq!(outcome(&p, "c").outcome, Outcome::Reserve);
        assert_eq!(outcome(&p, "c").order, Some(1));
        assert_eq!(outcome(&p, "d").why, "reserve 2 (E1: top 2)");
        assert_eq!(outcome(&p, "e").why, "place 5 of E1: outside E1: top 2");
        assert_eq!(outcome(&p, "g").outcome, Outcome::NotQualified);
        // b declines: c moves up, d becomes the first reserve, e the second.
        results[1].declined = true;
        let p2 = propose(&r, &results, &["E1/a".into(), "E1/b".into(), "E2/f".into()]);
        assert_eq!(outcome(&p2, "b").why, "declined");
        assert_eq!(outcome(&p2, "c").outcome, Outcome::Qualifies);
        assert_eq!(
            outcome(&p2, "c").why,
            "E1: top 2 (moved up from the reserve list)"
        );
        assert_eq!(outcome(&p2, "d").why, "reserve 1 (E1: top 2)");
        assert_eq!(outcome(&p2, "e").why, "reserve 2 (E1: top 2)");
        assert_eq!(p2.difference.added, ["E1/c"]);
        assert_eq!(p2.difference.no_longer_qualifying, ["E1/b"]);
    }

    #[test]
    fn quotas_reserved_places_and_wildcards() {
        let r = rules(
            r#"
contest = "GROUP-FINAL"
[[feeders]]
contest = "A"
[[feeders]]
contest = "B"
[pooled]
top = 4
[[quotas]]
per = "organisation"
max = 2
[[reserved]]
organisation = "HOST"
places = 1
[[wildcards]]
contest = "B"
key = "w"
reason = "national record holder, injured at the qualifier"
"#,
        );
        let results = vec![
            result("A", "a1", "X", 1, "99"),
            result("A", "a2", "X", 2, "98"),
            result("A", "a3", "X", 3, "97"),
            result("A", "a4", "Y", 4, "90"),
            result("B", "b1", "Y", 1, "96"),
            result("B", "b2", "Z", 2, "80"),
            result("B", "h", "HOST", 3, "50"),
            result("B", "w", "Z", 4, "40"),
        ];
        let p = propose(&r, &results, &[]);
        let said: Vec<(String, String)> = p
            .qualifiers()
            .map(|l| (l.key.clone(), l.why.english()))
            .collect();
        let q: Vec<(&str, &str)> = said.iter().map(|(k, w)| (k.as_str(), w.as_str())).collect();
        assert_eq!(
            q[0],
            (
                "w",
                "wildcard: national record holder, injured at the qualifier"
            )
        );
        assert_eq!(q[1], ("h", "place reserved for HOST"));
        let pooled: Vec<&str> = q[2..].iter().map(|(k, _)| *k).collect();
        // a3 is the third of X: over the quota; b2's organisation Z already
        // has the wildcard, under its quota of 2.
        assert_eq!(pooled, ["a1", "a2", "b1", "a4"]);
        assert_eq!(
            outcome(&p, "a3").why,
            "quota reached: at most 2 from organisation X"
        );
        assert_eq!(outcome(&p, "b2").outcome, Outcome::NotQualified);
    }

    #[test]
    fn shares_thresholds_and_ineligibility_are_visible() {
        let r = rules(
            r#"
contest = "PROV"
[[feeders]]
contest = "C"
top_share = "0.3"
rounding = "half_up"
min_score = "60"
reserves = 1
"#,
        );
        let mut results: Vec<FeederResult> = (1..=10)
            .map(|i| {
                result(
                    "C",
                    &format!("k{i}"),
                    &format!("O{i}"),
                    i,
                    &format!("{}", 100 - 15 * i as i64),
                )
            })
            .collect();
        results[0].ineligible = Some("aged 36 on 2027-10-12 (at most 35)".into());
        // 30 % of 10 is 3 places; at least 60: k1 (85), k2 (70) only; k1 ineligible.
        let p = propose(&r, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["k2"]);
        assert_eq!(
            outcome(&p, "k1").why,
            "not eligible: aged 36 on 2027-10-12 (at most 35)"
        );
        assert!(outcome(&p, "k3")
            .why
            .english()
            .starts_with("score 55 below the minimum"));
        assert_eq!(
            p.unfilled,
            [Unfilled {
                group: "C".into(),
                places: 2,
                filled: 1
            }]
        );
    }

    #[test]
    fn rules_are_checked() {
        let err = read_rules("contest = \"X\"\nskill = \"ELEC\"\n[[feeders]]\ncontest = \"Y\"\nskill = \"WELD\"\ntop = 3\n").unwrap_err();
        assert_eq!(err.path, "feeders[0].skill");
        assert!(err.message.contains("other_skill = true"));
        assert!(read_rules("contest = \"X\"\nskill = \"ELEC\"\n[[feeders]]\ncontest = \"Y\"\nskill = \"WELD\"\nother_skill = true\ntop = 3\n").is_ok());
        let err =
            read_rules("contest = \"X\"\n[[feeders]]\ncontest = \"X\"\ntop = 3\n").unwrap_err();
        assert!(err.message.contains("cannot feed itself"));
        let err = read_rules("contest = \"X\"\n[[feeders]]\ncontest = \"Y\"\n").unwrap_err();
        assert!(err.message.contains("no rule"));
        let err =
            read_rules("contest = \"X\"\n[[feeders]]\ncontest = \"Y\"\ntop_share = \"0.2\"\n")
                .unwrap_err();
        assert!(err.message.contains("rounded"), "{err}");
        let err = read_rules("contest = \"X\"\n[[feeders]]\ncontest = \"Y\"\ntop = 3\n[[quotas]]\nper = \"organisation\"\nmax = 0\n").unwrap_err();
        assert_eq!(err.path, "quotas[0].max");
        assert!(err.line > 0);
        let err = read_rules("contest = \"X\"\n[[feeders]]\ncontest = \"Y\"\ntop = 3\n[[wildcards]]\ncontest = \"Y\"\nkey = \"k\"\nreason = \" \"\n").unwrap_err();
        assert!(err.message.contains("needs a reason"));
    }

    #[test]
    fn cycles_are_found() {
        let mut feeds = BTreeMap::new();
        feeds.insert("PROV".to_string(), vec!["CITY".to_string()]);
        feeds.insert("CITY".to_string(), vec!["ENT".to_string()]);
        assert_eq!(find_cycle(&feeds), None);
        feeds.insert("ENT".to_string(), vec!["PROV".to_string()]);
        let cycle = find_cycle(&feeds).unwrap();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
    }

    #[test]
    fn ten_to_five_to_two_to_one() {
        let chain = TieBreak::parse(&["total".into(), "stage:2".into(), "lot".into()]).unwrap();
        let first = Stage {
            weight: Decimal::ONE,
            scores: (0..10)
                .map(|i| (format!("c{i}"), Decimal::from(90 - i)))
                .collect(),
        };
        let ten_to_five = combine_stages(std::slice::from_ref(&first), &chain, 1, 5);
        let five: Vec<String> = ten_to_five
            .iter()
            .filter(|x| x.3)
            .map(|x| x.0.clone())
            .collect();
        assert_eq!(five, ["c0", "c1", "c2", "c3", "c4"]);
        // Stage 2: 30 % of stage 1 + 70 % of stage 2. c4 (86) wins stage 2
        // with 100: 0.3 × 86 + 0.7 × 100 = 95.8 beats c0's 0.3 × 90 + 0.7 × 80 = 83.
        let mut s1 = first.clone();
        s1.weight = d("0.3");
        let s2 = Stage {
            weight: d("0.7"),
            scores: [
                ("c0", "80"),
                ("c1", "85"),
                ("c2", "70"),
                ("c3", "60"),
                ("c4", "100"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), d(v)))
            .collect(),
        };
        let five_to_two = combine_stages(&[s1.clone(), s2.clone()], &chain, 1, 2);
        assert_eq!(five_to_two[0].0, "c4");
        assert_eq!(five_to_two[0].2, d("95.8"));
        assert_eq!(five_to_two[1].0, "c1");
        assert_eq!(five_to_two[1].2, d("0.3") * d("89") + d("0.7") * d("85"));
        let two: Vec<String> = five_to_two
            .iter()
            .filter(|x| x.3)
            .map(|x| x.0.clone())
            .collect();
        assert_eq!(two, ["c4", "c1"]);
        // Stage 3 between the two, at half weight: 95.8 + 25 against 86.2 + 30.
        let s3 = Stage {
            weight: d("0.5"),
            scores: [("c4", "50"), ("c1", "60")]
                .iter()
                .map(|(k, v)| (k.to_string(), d(v)))
                .collect(),
        };
        let two_to_one = combine_stages(&[s1, s2, s3], &chain, 1, 1);
        assert_eq!(two_to_one.len(), 2);
        assert!(two_to_one[0].3 && !two_to_one[1].3);
        assert_eq!(two_to_one[0].0, "c4");
    }

    #[test]
    fn a_selection_stage_ranks_by_its_weighted_stages() {
        let r = rules(
            r#"
contest = "S3"
[[feeders]]
contest = "S2"
same_tier = true
top = 2
reserves = 1
weight = "0.7"
tie_break = ["total", "stage:2", "lot"]
[[feeders.stages]]
contest = "S1"
weight = "0.3"
"#,
        );
        let stage = |contest: &str, key: &str, who: &str, place: usize, total: &str| {
            let mut x = result(contest, key, "X", place, total);
            x.identity = who.into();
            x
        };
        // Start numbers differ between the stages; identities do not.
        let results = vec![
            stage("S1", "01", "p0", 1, "90"),
            stage("S1", "02", "p1", 2, "89"),
            stage("S1", "03", "p2", 3, "88"),
            stage("S1", "04", "p3", 4, "87"),
            stage("S1", "05", "p4", 5, "86"),
            stage("S2", "A", "p0", 2, "80"),
            stage("S2", "B", "p1", 1, "85"),
            stage("S2", "C", "p2", 4, "70"),
            stage("S2", "D", "p3", 5, "60"),
            stage("S2", "E", "p4", 3, "100"),
            // Not in stage 1: counts 0 there, and the proposal says so.
            stage("S2", "F", "p9", 6, "99"),
        ];
        let p = propose(&r, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        // E: 0.3 × 86 + 0.7 × 100 = 95.8; B: 0.3 × 89 + 0.7 × 85 = 86.2;
        // A: 0.3 × 90 + 0.7 × 80 = 83; F: 0.7 × 99 = 69.3.
        assert_eq!(q, ["E", "B"]);
        assert_eq!(outcome(&p, "E").score, d("95.8"));
        assert_eq!(outcome(&p, "E").place, 1);
        assert_eq!(outcome(&p, "A").outcome, Outcome::Reserve);
        assert_eq!(outcome(&p, "F").score, d("69.3"));
        assert_eq!(outcome(&p, "F").outcome, Outcome::NotQualified);
        // Stage 1's results are used for the ranking, never proposed.
        assert!(p.lines.iter().all(|l| l.contest == "S2"));
        assert_eq!(p.stages.len(), 1);
        assert_eq!(
            p.stages[0].weights,
            [("S1".to_string(), d("0.3")), ("S2".to_string(), d("0.7"))]
        );
        assert_eq!(p.stages[0].missing, ["S1: F"]);
        assert_eq!(p.stages[0].seed, stage_seed("S2"));
        // Without the stages, S2's own places decide.
        let plain = rules("contest = \"S3\"\n[[feeders]]\ncontest = \"S2\"\ntop = 2\n");
        let q: Vec<String> = propose(&plain, &results, &[])
            .qualifiers()
            .map(|l| l.key.clone())
            .collect();
        assert_eq!(q, ["B", "A"]);
    }

    #[test]
    fn selection_stages_are_checked() {
        let base = "contest = \"S3\"\n[[feeders]]\ncontest = \"S2\"\ntop = 2\n";
        for (extra, says) in [
            ("weight = \"0.7\"\n", "belong to a selection stage"),
            (
                "[[feeders.stages]]\ncontest = \"S1\"\nweight = \"0.3\"\n",
                "give its own `weight`",
            ),
            (
                "weight = \"0.7\"\n[[feeders.stages]]\ncontest = \"S1\"\nweight = \"0.3\"\n[[feeders.stages]]\ncontest = \"S1\"\nweight = \"0.1\"\n",
                "named twice",
            ),
            (
                "weight = \"0.7\"\n[[feeders.stages]]\ncontest = \"S3\"\nweight = \"0.3\"\n",
                "cannot be an earlier stage",
            ),
            (
                "weight = \"0.7\"\n[[feeders.stages]]\ncontest = \"S1\"\nweight = \"0\"\n",
                "above 0",
            ),
            (
                "weight = \"0.7\"\ntie_break = [\"total\"]\n[[feeders.stages]]\ncontest = \"S1\"\nweight = \"0.3\"\n",
                "shared",
            ),
        ] {
            let err = read_rules(&format!("{base}{extra}")).unwrap_err();
            assert!(err.message.contains(says), "{extra}: {}", err.message);
            assert_eq!(err.path, "feeders[0]");
        }
    }

    #[test]
    fn a_team_has_the_attributes_all_its_members_share() {
        let attrs = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let a = attrs(&[
            ("gender", "female"),
            ("frontline", "true"),
            ("region", "HZ"),
        ]);
        let b = attrs(&[("gender", "male"), ("frontline", "true"), ("region", "HZ")]);
        let c = attrs(&[("frontline", "true")]);
        assert_eq!(
            team_attributes([&a, &b]),
            attrs(&[("frontline", "true"), ("region", "HZ")])
        );
        assert_eq!(
            team_attributes([&a, &b, &c]),
            attrs(&[("frontline", "true")])
        );
        assert_eq!(team_attributes([&a]), a);
        assert!(team_attributes(std::iter::empty()).is_empty());
    }

    /// Ten results of one feeder on places 1 to 10: key, organisation,
    /// frontline worker or manager.
    fn frontline_feeder(people: &[(&str, &str, bool)]) -> Vec<FeederResult> {
        people
            .iter()
            .enumerate()
            .map(|(i, (key, org, frontline))| {
                let mut r = result("C", key, org, i + 1, &format!("{}", 100 - i));
                r.attributes
                    .insert("frontline".into(), frontline.to_string());
                r
            })
            .collect()
    }

    const FRONTLINE: &str = r#"
[[shares]]
attribute = "frontline"
value = "true"
kind = "min"
share = "0.4"
rounding = "up"
name_zh = "一线职工"
name_en = "frontline workers"
"#;

    #[test]
    fn a_share_moves_the_eighth_in_for_the_seventh_under_a_quota() {
        // 7 places, at most 2 per organisation: c (O1's third) is stopped
        // by the quota, so h is the 7th on rank and i the 8th in line.
        // At least 40 % frontline, rounded up: 2.8 → 3; a and e are 2.
        let r = rules(&format!(
            "contest = \"PROV\"\n[[feeders]]\ncontest = \"C\"\ntop = 7\nreserves = 2\n[[quotas]]\nper = \"organisation\"\nmax = 2\n{FRONTLINE}"
        ));
        let results = frontline_feeder(&[
            ("a", "O1", true),
            ("b", "O1", false),
            ("c", "O1", false),
            ("d", "O2", false),
            ("e", "O3", true),
            ("f", "O4", false),
            ("g", "O5", false),
            ("h", "O6", false),
            ("i", "O7", true),
            ("j", "O1", true),
            ("k", "O8", false),
        ]);
        let p = propose(&r, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["a", "b", "d", "e", "f", "g", "i"]);
        assert_eq!(outcome(&p, "h").outcome, Outcome::NotQualified);
        assert_eq!(
            outcome(&p, "h").why.english(),
            "place 8 of C: in line by C: top 7, moved out by at least 40 % of the places (3 of 7, rounded up) for frontline workers for C/i"
        );
        assert_eq!(
            outcome(&p, "i").why.english(),
            "place 9 of C: moved in by at least 40 % of the places (3 of 7, rounded up) for frontline workers, in place of C/h"
        );
        assert_eq!(
            outcome(&p, "i").why.in_lang(crate::i18n::Lang::Zh),
            "C 第 9 名：因一线职工至少占名额的 40%（7 个名额中的 3 个，向上取整）而晋级，替下 C/h"
        );
        assert_eq!(outcome(&p, "i").order, Some(7));
        assert_eq!(
            outcome(&p, "c").why,
            "quota reached: at most 2 from organisation O1"
        );
        // The reserves are numbered again: i was the first, j is over the
        // quota, k was the second and is now the first.
        assert_eq!(
            outcome(&p, "j").why,
            "quota reached: at most 2 from organisation O1"
        );
        assert_eq!(outcome(&p, "k").outcome, Outcome::Reserve);
        assert_eq!(outcome(&p, "k").why, "reserve 1 (C: top 7)");
        assert_eq!(outcome(&p, "k").order, Some(1));
        let s = p.shares.as_ref().unwrap();
        assert_eq!((s.places, s.filled), (7, 7));
        assert_eq!((s.tallies[0].places, s.tallies[0].selected), (3, 3));
        assert!(s.error.is_none());
        assert!(p.unfilled.is_empty());

        // Without i, the next frontline worker is j, of O1, which is full:
        // the best-ranked list under the quota gives up b (O1's manager)
        // instead of h.
        let mut without_i = results.clone();
        without_i[8]
            .attributes
            .insert("frontline".into(), "false".into());
        let p = propose(&r, &without_i, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["a", "d", "e", "f", "g", "h", "j"]);
        assert!(outcome(&p, "b")
            .why
            .english()
            .starts_with("place 2 of C: in line by C: top 7, moved out by at least 40 %"));
        assert!(outcome(&p, "j").why.contains("in place of C/b"));
        let o1 = p.qualifiers().filter(|l| l.organisation == "O1").count();
        assert_eq!(o1, 2, "the quota still holds");
        assert_eq!(outcome(&p, "i").why, "reserve 1 (C: top 7)");
        assert_eq!(outcome(&p, "k").why, "reserve 2 (C: top 7)");

        // Rounded down (2.8 → 2) the share does not bind: the rules alone.
        let down = rules(&format!(
            "contest = \"PROV\"\n[[feeders]]\ncontest = \"C\"\ntop = 7\nreserves = 2\n[[quotas]]\nper = \"organisation\"\nmax = 2\n{}",
            FRONTLINE.replace("\"up\"", "\"down\"")
        ));
        let p = propose(&down, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["a", "b", "d", "e", "f", "g", "h"]);
        assert_eq!(
            outcome(&p, "h").why,
            "C: top 7 (moved up from the reserve list)"
        );
    }

    #[test]
    fn shares_that_cannot_be_met_are_named_and_the_rules_alone_stand() {
        let r = rules(&format!(
            "contest = \"PROV\"\n[[feeders]]\ncontest = \"C\"\ntop = 7\n{}",
            FRONTLINE.replace("share = \"0.4\"\nrounding = \"up\"", "count = 5")
        ));
        let results = frontline_feeder(&[
            ("a", "O1", true),
            ("b", "O1", false),
            ("c", "O1", false),
            ("d", "O2", false),
            ("e", "O3", true),
            ("f", "O4", false),
            ("g", "O5", false),
            ("h", "O6", false),
            ("i", "O7", true),
            ("j", "O1", false),
        ]);
        let p = propose(&r, &results, &[]);
        let e = p.share_error().unwrap();
        assert_eq!(
            e.english(),
            "the shares could not be applied, and this proposal does not honour them: at least 5 of the 7 places for frontline workers, but only 3 of the candidates are in that category"
        );
        assert!(e
            .in_lang(crate::i18n::Lang::Zh)
            .contains("一线职工至少占 7 个名额中的 5 个"));
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["a", "b", "c", "d", "e", "f", "g"]);
    }

    #[test]
    fn wildcards_and_reserved_places_count_and_are_never_moved() {
        let base = "contest = \"PROV\"\n[[feeders]]\ncontest = \"C\"\ntop = 3\n[[reserved]]\norganisation = \"HOST\"\nplaces = 1\n[[wildcards]]\ncontest = \"C\"\nkey = \"w\"\nreason = \"champion\"\n";
        let results = frontline_feeder(&[
            ("a", "O1", false),
            ("b", "O2", false),
            ("c", "O3", false),
            ("d", "O4", true),
            ("h", "HOST", true),
            ("w", "O5", false),
        ]);
        // 5 places: w, h, a, b, c. At least 2 frontline (0.4 × 5): h is
        // one, so d takes the place of c, the last on rank.
        let r = rules(&format!("{base}{FRONTLINE}"));
        let p = propose(&r, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["w", "h", "a", "b", "d"]);
        assert!(outcome(&p, "d").why.contains("in place of C/c"));
        assert_eq!(p.shares.as_ref().unwrap().places, 5);
        // At most 1 manager in 5 places: the wildcard is one, and the
        // places on rank cannot all go to frontline workers; the wildcard is
        // never moved, so the shares are reported as not met.
        let max =
            "[[shares]]\nattribute = \"frontline\"\nvalue = \"false\"\nkind = \"max\"\ncount = 0\n";
        let r = rules(&format!("{base}{max}"));
        let p = propose(&r, &results, &[]);
        let e = p.share_error().unwrap().english();
        assert!(
            e.contains("at most 0 of the 5 places for frontline = false: C/w holds a place the shares cannot move (wildcard: champion)"),
            "{e}"
        );
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["w", "h", "a", "b", "c"]);
    }

    #[test]
    fn shares_over_several_feeders_go_round_the_feeders() {
        // Two feeders, top 2 each: 4 places, at least 2 frontline. The last
        // on rank of each feeder (e2, f2) make way for the best frontline
        // workers in line (e3, f4): each feeder keeps its 2 places here.
        let mut results = Vec::new();
        for (contest, keys, frontline) in [
            ("E1", ["e1", "e2", "e3", "e4"], "e3"),
            ("E2", ["f1", "f2", "f3", "f4"], "f4"),
        ] {
            for (i, k) in keys.iter().enumerate() {
                let mut r = result(contest, k, contest, i + 1, &format!("{}", 90 - i));
                r.attributes
                    .insert("frontline".into(), (*k == frontline).to_string());
                results.push(r);
            }
        }
        let r = rules(
            "contest = \"CITY\"\n[[feeders]]\ncontest = \"E1\"\ntop = 2\n[[feeders]]\ncontest = \"E2\"\ntop = 2\n[[shares]]\nattribute = \"frontline\"\nvalue = \"true\"\nkind = \"min\"\ncount = 2\n",
        );
        let p = propose(&r, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        // Numbered round the feeders: e1, f1, then those moved in.
        assert_eq!(q, ["e1", "f1", "e3", "f4"]);
        for k in ["e2", "f2"] {
            assert!(
                outcome(&p, k)
                    .why
                    .contains("moved out by at least 2 of the 4 places for frontline = true"),
                "{k}"
            );
        }
        // Without the share, the rules alone, numbered feeder by feeder.
        let plain = rules("contest = \"CITY\"\n[[feeders]]\ncontest = \"E1\"\ntop = 2\n[[feeders]]\ncontest = \"E2\"\ntop = 2\n");
        let p = propose(&plain, &results, &[]);
        let q: Vec<&str> = p.qualifiers().map(|l| l.key.as_str()).collect();
        assert_eq!(q, ["e1", "e2", "f1", "f2"]);
        assert!(p.shares.is_none());
    }

    #[test]
    fn share_rules_are_checked_with_their_line() {
        let err = read_rules(&format!(
            "contest = \"X\"\n[[feeders]]\ncontest = \"Y\"\ntop = 3\n{FRONTLINE}[[shares]]\nattribute = \"gender\"\nvalue = \"female\"\nkind = \"min\"\nshare = \"0.5\"\n"
        ))
        .unwrap_err();
        assert_eq!(err.path, "shares[1]");
        assert_eq!(err.line, 14);
        assert!(
            err.message
                .contains("share rule 2: a share states its `rounding`"),
            "{err}"
        );
        let err = read_rules("contest = \"X\"\n[[feeders]]\ncontest = \"Y\"\ntop = 3\n[[shares]]\nattribute = \"a\"\nvalue = \"b\"\nkind = \"least\"\ncount = 1\n").unwrap_err();
        assert!(err.line > 0, "{err}");
    }

    mod shares_property {
        use super::*;
        use proptest::prelude::*;

        /// The best list by brute force over the shares' list (the
        /// qualifiers of the rules alone, then the others in line by place):
        /// the longest list of at most `places` that has `need` frontline
        /// workers and at most `quota` per organisation, and of those the
        /// one whose positions, sorted, are lexicographically smallest.
        fn best(
            list: &[&FeederResult],
            places: usize,
            need: usize,
            quota: Option<usize>,
        ) -> Option<Vec<String>> {
            let mut best: Option<Vec<usize>> = None;
            for set in 0u32..(1 << list.len()) {
                let picked: Vec<usize> = (0..list.len()).filter(|i| set & (1 << i) != 0).collect();
                if picked.len() > places {
                    continue;
                }
                let frontline = picked
                    .iter()
                    .filter(|&&i| list[i].attributes["frontline"] == "true")
                    .count();
                let mut per_org: HashMap<&str, usize> = HashMap::new();
                for &i in &picked {
                    *per_org.entry(list[i].organisation.as_str()).or_default() += 1;
                }
                if frontline < need || quota.is_some_and(|q| per_org.values().any(|n| *n > q)) {
                    continue;
                }
                best = match best {
                    Some(b)
                        if b.len() > picked.len() || (b.len() == picked.len() && b <= picked) =>
                    {
                        Some(b)
                    }
                    _ => Some(picked),
                };
            }
            best.map(|b| b.iter().map(|&i| list[i].key.clone()).collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]
            #[test]
            fn the_qualifiers_are_the_best_ranked_list_under_the_shares_and_quotas(
                people in prop::collection::vec((0usize..3, any::<bool>(), any::<bool>()), 1..=11),
                top in 1usize..=6,
                quota in prop::option::of(1usize..=3),
                need in 0usize..=4,
            ) {
                let results: Vec<FeederResult> = people
                    .iter()
                    .enumerate()
                    .map(|(i, (org, frontline, eligible))| {
                        let mut r = result("C", &format!("k{i:02}"), &format!("O{org}"), i + 1, "50");
                        r.attributes.insert("frontline".into(), frontline.to_string());
                        if !eligible {
                            r.ineligible = Some("too old".into());
                        }
                        r
                    })
                    .collect();
                let mut text = format!("contest = \"P\"\n[[feeders]]\ncontest = \"C\"\ntop = {top}\nreserves = 1\n");
                if let Some(q) = quota {
                    text.push_str(&format!("[[quotas]]\nper = \"organisation\"\nmax = {q}\n"));
                }
                let plain = propose(&rules(&text), &results, &[]);
                text.push_str(&format!("[[shares]]\nattribute = \"frontline\"\nvalue = \"true\"\nkind = \"min\"\ncount = {need}\n"));
                let p = propose(&rules(&text), &results, &[]);
                // The shares' list: the qualifiers of the rules alone, then
                // the others eligible, by place.
                let on_rank: Vec<&str> = plain.qualifiers().map(|l| l.key.as_str()).collect();
                let mut list: Vec<&FeederResult> = on_rank
                    .iter()
                    .filter_map(|k| results.iter().find(|r| r.key == *k))
                    .collect();
                list.extend(
                    results
                        .iter()
                        .filter(|r| r.ineligible.is_none() && !on_rank.contains(&r.key.as_str())),
                );
                let want = best(&list, on_rank.len(), need, quota);
                let got: Vec<String> = p.qualifiers().map(|l| l.key.clone()).collect();
                match (p.share_error(), want) {
                    (None, Some(want)) => {
                        prop_assert_eq!(&got, &want);
                        let s = p.shares.as_ref().unwrap();
                        prop_assert_eq!(s.filled, got.len());
                        prop_assert!(s.tallies[0].selected >= need);
                        for l in &p.lines {
                            let moved_in = l.why.contains("moved in by");
                            prop_assert_eq!(moved_in, l.outcome == Outcome::Qualifies && !on_rank.contains(&l.key.as_str()) && !l.why.contains("moved up past"));
                        }
                    }
                    (Some(_), None) => {
                        // The rules alone stand.
                        let plain_keys: Vec<&str> = on_rank.clone();
                        prop_assert_eq!(got.iter().map(String::as_str).collect::<Vec<_>>(), plain_keys);
                    }
                    (e, want) => prop_assert!(false, "{:?} against {:?}", e, want),
                }
            }
        }
    }
}
