//! Award policies: places, medals, prizes, title recommendations and
//! promotions, read from a TOML policy and applied to standings by one
//! engine (see `docs/results.md`).
//!
//! Pure: the caller supplies the entrants, their scores and the lot seed.

use crate::engine::model::{SkillLevel, Vocabulary};
use crate::engine::scheme::Scheme;
use crate::engine::scheme::{dec, parse_document, SchemeError};
use crate::engine::standings::{
    rank, Entrant, Finally, Lot, Placed, Ranking, Standardise, TieBreak,
};
use crate::i18n::messages::Msg;
use crate::msg;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// An award policy as written in its TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    /// E.g. `["total", "time", "module:S", "lot"]`.
    #[serde(default = "default_tie_break")]
    pub tie_break: Vec<String>,
    /// Rank and award each group (employee / student) on its own.
    #[serde(default)]
    pub per_group: bool,
    /// The rules forbid shared places (排名不并列): the chain must end in a lot.
    #[serde(default)]
    pub no_shared_places: bool,
    #[serde(default = "no_standardisation")]
    pub standardise: Standardise,
    /// Module weights the contest's scheme must have, as a ratio
    /// (`{ T = 3, S = 7 }` for theory : practical = 3 : 7).
    #[serde(default)]
    pub module_ratio: BTreeMap<String, DecimalValue>,
    #[serde(default)]
    pub awards: Vec<AwardRule>,
    /// Awards over several contests (best of each organisation, top overall).
    #[serde(default)]
    pub across: Vec<AcrossRule>,
}

/// A decimal written as a quoted string or an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DecimalValue(#[serde(deserialize_with = "dec::de")] pub Decimal);

fn default_tie_break() -> Vec<String> {
    vec!["total".into(), "shared".into()]
}

fn no_standardisation() -> Standardise {
    Standardise::None
}

/// Which score a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum On {
    #[default]
    Total,
    Standardised,
}

/// How a share of entrants becomes a whole number of entrants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountRounding {
    /// Rounded down: half of 7 is 3.
    Down,
    /// Rounded up: half of 7 is 4.
    Up,
    /// To the nearest, a half up: 10 % of 15 is 2.
    HalfUp,
}

impl CountRounding {
    /// A share of entrants as a whole number of entrants.
    pub fn count(self, d: Decimal) -> usize {
        let r = match self {
            CountRounding::Down => d.floor(),
            CountRounding::Up => d.ceil(),
            CountRounding::HalfUp => {
                d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            }
        };
        r.to_usize().unwrap_or(0)
    }
}

/// A promotion of skill level that comes with an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promote {
    /// Promoted to this level…
    pub to: Option<SkillLevel>,
    /// …or to this one if the competitor already holds `to`.
    pub already: Option<SkillLevel>,
    /// Promoted this many levels above the current one.
    pub step: Option<u32>,
}

/// One award rule. Exactly one selector (`places`, `top`,
/// `top_by_team_size`, `top_fraction`, `band`, `min_score`, `holders`)
/// says who receives it; rules are applied in order, and an entrant
/// receives at most one award of each `class`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// E.g. `medal`, `prize`, `title`, `promotion`, `next_stage`.
    pub class: String,
    pub places: Option<[usize; 2]>,
    pub top: Option<usize>,
    pub top_by_team_size: Option<BTreeMap<String, usize>>,
    pub top_fraction: Option<DecimalValue>,
    /// Cumulative shares of entrants: `["0.1", "0.3"]` is the second 20 %.
    pub band: Option<[DecimalValue; 2]>,
    pub min_score: Option<DecimalValue>,
    /// Entrants holding any of these awards (codes of earlier rules).
    pub holders: Option<Vec<String>>,
    /// How `top_fraction` and `band` shares are rounded to whole entrants.
    pub rounding: Option<CountRounding>,
    /// With `places`: entrants within this many points of the first of a
    /// group share its place (and the places after a shared one are skipped).
    pub window: Option<DecimalValue>,
    #[serde(default)]
    pub on: On,
    /// Not given with fewer entrants than this.
    pub min_entrants: Option<usize>,
    pub promote: Option<Promote>,
}

/// An award over several contests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcrossRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `best_of`: the best of each organisation; `top`: the best overall.
    pub kind: AcrossKind,
    #[serde(default)]
    pub on: On,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcrossKind {
    BestOf,
    Top,
}

/// A policy that passed its checks, with its tie-break chain read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedPolicy {
    pub policy: Policy,
    pub chain: TieBreak,
}

fn error_at(text: &str, path: String, table: &str, index: usize, message: Msg) -> SchemeError {
    // The line of the index-th `[[table]]` header, when the file has one.
    let header = format!("[[{table}]]");
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(index)
        .map_or(0, |(n, _)| n + 1);
    SchemeError {
        line,
        column: if line > 0 { 1 } else { 0 },
        path,
        message,
    }
}

/// Reads and checks a policy file. An error names the line and the field.
pub fn read_policy(text: &str) -> Result<CheckedPolicy, SchemeError> {
    let policy: Policy = parse_document(text)?;
    let chain = TieBreak::parse(&policy.tie_break).map_err(|m| tie_break_error(text, m))?;
    if policy.no_shared_places && chain.finally != Finally::Lot {
        return Err(tie_break_error(text, msg!("policy_no_shared_needs_lot")));
    }
    let mut codes: HashSet<&str> = HashSet::new();
    for (k, r) in policy.awards.iter().enumerate() {
        check_award(text, k, r, &codes)?;
        if !codes.insert(r.code.as_str()) {
            return Err(error_at(
                text,
                format!("awards[{k}].code"),
                "awards",
                k,
                msg!("policy_code_twice", code = r.code),
            ));
        }
    }
    check_windows(text, &policy)?;
    for (k, r) in policy.across.iter().enumerate() {
        if !codes.insert(r.code.as_str()) {
            return Err(error_at(
                text,
                format!("across[{k}].code"),
                "across",
                k,
                msg!("policy_code_twice", code = r.code),
            ));
        }
    }
    Ok(CheckedPolicy { policy, chain })
}

/// Windows share published places, so they must say one thing: none in a
/// policy without shared places, and one window (and score) for rules whose
/// places overlap.
fn check_windows(text: &str, policy: &Policy) -> Result<(), SchemeError> {
    let windowed: Vec<(usize, &AwardRule, [usize; 2])> = policy
        .awards
        .iter()
        .enumerate()
        .filter(|(_, r)| r.window.is_some())
        .filter_map(|(k, r)| r.places.map(|p| (k, r, p)))
        .collect();
    for (n, (k, r, [a, b])) in windowed.iter().enumerate() {
        let at = |m: Msg| error_at(text, format!("awards[{k}].window"), "awards", *k, m);
        if policy.no_shared_places {
            return Err(at(msg!("policy_no_shared_window")));
        }
        if let Some((_, other, _)) = windowed[..n]
            .iter()
            .find(|(_, o, [c, d])| c <= b && a <= d && (o.window != r.window || o.on != r.on))
        {
            return Err(at(msg!(
                "policy_window_differs",
                code = r.code,
                other = other.code
            )));
        }
    }
    Ok(())
}

/// An error in the tie-break chain, at the `tie_break` line when there is one.
fn tie_break_error(text: &str, message: Msg) -> SchemeError {
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("tie_break"))
        .map_or(0, |n| n + 1);
    SchemeError {
        line,
        column: if line > 0 { 1 } else { 0 },
        path: "tie_break".into(),
        message,
    }
}

/// Checks the `k`-th award rule; `codes` are the codes of the awards before it.
fn check_award(
    text: &str,
    k: usize,
    r: &AwardRule,
    codes: &HashSet<&str>,
) -> Result<(), SchemeError> {
    let at = |field: &str, m: Msg| error_at(text, format!("awards[{k}].{field}"), "awards", k, m);
    if r.code.trim().is_empty() || r.class.trim().is_empty() {
        return Err(at("code", msg!("policy_code_class")));
    }
    let selectors = [
        r.places.is_some(),
        r.top.is_some(),
        r.top_by_team_size.is_some(),
        r.top_fraction.is_some(),
        r.band.is_some(),
        r.min_score.is_some(),
        r.holders.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if selectors != 1 {
        return Err(at(
            "places",
            msg!("policy_one_selector", code = r.code, given = selectors),
        ));
    }
    if let Some([a, b]) = r.places {
        if a == 0 || b < a {
            return Err(at("places", msg!("policy_places_range", a = a, b = b)));
        }
    }
    if r.window.is_some() && r.places.is_none() {
        return Err(at("window", msg!("policy_window_places")));
    }
    if r.window.is_some_and(|w| w.0.is_sign_negative()) {
        return Err(at("window", msg!("policy_window_negative")));
    }
    if let Some(map) = &r.top_by_team_size {
        for key in map.keys() {
            if !key.parse::<usize>().is_ok_and(|n| n >= 1) {
                return Err(at("top_by_team_size", msg!("policy_team_size", key = key)));
            }
        }
    }
    let share = |d: Decimal| d >= Decimal::ZERO && d <= Decimal::ONE;
    if let Some(f) = r.top_fraction {
        if !share(f.0) {
            return Err(at("top_fraction", msg!("policy_share", share = f.0)));
        }
    }
    if let Some([a, b]) = r.band {
        if !share(a.0) || !share(b.0) || b.0 <= a.0 {
            return Err(at("band", msg!("policy_band", a = a.0, b = b.0)));
        }
    }
    if (r.top_fraction.is_some() || r.band.is_some()) && r.rounding.is_none() {
        return Err(at("rounding", msg!("policy_rounding", code = r.code)));
    }
    if let Some(h) = &r.holders {
        if let Some(unknown) = h.iter().find(|c| !codes.contains(c.as_str())) {
            return Err(at(
                "holders",
                msg!("policy_holders_unknown", code = unknown),
            ));
        }
    }
    if let Some(p) = r.promote {
        match (p.to, p.step) {
            (Some(_), None) | (None, Some(1..)) => {}
            _ => return Err(at("promote", msg!("policy_promote"))),
        }
        if p.already.is_some() && p.to.is_none() {
            return Err(at("promote", msg!("policy_already_to")));
        }
    }
    Ok(())
}

/// The weighted modules of a scheme, by module code.
pub fn module_weights(scheme: &Scheme) -> BTreeMap<String, Decimal> {
    scheme
        .modules
        .iter()
        .filter_map(|m| m.weight.map(|w| (m.code.clone(), w)))
        .collect()
}

impl CheckedPolicy {
    /// Whether a scheme weighs its modules as the policy's `module_ratio`
    /// says: the one check of a policy against a scheme, made when a policy
    /// is stored (against the contest's scheme), when a scheme is stored
    /// (against the contest's policy) and by `jiangxin standings`.
    pub fn check_scheme(&self, scheme: &Scheme) -> Result<(), Msg> {
        self.check_weights(&module_weights(scheme))
    }

    /// Checks the contest's module weights against the policy's ratio;
    /// `weights` are the scheme's module weights by code.
    pub fn check_weights(&self, weights: &BTreeMap<String, Decimal>) -> Result<(), Msg> {
        let ratio = &self.policy.module_ratio;
        if ratio.is_empty() {
            return Ok(());
        }
        let want: Decimal = ratio.values().map(|d| d.0).sum();
        let have: Decimal = ratio.keys().filter_map(|k| weights.get(k)).sum();
        let text = ratio
            .iter()
            .map(|(k, v)| format!("{k} {}", v.0))
            .collect::<Vec<_>>()
            .join(" : ");
        for (code, part) in ratio {
            let Some(w) = weights.get(code) else {
                return Err(msg!("policy_ratio_missing", ratio = text, code = code));
            };
            if have.is_zero() || want.is_zero() || *w * want != part.0 * have {
                return Err(msg!("policy_ratio_differs", ratio = text));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Applying a policy.

/// A member of an entry, whose skill level promotions start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub name: String,
    pub level: Option<SkillLevel>,
}

/// Everything the policy needs of an entrant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contestant {
    pub entrant: Entrant,
    /// 1 for an individual.
    pub team_size: usize,
    pub members: Vec<Member>,
}

/// An award given to an entrant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    pub code: String,
    pub class: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A promotion recommended for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub member: String,
    /// The award it comes with.
    pub award: String,
    pub from: Option<SkillLevel>,
    /// `None` when there is no level to go to (already at the top, or a
    /// step from an unrecorded level); `note` says why.
    pub to: Option<SkillLevel>,
    pub note: Option<String>,
}

/// One entrant's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub key: String,
    pub place: usize,
    pub shared: bool,
    pub decided_by: Option<String>,
    pub total: Decimal,
    pub standardised: Decimal,
    pub awards: Vec<Given>,
    pub promotions: Vec<Promotion>,
}

/// A rule that gave nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    pub award: String,
    pub reason: String,
}

/// The results of one ranking (the whole contest, or one group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResults {
    pub group: Option<String>,
    pub entrants: usize,
    pub standings: Vec<Standing>,
    pub lots: Vec<Lot>,
    pub withheld: Vec<Withheld>,
}

/// The results of a contest under a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub policy: String,
    pub tie_break: Vec<String>,
    /// The seed of every lot drawn; replaying with it gives the same order.
    pub seed: u64,
    pub groups: Vec<GroupResults>,
}

fn promote(p: &Promote, level: Option<SkillLevel>) -> (Option<SkillLevel>, Option<String>) {
    let all = SkillLevel::ALL;
    let index = |l: SkillLevel| all.iter().position(|x| *x == l).unwrap_or(0);
    match (p.to, p.step, level) {
        (Some(to), _, None) => (Some(to), Some("current level not recorded".into())),
        (Some(to), _, Some(cur)) if index(cur) < index(to) => (Some(to), None),
        (Some(to), _, Some(cur)) if cur == to => match p.already {
            Some(next) => (Some(next), None),
            None => (None, Some(format!("already holds {}", cur.name_zh()))),
        },
        (Some(_), _, Some(cur)) => (None, Some(format!("already holds {}", cur.name_zh()))),
        (None, Some(step), Some(cur)) => match all.get(index(cur) + step as usize) {
            Some(next) => (Some(*next), None),
            None => (
                None,
                Some(format!("{} is the highest level", cur.name_zh())),
            ),
        },
        (None, _, None) => (None, Some("current level not recorded".into())),
        (None, None, Some(_)) => (None, None),
    }
}

/// The places as they are published: a `places` rule with a `window`
/// shares the place of an entrant at one of its places with every entrant
/// right after it within `window` points of it (on the rule's score), and
/// the places after the shared one are skipped. So those who win the same
/// award through the window show the same place (749, 749 and 748 all
/// 3rd, the next 6th). A rule withheld for too few entrants shares no
/// place. Entrants already sharing a place in the ranking stay together.
fn share_places_within_windows(places: &mut [Placed], rules: &[AwardRule], scores: Scores) {
    let n = places.len();
    let mut i = 0;
    while i < n {
        let lead = places[i].place;
        let rule = rules.iter().find(|r| {
            r.window.is_some()
                && r.places.is_some_and(|[a, b]| (a..=b).contains(&lead))
                && r.min_entrants.is_none_or(|m| n >= m)
        });
        let mut j = i + 1;
        if let Some((r, w)) = rule.and_then(|r| r.window.map(|w| (r, w.0))) {
            let floor = scores.score(&places[i].key, r.on) - w;
            while j < n && scores.score(&places[j].key, r.on) >= floor {
                j += 1;
            }
        }
        while j < n && places[j].shared && places[j].place == places[j - 1].place {
            j += 1;
        }
        if j - i > 1 {
            for (k, p) in places[i..j].iter_mut().enumerate() {
                p.place = lead;
                p.shared = true;
                if k > 0 {
                    p.decided_by = None;
                }
            }
        }
        i = j;
    }
}

/// Ranks the contestants and applies the policy. Standardised scores are
/// computed over every contestant of the contest together.
pub fn evaluate(policy: &CheckedPolicy, contestants: &[Contestant], seed: u64) -> Results {
    let p = &policy.policy;
    let totals: Vec<Decimal> = contestants.iter().map(|c| c.entrant.total).collect();
    let standardised: HashMap<&str, Decimal> = contestants
        .iter()
        .map(|c| c.entrant.key.as_str())
        .zip(p.standardise.apply(&totals))
        .collect();
    let by_key: HashMap<&str, &Contestant> = contestants
        .iter()
        .map(|c| (c.entrant.key.as_str(), c))
        .collect();
    let entrants: Vec<Entrant> = contestants
        .iter()
        .map(|c| Entrant {
            group: if p.per_group {
                c.entrant.group.clone()
            } else {
                None
            },
            ..c.entrant.clone()
        })
        .collect();
    let scores = Scores {
        by_key: &by_key,
        standardised: &standardised,
    };
    let rankings = rank(&entrants, &policy.chain, seed);
    let groups = rankings
        .into_iter()
        .map(|mut ranking| {
            share_places_within_windows(&mut ranking.places, &p.awards, scores);
            let mut awarding = Awarding::new(ranking, scores);
            for rule in &p.awards {
                awarding.apply(rule);
            }
            awarding.finish()
        })
        .collect();
    Results {
        policy: p.name.clone(),
        tie_break: policy.chain.describe(),
        seed,
        groups,
    }
}

/// The contestants by key, with their standardised scores.
#[derive(Clone, Copy)]
struct Scores<'a> {
    by_key: &'a HashMap<&'a str, &'a Contestant>,
    standardised: &'a HashMap<&'a str, Decimal>,
}

impl Scores<'_> {
    fn score(&self, key: &str, on: On) -> Decimal {
        match on {
            On::Total => self
                .by_key
                .get(key)
                .map_or(Decimal::ZERO, |c| c.entrant.total),
            On::Standardised => self.standardised.get(key).copied().unwrap_or_default(),
        }
    }
}

/// The awards of one ranking, given rule by rule.
struct Awarding<'a> {
    ranking: Ranking,
    n: usize,
    scores: Scores<'a>,
    given: HashMap<String, Vec<Given>>,
    promotions: HashMap<String, Vec<Promotion>>,
    withheld: Vec<Withheld>,
}

impl<'a> Awarding<'a> {
    fn new(ranking: Ranking, scores: Scores<'a>) -> Self {
        Awarding {
            n: ranking.places.len(),
            ranking,
            scores,
            given: HashMap::new(),
            promotions: HashMap::new(),
            withheld: Vec::new(),
        }
    }

    /// Gives one award to the entrants it selects, or notes why it is withheld.
    fn apply(&mut self, rule: &AwardRule) {
        let n = self.n;
        if let Some(min) = rule.min_entrants {
            if n < min {
                self.withheld.push(Withheld {
                    award: rule.code.clone(),
                    reason: format!("{n} entrants; this award needs at least {min}"),
                });
                return;
            }
        }
        for pl in &self.ranking.places {
            let key = pl.key.as_str();
            let place = pl.place;
            let held = self.given.get(key);
            if !chosen(rule, self.scores, n, key, place, held)
                || held.is_some_and(|h| h.iter().any(|g| g.class == rule.class))
            {
                continue;
            }
            self.given.entry(key.to_string()).or_default().push(Given {
                code: rule.code.clone(),
                class: rule.class.clone(),
                name_zh: rule.name_zh.clone(),
                name_en: rule.name_en.clone(),
            });
            if let Some(pr) = &rule.promote {
                let members = self
                    .scores
                    .by_key
                    .get(key)
                    .map(|c| c.members.clone())
                    .unwrap_or_default();
                self.promotions
                    .entry(key.to_string())
                    .or_default()
                    .extend(promotions_of(pr, rule, key, members));
            }
        }
        if !self.ranking.places.iter().any(|pl| {
            self.given
                .get(&pl.key)
                .is_some_and(|g| g.iter().any(|g| g.code == rule.code))
        }) && rule.min_entrants.is_none_or(|m| n >= m)
        {
            self.withheld.push(Withheld {
                award: rule.code.clone(),
                reason: "no entrant qualifies".into(),
            });
        }
    }

    /// The standings of the ranking with the awards given.
    fn finish(self) -> GroupResults {
        let Awarding {
            ranking,
            n,
            scores,
            mut given,
            mut promotions,
            withheld,
        } = self;
        let standings = ranking
            .places
            .iter()
            .map(|pl| Standing {
                key: pl.key.clone(),
                place: pl.place,
                shared: pl.shared,
                decided_by: pl.decided_by.clone(),
                total: scores.score(&pl.key, On::Total),
                standardised: scores.score(&pl.key, On::Standardised),
                awards: given.remove(&pl.key).unwrap_or_default(),
                promotions: promotions.remove(&pl.key).unwrap_or_default(),
            })
            .collect();
        GroupResults {
            group: ranking.group,
            entrants: n,
            standings,
            lots: ranking.lots,
            withheld,
        }
    }
}

/// Whether `rule` selects the entrant `key` at `place` out of `n`;
/// `held` are the awards the entrant already has.
fn chosen(
    rule: &AwardRule,
    scores: Scores,
    n: usize,
    key: &str,
    place: usize,
    held: Option<&Vec<Given>>,
) -> bool {
    let share = |f: Decimal| {
        rule.rounding
            .unwrap_or(CountRounding::Down)
            .count(Decimal::from(n) * f)
    };
    let team = scores.by_key.get(key).map_or(1, |c| c.team_size.max(1));
    if let Some([a, b]) = rule.places {
        (a..=b).contains(&place)
    } else if let Some(t) = rule.top {
        place <= t
    } else if let Some(map) = &rule.top_by_team_size {
        map.get(&team.to_string()).is_some_and(|t| place <= *t)
    } else if let Some(f) = rule.top_fraction {
        place <= share(f.0)
    } else if let Some([a, b]) = rule.band {
        place > share(a.0) && place <= share(b.0)
    } else if let Some(min) = rule.min_score {
        scores.score(key, rule.on) >= min.0
    } else if let Some(codes) = &rule.holders {
        held.is_some_and(|h| h.iter().any(|g| codes.contains(&g.code)))
    } else {
        false
    }
}

/// The promotions an award brings to the members of an entrant; an entrant
/// without members is promoted under its key.
fn promotions_of(
    pr: &Promote,
    rule: &AwardRule,
    key: &str,
    members: Vec<Member>,
) -> Vec<Promotion> {
    let members = if members.is_empty() {
        vec![Member {
            name: key.to_string(),
            level: None,
        }]
    } else {
        members
    };
    members
        .into_iter()
        .map(|m| {
            let (to, note) = promote(pr, m.level);
            Promotion {
                member: m.name,
                award: rule.code.clone(),
                from: m.level,
                to,
                note,
            }
        })
        .collect()
}

/// One candidate for an award over several contests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub contest: String,
    pub key: String,
    /// The organisation it is the best of (e.g. its nation); `None` leaves
    /// it out of `best_of`.
    pub organisation: Option<String>,
    pub score: Decimal,
}

/// The winners of an award over several contests: for `best_of`, the
/// highest score of each organisation; for `top`, the highest overall.
/// Equal scores share the award.
pub fn across(kind: AcrossKind, candidates: &[Candidate]) -> Vec<Candidate> {
    let mut best: BTreeMap<Option<&str>, Decimal> = BTreeMap::new();
    for c in candidates {
        let group = match kind {
            AcrossKind::Top => None,
            AcrossKind::BestOf => match &c.organisation {
                Some(o) => Some(o.as_str()),
                None => continue,
            },
        };
        let e = best.entry(group).or_insert(c.score);
        if c.score > *e {
            *e = c.score;
        }
    }
    candidates
        .iter()
        .filter(|c| {
            let group = match kind {
                AcrossKind::Top => None,
                AcrossKind::BestOf => match &c.organisation {
                    Some(o) => Some(o.as_str()),
                    None => return false,
                },
            };
            best.get(&group) == Some(&c.score)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn policy(name: &str) -> CheckedPolicy {
        let text = match name {
            "worldskills" => include_str!("../../fixtures/policies/worldskills.toml"),
            "china-national" => include_str!("../../fixtures/policies/china-national.toml"),
            "workers-competition" => {
                include_str!("../../fixtures/policies/workers-competition.toml")
            }
            "prize-bands" => include_str!("../../fixtures/policies/prize-bands.toml"),
            "enterprise-drill" => include_str!("../../fixtures/policies/enterprise-drill.toml"),
            other => panic!("no policy {other}"),
        };
        read_policy(text).unwrap()
    }

    fn one(key: &str, total: &str, level: Option<SkillLevel>) -> Contestant {
        Contestant {
            entrant: Entrant {
                key: key.into(),
                group: None,
                total: d(total),
                measures: BTreeMap::new(),
            },
            team_size: 1,
            members: vec![Member {
                name: format!("{key}-member"),
                level,
            }],
        }
    }

    fn field(totals: &[&str]) -> Vec<Contestant> {
        totals
            .iter()
            .enumerate()
            .map(|(i, t)| one(&format!("{:02}", i + 1), t, None))
            .collect()
    }

    fn codes(s: &Standing) -> Vec<&str> {
        s.awards.iter().map(|g| g.code.as_str()).collect()
    }

    fn by_key<'a>(r: &'a Results, key: &str) -> &'a Standing {
        r.groups
            .iter()
            .flat_map(|g| &g.standings)
            .find(|s| s.key == key)
            .unwrap()
    }

    #[test]
    fn worldskills_medals_share_within_the_window_and_skip_places() {
        let r = evaluate(
            &policy("worldskills"),
            &field(&["95", "94.9", "90", "85", "80", "75", "70", "60"]),
            1,
        );
        // Median 82.5, MAD 9.95: 95 → 785, 94.9 → 784 (within 1 point:
        // both gold), 90 → 751 (place 3: bronze, no silver), 85 → 717.
        let s: Vec<(Decimal, Vec<&str>)> = r.groups[0]
            .standings
            .iter()
            .map(|s| (s.standardised, codes(s)))
            .collect();
        assert_eq!(s[0], (d("785"), vec!["gold"]));
        assert_eq!(s[1], (d("784"), vec!["gold"]));
        assert_eq!(s[2], (d("751"), vec!["bronze"]));
        // Both golds show 1st (no "2nd" beside no silver); the bronze 3rd.
        assert_eq!(places(&r), ["1=", "1=", "3", "4", "5", "6", "7", "8"]);
        assert_eq!(r.groups[0].standings[1].decided_by, None);
        assert_eq!(s[3], (d("717"), vec!["excellence"]));
        assert_eq!(s[4], (d("683"), vec![]));
        assert_eq!(s[7].0, d("547"));
        assert!(r.groups[0]
            .withheld
            .iter()
            .any(|w| w.award == "silver" && w.reason == "no entrant qualifies"));
    }

    fn places(r: &Results) -> Vec<String> {
        r.groups[0]
            .standings
            .iter()
            .map(|s| crate::engine::standings::place_label(s.place, s.shared))
            .collect()
    }

    #[test]
    fn medallists_within_the_window_share_the_published_place() {
        // Median 77.5, MAD 10: 84.8, 84.7 and 84.6 become 749, 749 and 748,
        // within 1 point of the first of them: all bronze, all 3rd, and
        // the next is 6th.
        let totals = [
            "99", "95", "84.8", "84.7", "84.6", "80", "75", "70", "65", "60", "55", "50",
        ];
        let r = evaluate(&policy("worldskills"), &field(&totals), 1);
        let g = &r.groups[0];
        let scale: Vec<Decimal> = g.standings.iter().map(|s| s.standardised).collect();
        assert_eq!(
            scale[..6],
            [d("845"), d("818"), d("749"), d("749"), d("748"), d("717")]
        );
        let medals: Vec<Vec<&str>> = g.standings[..6].iter().map(codes).collect();
        assert_eq!(
            medals,
            [
                vec!["gold"],
                vec!["silver"],
                vec!["bronze"],
                vec!["bronze"],
                vec!["bronze"],
                vec!["excellence"]
            ]
        );
        assert_eq!(
            places(&r)[..7],
            ["1", "2", "3=", "3=", "3=", "6", "7"].map(String::from)
        );
        assert_eq!(g.standings[2].decided_by.as_deref(), Some("total"));
        assert_eq!(g.standings[5].decided_by.as_deref(), Some("total"));
        // The same field under a policy with no window: places as ranked.
        let plain = read_policy(
            &include_str!("../../fixtures/policies/worldskills.toml")
                .replace("window = \"1\"\n", ""),
        )
        .unwrap();
        let r = evaluate(&plain, &field(&totals), 1);
        assert_eq!(
            places(&r)[..6],
            ["1", "2", "3", "4", "5", "6"].map(String::from)
        );
        assert_eq!(codes(&r.groups[0].standings[3]), ["excellence"]);
    }

    #[test]
    fn a_window_shares_only_the_places_of_an_award_in_force() {
        // Five entrants: bronze (6 or more) is withheld, so 751 and 750 at
        // 3rd and 4th do not share a place.
        let medal = |code: &str, place: usize, min: usize| {
            format!(
                "[[awards]]\ncode = \"{code}\"\nname_zh = \"{code}\"\nname_en = \"{code}\"\n\
                 class = \"medal\"\nplaces = [{place}, {place}]\nwindow = \"1\"\nmin_entrants = {min}\n"
            )
        };
        let text = format!(
            "name = \"w\"\nname_zh = \"w\"\nname_en = \"w\"\n{}{}{}",
            medal("gold", 1, 4),
            medal("silver", 2, 5),
            medal("bronze", 3, 6)
        );
        let p = read_policy(&text).unwrap();
        let r = evaluate(&p, &field(&["760", "755", "751", "750", "700"]), 1);
        assert_eq!(places(&r), ["1", "2", "3", "4", "5"]);
        let r = evaluate(&p, &field(&["760", "755", "751", "750", "700", "600"]), 1);
        assert_eq!(places(&r), ["1", "2", "3=", "3=", "5", "6"]);
        assert_eq!(codes(&r.groups[0].standings[3]), ["bronze"]);
    }

    #[test]
    fn a_zero_median_deviation_does_not_give_everyone_gold() {
        // Median 80 and MAD 0: the standard deviation (√40) is the spread.
        let r = evaluate(
            &policy("worldskills"),
            &field(&["90", "80", "80", "80", "70"]),
            1,
        );
        let g = &r.groups[0];
        let s: Vec<(Decimal, Vec<&str>)> = g
            .standings
            .iter()
            .map(|s| (s.standardised, codes(s)))
            .collect();
        assert_eq!(s[0], (d("858"), vec!["gold"]));
        assert_eq!(s[1], (d("700"), vec!["silver"]));
        assert_eq!(s[3], (d("700"), vec!["silver"]));
        assert_eq!(s[4], (d("542"), vec![]));
        assert_eq!(places(&r), ["1", "2=", "2=", "2=", "5"]);
        // Every total the same: everyone is at the centre and shares gold.
        let r = evaluate(&policy("worldskills"), &field(&["80"; 5]), 1);
        assert!(r.groups[0]
            .standings
            .iter()
            .all(|s| s.standardised == d("700") && codes(s) == ["gold"]));
        assert_eq!(places(&r), ["1="; 5]);
    }

    #[test]
    fn windows_must_agree_and_need_shared_places() {
        let ws = include_str!("../../fixtures/policies/worldskills.toml");
        let err = read_policy(&ws.replacen(
            "places = [2, 2]\nwindow = \"1\"",
            "places = [1, 2]\nwindow = \"2\"",
            1,
        ))
        .unwrap_err();
        assert_eq!(err.path, "awards[1].window");
        assert!(
            err.message.contains("other than that of award `gold`"),
            "{err}"
        );
        let err = read_policy(&ws.replace(
            "tie_break = [\"total\", \"shared\"]",
            "tie_break = [\"total\", \"lot\"]\nno_shared_places = true",
        ))
        .unwrap_err();
        assert_eq!(err.path, "awards[0].window");
        assert!(err.message.contains("no shared places"), "{err}");
    }

    #[test]
    fn worldskills_gives_fewer_medals_to_few_entrants() {
        let p = policy("worldskills");
        let medals = |totals: &[&str]| -> Vec<String> {
            let r = evaluate(&p, &field(totals), 1);
            r.groups[0]
                .standings
                .iter()
                .flat_map(|s| s.awards.iter().map(|g| g.code.clone()))
                .filter(|c| c != "excellence")
                .collect()
        };
        assert_eq!(
            medals(&["90", "80", "70", "60", "50", "40"]),
            ["gold", "silver", "bronze"]
        );
        assert_eq!(medals(&["90", "80", "70", "60", "50"]), ["gold", "silver"]);
        assert_eq!(medals(&["90", "80", "70", "60"]), ["gold"]);
        assert!(medals(&["90", "80", "70"]).is_empty());
        let r = evaluate(&p, &field(&["90", "80", "70"]), 1);
        let w = &r.groups[0].withheld[0];
        assert_eq!(w.award, "gold");
        assert_eq!(w.reason, "3 entrants; this award needs at least 4");
    }

    #[test]
    fn china_national_draws_lots_and_halves_an_odd_field() {
        use SkillLevel::*;
        // 11 entrants: the top half is 5 (5.5 rounded down). 03 and 04 tie
        // on total with no other measure: a lot decides bronze.
        let mut cs = field(&[
            "98", "96", "93", "93", "90", "88", "85", "80", "75", "70", "60",
        ]);
        cs[0].members[0].level = Some(Technician);
        cs[1].members[0].level = Some(Level3);
        cs[4].members[0].level = Some(SeniorTechnician);
        let p = policy("china-national");
        let r = evaluate(&p, &cs, 7);
        let g = &r.groups[0];
        let places: Vec<usize> = g.standings.iter().map(|s| s.place).collect();
        assert_eq!(places, (1..=11).collect::<Vec<_>>(), "no shared places");
        assert_eq!(g.lots.len(), 1);
        assert_eq!(g.lots[0].place, 3);
        assert_eq!(g.lots[0].drawn_from, ["03", "04"]);
        // The lot is replayed from the stored seed.
        assert_eq!(evaluate(&p, &cs, 7), r);
        let bronze = &g.standings[2];
        assert_eq!(bronze.decided_by.as_deref(), Some("total"));
        assert_eq!(codes(bronze), ["bronze", "title", "promotion", "squad"]);
        assert_eq!(g.standings[3].decided_by.as_deref(), Some("lot"));
        assert_eq!(
            codes(&g.standings[3]),
            ["winner", "title", "promotion", "squad"]
        );
        assert_eq!(
            codes(by_key(&r, "05")),
            ["winner", "title", "promotion", "squad"]
        );
        assert_eq!(codes(by_key(&r, "06")), Vec::<&str>::new());
        // Promotions start from each member's level.
        let promo = |k: &str| by_key(&r, k).promotions[0].clone();
        assert_eq!(promo("01").to, Some(SeniorTechnician));
        assert_eq!(promo("02").to, Some(Technician));
        assert_eq!(promo("05").to, None);
        assert_eq!(promo("05").note.as_deref(), Some("already holds 高级技师"));
        assert_eq!(
            promo("03").note.as_deref(),
            Some("current level not recorded")
        );
    }

    #[test]
    fn china_national_titles_depend_on_team_size() {
        let p = policy("china-national");
        let teams = |size: usize| {
            let mut cs = field(&["90", "85", "80", "75", "70", "65"]);
            for c in &mut cs {
                c.team_size = size;
                c.members = (0..size)
                    .map(|m| Member {
                        name: format!("{}-{m}", c.entrant.key),
                        level: Some(SkillLevel::Level3),
                    })
                    .collect();
            }
            let r = evaluate(&p, &cs, 1);
            let titled = r.groups[0]
                .standings
                .iter()
                .filter(|s| codes(s).contains(&"title"))
                .count();
            let squad = r.groups[0]
                .standings
                .iter()
                .filter(|s| codes(s).contains(&"squad"))
                .count();
            (titled, squad, r)
        };
        assert_eq!(teams(1).0, 5);
        assert_eq!(teams(2).0, 3);
        let (titled, squad, r) = teams(3);
        assert_eq!((titled, squad), (2, 3));
        // Every member of a promoted team is promoted.
        assert_eq!(by_key(&r, "01").promotions.len(), 3);
        assert!(by_key(&r, "01")
            .promotions
            .iter()
            .all(|p| p.to == Some(SkillLevel::Technician)));
    }

    #[test]
    fn workers_competition_counts_a_tie_at_fifth_in_the_top_five() {
        use SkillLevel::*;
        let mut totals: Vec<String> = ["95", "94", "93", "92", "90", "90"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        totals.extend((0..18).map(|i| format!("{}", 80 - i)));
        let refs: Vec<&str> = totals.iter().map(String::as_str).collect();
        let mut cs = field(&refs);
        cs[6].members[0].level = Some(Level3);
        cs[7].members[0].level = Some(Level4);
        let r = evaluate(&policy("workers-competition"), &cs, 1);
        let g = &r.groups[0];
        assert_eq!(g.standings[4].place, 5);
        assert_eq!(g.standings[5].place, 5);
        assert!(g.standings[5].shared);
        assert_eq!(codes(&g.standings[5]), ["title", "promote_technician"]);
        // Places 7 to 20 (the shared 5th takes place 6 away).
        assert_eq!(g.standings[6].place, 7);
        assert_eq!(codes(&g.standings[6]), ["promote_senior_worker"]);
        assert_eq!(g.standings[6].promotions[0].to, Some(Technician));
        assert_eq!(g.standings[7].promotions[0].to, Some(Level3));
        assert_eq!(g.standings[19].place, 20);
        assert_eq!(codes(&g.standings[19]), ["promote_senior_worker"]);
        assert!(codes(&g.standings[20]).is_empty());
    }

    #[test]
    fn workers_competition_checks_the_theory_practical_ratio() {
        let p = policy("workers-competition");
        let w =
            |t: &str, s: &str| BTreeMap::from([("T".to_string(), d(t)), ("S".to_string(), d(s))]);
        assert!(p.check_weights(&w("30", "70")).is_ok());
        assert!(p.check_weights(&w("3", "7")).is_ok());
        let err = p.check_weights(&w("40", "60")).unwrap_err();
        assert!(err.contains("S 7 : T 3"), "{err}");
        assert_eq!(
            err.in_lang(crate::i18n::Lang::Zh),
            "奖项方案按 S 7 : T 3 给模块定权重；评分方案的权重与此不符"
        );
        assert!(p.check_weights(&BTreeMap::new()).is_err());
        // A scheme is checked through its weighted modules.
        let scheme = |t: &str, s: &str| {
            let mut scheme = crate::engine::scheme::parse_scheme(include_str!(
                "../../fixtures/schemes/china-theory-practical.toml"
            ))
            .unwrap();
            for m in &mut scheme.modules {
                m.weight = Some(d(if m.code == "T" { t } else { s }));
            }
            scheme
        };
        assert!(p.check_scheme(&scheme("30", "70")).is_ok());
        assert!(p.check_scheme(&scheme("40", "60")).is_err());
    }

    #[test]
    fn prize_bands_round_each_boundary_half_up() {
        // 15 entrants: boundaries 1.5 → 2, 4.5 → 5, 9.
        let totals: Vec<String> = (0..15).map(|i| format!("{}", 90 - i)).collect();
        let refs: Vec<&str> = totals.iter().map(String::as_str).collect();
        let r = evaluate(&policy("prize-bands"), &field(&refs), 1);
        let count = |c: &str| {
            r.groups[0]
                .standings
                .iter()
                .filter(|s| codes(s).contains(&c))
                .count()
        };
        assert_eq!((count("first"), count("second"), count("third")), (2, 3, 4));
        // A tie across the first boundary: both share the first prize.
        let mut refs = refs.clone();
        refs[2] = "89";
        let r = evaluate(&policy("prize-bands"), &field(&refs), 1);
        let firsts: Vec<&str> = r.groups[0]
            .standings
            .iter()
            .filter(|s| codes(s).contains(&"first"))
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(firsts, ["01", "02", "03"]);
        assert_eq!(codes(&r.groups[0].standings[3]), ["second"]);
    }

    #[test]
    fn enterprise_drill_promotes_one_level_even_with_few_entrants() {
        use SkillLevel::*;
        let mut cs = field(&["80", "70"]);
        cs[0].members[0].level = Some(Level4);
        cs[1].members[0].level = Some(SeniorTechnician);
        let r = evaluate(&policy("enterprise-drill"), &cs, 1);
        assert_eq!(by_key(&r, "01").promotions[0].to, Some(Level3));
        assert_eq!(by_key(&r, "02").promotions[0].to, None);
        assert_eq!(
            by_key(&r, "02").promotions[0].note.as_deref(),
            Some("高级技师 is the highest level")
        );
    }

    #[test]
    fn groups_are_awarded_apart_when_the_policy_says_so() {
        let text = include_str!("../../fixtures/policies/enterprise-drill.toml").replace(
            "tie_break = [\"total\", \"time\", \"shared\"]",
            "tie_break = [\"total\", \"shared\"]\nper_group = true",
        );
        let p = read_policy(&text).unwrap();
        let mut cs = field(&["90", "85", "80", "75", "70"]);
        for (i, c) in cs.iter_mut().enumerate() {
            c.entrant.group = Some(if i % 2 == 0 { "employee" } else { "student" }.into());
        }
        let r = evaluate(&p, &cs, 1);
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[0].entrants, 3);
        assert_eq!(r.groups[1].entrants, 2);
        assert_eq!(r.groups[1].standings[0].key, "02");
        assert_eq!(r.groups[1].standings[0].place, 1);
    }

    #[test]
    fn best_of_and_top_overall_share_ties() {
        let c = |contest: &str, key: &str, org: Option<&str>, score: &str| Candidate {
            contest: contest.into(),
            key: key.into(),
            organisation: org.map(str::to_string),
            score: d(score),
        };
        let all = [
            c("welding", "1", Some("CN"), "720"),
            c("cnc", "7", Some("CN"), "735"),
            c("welding", "2", Some("KR"), "735"),
            c("cnc", "8", Some("KR"), "701"),
            c("cnc", "9", None, "760"),
        ];
        let best = across(AcrossKind::BestOf, &all);
        let keys: Vec<&str> = best.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["7", "2"]);
        let top = across(AcrossKind::Top, &all);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].key, "9");
        let tied = across(AcrossKind::Top, &all[..4]);
        assert_eq!(tied.len(), 2);
    }

    #[test]
    fn policy_errors_name_the_line_and_the_field() {
        let text = include_str!("../../fixtures/policies/prize-bands.toml");
        let bad = text.replacen("rounding = \"half_up\"\n", "", 2);
        let err = read_policy(&bad).unwrap_err();
        assert_eq!(err.path, "awards[0].rounding");
        let header = bad.lines().position(|l| l == "[[awards]]").unwrap() + 1;
        assert_eq!(err.line, header);
        assert!(err.message.contains("state how a share"), "{err}");

        let err =
            read_policy(&text.replace("band = [\"0.3\", \"0.6\"]", "band = [\"0.6\", \"0.3\"]"))
                .unwrap_err();
        assert_eq!(err.path, "awards[2].band");
        let err =
            read_policy(&text.replace("band = [\"0\", \"0.1\"]", "band = [0.0, 0.1]")).unwrap_err();
        assert!(err.line > 0 && err.message.contains("quoted"), "{err}");
        let err =
            read_policy(&text.replace("\"total\", \"time\", \"shared\"", "\"total\", \"time\""))
                .unwrap_err();
        assert_eq!(err.path, "tie_break");
        assert!(err.message.contains("must end"));
        let national = include_str!("../../fixtures/policies/china-national.toml");
        let err =
            read_policy(&national.replace("\"module:T\", \"lot\"", "\"module:T\", \"shared\""))
                .unwrap_err();
        assert_eq!(err.path, "tie_break");
        assert!(err.message.contains("no shared places"), "{err}");
        assert!(err.line > 0);
        let err = read_policy(&text.replace("code = \"second\"", "code = \"first\"")).unwrap_err();
        assert!(err.message.contains("used twice"));
        let err = read_policy(&text.replace(
            "class = \"prize\"\nband = [\"0\", \"0.1\"]",
            "class = \"prize\"\ntop = 3\nband = [\"0\", \"0.1\"]",
        ))
        .unwrap_err();
        assert!(err.message.contains("exactly one"), "{err}");
        let err = read_policy(&text.replace(
            "name_en = \"Prize bands\"",
            "name_en = \"Prize bands\"\ncolour = \"red\"",
        ))
        .unwrap_err();
        assert!(err.message.contains("colour"), "{err}");
    }
}
