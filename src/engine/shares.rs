//! Category shares: filling a number of places from a ranking while
//! honouring minimum and maximum shares of the places for categories of
//! people (frontline workers, a gender, a region, a job).
//!
//! # The rule
//!
//! A share rule names a category by one attribute and its value
//! (`frontline = "true"`), says whether it is a minimum or a maximum, and
//! gives either a fraction of the places with its rounding (`up`, `down`,
//! or `nearest` with halves up) or an absolute count. Over `N` places a
//! fraction `s` means `round(s × N)` places; a count means itself.
//!
//! The candidates are taken in the ranking's order: by place, and among
//! candidates sharing a place by key, as advancement does (a shared place
//! at the boundary gives no extra place: the first in that order takes it).
//! [`select_ordered`] keeps the caller's order instead.
//!
//! A list *satisfies* the shares when every minimum category has at least
//! its places in the list and every maximum category at most its places.
//! The list has as many people as a satisfying list can have, up to `N`
//! (fewer only when maximum shares leave too few candidates; the places
//! left are reported). Of two such lists the *better-ranked* is the one
//! that, walking down the ranking, includes the first candidate on which
//! the two disagree; equivalently, the list whose ranking positions, sorted,
//! are lexicographically smallest. The selection is the best-ranked list
//! that satisfies every share: the engine walks down the ranking and takes
//! each candidate unless taking them would leave no satisfying list.
//!
//! When no list satisfies every share, the shares that cannot be met
//! together are named (a smallest set of them, found by leaving out each
//! share in turn), and why.

use crate::engine::awards::{CountRounding, DecimalValue};
use crate::engine::scheme::{parse_document, SchemeError};
use crate::i18n::messages::Msg;
use crate::msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// At most this many share rules in one selection.
pub const MAX_RULES: usize = 32;

/// At most this many partial lists are examined for one question of
/// feasibility; beyond it the shares are reported as too many to decide.
pub const SEARCH_LIMIT: usize = 2_000_000;

/// A minimum or a maximum share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareKind {
    Min,
    Max,
}

/// How a fraction of the places becomes a whole number of places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareRounding {
    /// 30 % of 7 places (2.1) is 3.
    Up,
    /// 30 % of 7 places (2.1) is 2.
    Down,
    /// To the nearest, halves up: 30 % of 7 (2.1) is 2, 50 % of 5 (2.5) is 3.
    #[serde(alias = "half_up")]
    Nearest,
}

impl ShareRounding {
    /// `round(share × places)`.
    pub fn places(self, share: Decimal, places: usize) -> usize {
        let rounding = match self {
            ShareRounding::Up => CountRounding::Up,
            ShareRounding::Down => CountRounding::Down,
            ShareRounding::Nearest => CountRounding::HalfUp,
        };
        rounding.count(Decimal::from(places) * share)
    }

    fn say(self) -> Msg {
        Msg::new(match self {
            ShareRounding::Up => "share_rounded_up",
            ShareRounding::Down => "share_rounded_down",
            ShareRounding::Nearest => "share_rounded_nearest",
        })
    }
}

/// One share rule: a category, minimum or maximum, and how many places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareRule {
    /// The category: candidates whose `attribute` is `value`.
    pub attribute: String,
    pub value: String,
    pub kind: ShareKind,
    /// A fraction of the places (e.g. "0.3"), with `rounding`…
    pub share: Option<DecimalValue>,
    /// …or an absolute number of places.
    pub count: Option<usize>,
    pub rounding: Option<ShareRounding>,
    /// The category's name for people (一线职工, frontline workers).
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
}

impl ShareRule {
    /// Whether the candidate is of the category.
    pub fn applies_to(&self, c: &Candidate) -> bool {
        c.attributes.get(&self.attribute) == Some(&self.value)
    }

    /// The number of places the share means over `places` places.
    pub fn places(&self, places: usize) -> usize {
        match (self.count, self.share) {
            (Some(c), _) => c,
            (None, Some(s)) => self
                .rounding
                .unwrap_or(ShareRounding::Up)
                .places(s.0, places),
            (None, None) => 0,
        }
    }

    /// The category, by its name if it has one.
    pub fn category(&self) -> Msg {
        match (&self.name_zh, &self.name_en) {
            (None, None) => msg!(
                "share_category",
                attribute = self.attribute,
                value = self.value
            ),
            (zh, en) => {
                let zh = zh.as_deref().or(en.as_deref()).unwrap_or_default();
                let en = en.as_deref().or(Some(zh)).unwrap_or_default();
                Msg::new("share_category_named").names("name", zh, en)
            }
        }
    }

    /// The rule over `places` places, in words: "at least 30 % of the
    /// places (3 of 7, rounded up) for frontline workers".
    pub fn describe(&self, places: usize) -> Msg {
        let count = self.places(places);
        let m = match (self.kind, self.share, self.count) {
            (ShareKind::Min, Some(s), None) => msg!(
                "share_min_fraction",
                share = (s.0 * Decimal::ONE_HUNDRED).normalize(),
                count = count,
                places = places
            ),
            (ShareKind::Max, Some(s), None) => msg!(
                "share_max_fraction",
                share = (s.0 * Decimal::ONE_HUNDRED).normalize(),
                count = count,
                places = places
            ),
            (ShareKind::Min, _, _) => msg!("share_min_count", count = count, places = places),
            (ShareKind::Max, _, _) => msg!("share_max_count", count = count, places = places),
        };
        let m = match (self.share, self.count) {
            (Some(_), None) => m.part("rounding", self.rounding.unwrap_or(ShareRounding::Up).say()),
            _ => m,
        };
        m.part("category", self.category())
    }
}

/// Checks the share rules themselves, before any ranking.
pub fn check_rules(rules: &[ShareRule]) -> Result<(), ShareError> {
    if rules.len() > MAX_RULES {
        return Err(ShareError::Invalid {
            share: MAX_RULES,
            why: msg!("share_too_many_rules", max = MAX_RULES),
        });
    }
    for (k, r) in rules.iter().enumerate() {
        let invalid = |why: Msg| ShareError::Invalid { share: k, why };
        if r.attribute.trim().is_empty() || r.value.trim().is_empty() {
            return Err(invalid(Msg::new("share_no_category")));
        }
        match (r.share, r.count) {
            (Some(s), None) => {
                if s.0 <= Decimal::ZERO || s.0 > Decimal::ONE {
                    return Err(invalid(msg!("share_fraction_range", share = s.0)));
                }
                if r.rounding.is_none() {
                    return Err(invalid(Msg::new("share_rounding_required")));
                }
            }
            (None, Some(_)) => {
                if r.rounding.is_some() {
                    return Err(invalid(Msg::new("share_rounding_with_count")));
                }
            }
            _ => return Err(invalid(Msg::new("share_fraction_or_count"))),
        }
    }
    Ok(())
}

/// Reads the places and the share rules of a selection from TOML: `places
/// = N` and `[[shares]]` tables, as in an honours programme. Other keys and
/// tables are left to their own readers, so that a whole programme file can
/// be given. Errors name the line and the field.
pub fn read_selection(text: &str) -> Result<(usize, Vec<ShareRule>), SchemeError> {
    #[derive(Deserialize)]
    struct File {
        places: Option<usize>,
        #[serde(default)]
        shares: Vec<ShareRule>,
    }
    let file: File = parse_document(text)?;
    let at = |path: String, line: usize, message: Msg| SchemeError {
        line,
        column: usize::from(line > 0),
        path,
        message,
    };
    let places_line = text
        .lines()
        .position(|l| l.trim_start().starts_with("places"))
        .map_or(0, |n| n + 1);
    let places = match file.places {
        None => return Err(at("places".into(), 0, Msg::new("share_places_missing"))),
        Some(0) => {
            return Err(at(
                "places".into(),
                places_line,
                Msg::new("share_places_zero"),
            ))
        }
        Some(n) => n,
    };
    if let Err(e) = check_rules(&file.shares) {
        let k = match &e {
            ShareError::Invalid { share, .. } => *share,
            _ => 0,
        };
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[shares]]")
            .nth(k)
            .map_or(0, |(n, _)| n + 1);
        return Err(at(format!("shares[{k}]"), line, e.message()));
    }
    Ok((places, file.shares))
}

/// A ranked candidate and the attributes the shares look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub key: String,
    /// The place in the ranking, from 1; candidates may share a place.
    pub place: usize,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// What the selection says of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// In on rank.
    Selected,
    /// Moved in by a minimum share, in place of someone in on rank.
    SelectedByShare,
    /// In line for a place on rank, moved out so that a minimum share is met.
    DisplacedByShare,
    /// Next in line, but a maximum share's category is full.
    ExcludedByMax,
    NotSelected,
}

/// One candidate's line: the outcome, the share it names and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub key: String,
    pub place: usize,
    pub outcome: Outcome,
    /// The share rule (its index) that moved the candidate in or out.
    pub share: Option<usize>,
    /// Whom a share moved out for this candidate, or for whom this
    /// candidate was moved out.
    pub other: Option<String>,
    /// The order among the selected, from 1 (in ranking order).
    pub order: Option<usize>,
    pub why: Msg,
}

/// How many places a share means and how many the selection gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub share: usize,
    pub kind: ShareKind,
    pub places: usize,
    pub selected: usize,
    pub rule: Msg,
}

impl Tally {
    /// Whether the list meets the share.
    pub fn met(&self) -> bool {
        match self.kind {
            ShareKind::Min => self.selected >= self.places,
            ShareKind::Max => self.selected <= self.places,
        }
    }
}

/// How a list stands against the shares over `places` places: each share's
/// places and how many of the list are in its category (for a list that
/// changed after its selection, such as one an honour was withdrawn from).
pub fn tally(rules: &[ShareRule], places: usize, list: &[Candidate]) -> Vec<Tally> {
    rules
        .iter()
        .enumerate()
        .map(|(j, r)| Tally {
            share: j,
            kind: r.kind,
            places: r.places(places),
            selected: list.iter().filter(|c| r.applies_to(c)).count(),
            rule: r.describe(places),
        })
        .collect()
}

/// The selection: a line per candidate, in ranking order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    pub places: usize,
    pub filled: usize,
    pub decisions: Vec<Decision>,
    pub tallies: Vec<Tally>,
}

impl Selection {
    /// The selected, in ranking order.
    pub fn selected(&self) -> impl Iterator<Item = &Decision> {
        self.decisions
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::Selected | Outcome::SelectedByShare))
    }
}

/// Why the shares cannot be applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ShareError {
    /// A rule is not well formed.
    Invalid { share: usize, why: Msg },
    /// No list satisfies every share: these shares cannot be met together.
    Infeasible { shares: Vec<usize>, why: Msg },
    /// Too many combinations of shares to decide.
    TooComplex { why: Msg },
}

impl ShareError {
    pub fn message(&self) -> Msg {
        match self {
            ShareError::Invalid { share, why } => {
                msg!("share_rule_at", n = share + 1).part("why", why.clone())
            }
            ShareError::Infeasible { why, .. } | ShareError::TooComplex { why } => why.clone(),
        }
    }
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().english())
    }
}

impl std::error::Error for ShareError {}

/// Fills `places` places from the ranking in its order (by place, then by
/// key) while honouring every share. See the module's documentation.
pub fn select(
    candidates: &[Candidate],
    places: usize,
    rules: &[ShareRule],
) -> Result<Selection, ShareError> {
    let mut ordered = candidates.to_vec();
    ordered.sort_by(|a, b| a.place.cmp(&b.place).then(a.key.cmp(&b.key)));
    select_ordered(&ordered, places, rules)
}

/// As [`select`], over candidates already in the order to fill places in
/// (best first), such as an advancement group's eligible results.
pub fn select_ordered(
    ordered: &[Candidate],
    places: usize,
    rules: &[ShareRule],
) -> Result<Selection, ShareError> {
    check_rules(rules)?;
    let bounds = Bounds::of(rules, places, &vec![true; rules.len()]);
    let masks: Vec<u32> = ordered
        .iter()
        .map(|c| {
            rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.applies_to(c))
                .fold(0, |m, (j, _)| m | (1 << j))
        })
        .collect();
    let on_rank = places.min(ordered.len());
    let mut size = None;
    for m in (0..=on_rank).rev() {
        if feasible(&bounds, &vec![0; rules.len()], m, &pool(&masks, 0))? {
            size = Some(m);
            break;
        }
    }
    let Some(size) = size else {
        return Err(infeasible(ordered, places, rules, &masks));
    };
    let steps = walk(&bounds, &masks, size)?;
    // The list the maximum shares alone would give: who is in or out
    // because of a minimum share is read against it.
    let maxima = Bounds {
        lo: vec![0; rules.len()],
        hi: bounds.hi.clone(),
    };
    let mut base_size = 0;
    for m in (size..=on_rank).rev() {
        if feasible(&maxima, &vec![0; rules.len()], m, &pool(&masks, 0))? {
            base_size = m;
            break;
        }
    }
    let base = walk(&maxima, &masks, base_size)?;
    Ok(explain(ordered, places, rules, &masks, &steps, &base))
}

/// The number of places each rule allows: at least `lo[j]`, at most `hi[j]`.
struct Bounds {
    lo: Vec<usize>,
    hi: Vec<usize>,
}

impl Bounds {
    fn of(rules: &[ShareRule], places: usize, active: &[bool]) -> Bounds {
        let mut lo = vec![0; rules.len()];
        let mut hi = vec![usize::MAX; rules.len()];
        for (j, r) in rules.iter().enumerate().filter(|(j, _)| active[*j]) {
            match r.kind {
                ShareKind::Min => lo[j] = r.places(places),
                ShareKind::Max => hi[j] = r.places(places),
            }
        }
        Bounds { lo, hi }
    }
}

/// How many candidates of each kind (set of categories) are left from
/// position `from` on.
fn pool(masks: &[u32], from: usize) -> BTreeMap<u32, usize> {
    let mut p = BTreeMap::new();
    for m in masks.iter().skip(from) {
        *p.entry(*m).or_default() += 1;
    }
    p
}

/// Whether `remaining` more candidates can be taken from `pool`, given the
/// counts per rule so far, so that every rule holds.
fn feasible(
    bounds: &Bounds,
    counts: &[usize],
    remaining: usize,
    pool: &BTreeMap<u32, usize>,
) -> Result<bool, ShareError> {
    if counts.iter().zip(&bounds.hi).any(|(c, h)| c > h) {
        return Ok(false);
    }
    let kinds: Vec<(u32, usize)> = pool.iter().map(|(m, n)| (*m, *n)).collect();
    // After kind t: how many of each rule's category are left, and how many
    // candidates in all.
    let rules = counts.len();
    let mut left = vec![vec![0; rules]; kinds.len() + 1];
    let mut total = vec![0; kinds.len() + 1];
    for t in (0..kinds.len()).rev() {
        total[t] = total[t + 1] + kinds[t].1;
        let (mask, n) = kinds[t];
        left[t] = left[t + 1]
            .iter()
            .enumerate()
            .map(|(j, l)| l + if mask & (1 << j) != 0 { n } else { 0 })
            .collect();
    }
    let mut search = Search {
        bounds,
        kinds: &kinds,
        left: &left,
        total: &total,
        seen: HashMap::new(),
    };
    search.go(0, remaining, counts.to_vec())
}

struct Search<'a> {
    bounds: &'a Bounds,
    kinds: &'a [(u32, usize)],
    left: &'a [Vec<usize>],
    total: &'a [usize],
    seen: HashMap<(usize, usize, Vec<usize>), bool>,
}

impl Search<'_> {
    fn go(&mut self, t: usize, remaining: usize, counts: Vec<usize>) -> Result<bool, ShareError> {
        let b = self.bounds;
        if remaining == 0 {
            return Ok(counts.iter().zip(&b.lo).all(|(c, l)| c >= l));
        }
        if t == self.kinds.len() || self.total[t] < remaining {
            return Ok(false);
        }
        let left = &self.left[t];
        if (0..counts.len()).any(|j| b.lo[j].saturating_sub(counts[j]) > remaining.min(left[j])) {
            return Ok(false);
        }
        // Beyond its minimum a count matters only to a maximum.
        let key_counts: Vec<usize> = counts
            .iter()
            .enumerate()
            .map(|(j, c)| {
                if b.hi[j] == usize::MAX {
                    (*c).min(b.lo[j])
                } else {
                    *c
                }
            })
            .collect();
        let key = (t, remaining, key_counts);
        if let Some(known) = self.seen.get(&key) {
            return Ok(*known);
        }
        if self.seen.len() >= SEARCH_LIMIT {
            return Err(ShareError::TooComplex {
                why: msg!("share_too_complex", limit = SEARCH_LIMIT),
            });
        }
        let (mask, available) = self.kinds[t];
        let room = (0..counts.len())
            .filter(|j| mask & (1 << j) != 0)
            .map(|j| b.hi[j].saturating_sub(counts[j]))
            .min()
            .unwrap_or(usize::MAX);
        let most = available.min(remaining).min(room);
        let mut found = false;
        for x in (0..=most).rev() {
            let mut next = counts.clone();
            for (j, c) in next.iter_mut().enumerate() {
                if mask & (1 << j) != 0 {
                    *c += x;
                }
            }
            if self.go(t + 1, remaining - x, next)? {
                found = true;
                break;
            }
        }
        self.seen.insert(key, found);
        Ok(found)
    }
}

/// Why the walk did not take a candidate it came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// The category of this maximum share is full.
    Max(usize),
    /// Taking them would leave this minimum share unmet.
    Min(Option<usize>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Taken,
    Refused(Refused),
    NotReached,
}

/// Walks down the ranking taking each candidate unless no satisfying list
/// of `size` would then remain.
fn walk(bounds: &Bounds, masks: &[u32], size: usize) -> Result<Vec<Step>, ShareError> {
    let rules = bounds.lo.len();
    let mut counts = vec![0; rules];
    let mut taken = 0;
    let mut steps = vec![Step::NotReached; masks.len()];
    let mut left = pool(masks, 0);
    for (i, &mask) in masks.iter().enumerate() {
        if taken == size {
            break;
        }
        if let Some(n) = left.get_mut(&mask) {
            *n -= 1;
        }
        let mut with = counts.clone();
        for (j, c) in with.iter_mut().enumerate() {
            if mask & (1 << j) != 0 {
                *c += 1;
            }
        }
        if let Some(j) = (0..rules).find(|&j| with[j] > bounds.hi[j]) {
            steps[i] = Step::Refused(Refused::Max(j));
            continue;
        }
        if feasible(bounds, &with, size - taken - 1, &left)? {
            steps[i] = Step::Taken;
            counts = with;
            taken += 1;
            continue;
        }
        steps[i] = Step::Refused(blame(bounds, masks[i], &with, size - taken - 1, &left)?);
    }
    Ok(steps)
}

/// The share that keeps a candidate out when taking them would leave no
/// satisfying list: the first minimum share whose absence would let them
/// in, or else the first maximum share of their categories whose absence
/// would.
fn blame(
    bounds: &Bounds,
    mask: u32,
    with: &[usize],
    remaining: usize,
    left: &BTreeMap<u32, usize>,
) -> Result<Refused, ShareError> {
    let rules = bounds.lo.len();
    for j in (0..rules).filter(|&j| bounds.lo[j] > 0) {
        let mut lo = bounds.lo.clone();
        lo[j] = 0;
        let relaxed = Bounds {
            lo,
            hi: bounds.hi.clone(),
        };
        if feasible(&relaxed, with, remaining, left)? {
            return Ok(Refused::Min(Some(j)));
        }
    }
    for j in (0..rules).filter(|&j| bounds.hi[j] != usize::MAX && mask & (1 << j) != 0) {
        let mut hi = bounds.hi.clone();
        hi[j] = usize::MAX;
        let relaxed = Bounds {
            lo: bounds.lo.clone(),
            hi,
        };
        if feasible(&relaxed, with, remaining, left)? {
            return Ok(Refused::Max(j));
        }
    }
    Ok(Refused::Min((0..rules).find(|&j| bounds.lo[j] > 0)))
}

/// The reason of an infeasible set of shares: a smallest set of shares that
/// cannot be met together, found by leaving out each share in turn.
fn infeasible(
    ordered: &[Candidate],
    places: usize,
    rules: &[ShareRule],
    masks: &[u32],
) -> ShareError {
    match diagnose(ordered, places, rules, masks) {
        Ok(e) | Err(e) => e,
    }
}

fn diagnose(
    ordered: &[Candidate],
    places: usize,
    rules: &[ShareRule],
    masks: &[u32],
) -> Result<ShareError, ShareError> {
    let any = |active: &[bool]| -> Result<bool, ShareError> {
        let bounds = Bounds::of(rules, places, active);
        let zero = vec![0; rules.len()];
        let all = pool(masks, 0);
        for m in 0..=places.min(ordered.len()) {
            if feasible(&bounds, &zero, m, &all)? {
                return Ok(true);
            }
        }
        Ok(false)
    };
    let mut active = vec![true; rules.len()];
    for j in 0..rules.len() {
        active[j] = false;
        if any(&active)? {
            active[j] = true;
        }
    }
    let shares: Vec<usize> = (0..rules.len()).filter(|&j| active[j]).collect();
    let why = match shares.as_slice() {
        [j] => {
            let r = &rules[*j];
            let need = r.places(places);
            if need > places {
                msg!("share_more_than_places", places = places).part("share", r.describe(places))
            } else {
                let available = ordered.iter().filter(|c| r.applies_to(c)).count();
                msg!("share_too_few", available = available).part("share", r.describe(places))
            }
        }
        [a, b] => Msg::new("share_contradiction")
            .part("first", rules[*a].describe(places))
            .part("second", rules[*b].describe(places)),
        _ => Msg::new("share_contradiction_many").part(
            "shares",
            Msg::List(shares.iter().map(|j| rules[*j].describe(places)).collect()),
        ),
    };
    Ok(ShareError::Infeasible { shares, why })
}

/// A line per candidate from the walk.
fn explain(
    ordered: &[Candidate],
    places: usize,
    rules: &[ShareRule],
    masks: &[u32],
    steps: &[Step],
    base: &[Step],
) -> Selection {
    let on_rank = places.min(ordered.len());
    let lo: Vec<usize> = Bounds::of(rules, places, &vec![true; rules.len()]).lo;
    // How many of each minimum category the maximum shares alone would give.
    let in_base: Vec<usize> = (0..rules.len())
        .map(|j| {
            masks
                .iter()
                .zip(base)
                .filter(|(m, s)| **s == Step::Taken && *m & (1 << j) != 0)
                .count()
        })
        .collect();
    let mut decisions = Vec::with_capacity(ordered.len());
    let mut order = 0;
    for (i, c) in ordered.iter().enumerate() {
        let (outcome, share) = match steps[i] {
            Step::Taken if base[i] == Step::Taken => (Outcome::Selected, None),
            Step::Taken => {
                let mins = (0..rules.len())
                    .filter(|&j| rules[j].kind == ShareKind::Min && masks[i] & (1 << j) != 0);
                let by = mins
                    .clone()
                    .find(|&j| in_base[j] < lo[j])
                    .or_else(|| mins.clone().next());
                match by {
                    Some(j) => (Outcome::SelectedByShare, Some(j)),
                    None => (Outcome::Selected, None),
                }
            }
            Step::Refused(Refused::Max(j)) => (Outcome::ExcludedByMax, Some(j)),
            Step::Refused(Refused::Min(j)) if base[i] == Step::Taken => {
                (Outcome::DisplacedByShare, j)
            }
            Step::Refused(Refused::Min(_)) => (Outcome::NotSelected, None),
            Step::NotReached => (Outcome::NotSelected, None),
        };
        let selected = matches!(outcome, Outcome::Selected | Outcome::SelectedByShare);
        if selected {
            order += 1;
        }
        decisions.push(Decision {
            key: c.key.clone(),
            place: c.place,
            outcome,
            share,
            other: None,
            order: selected.then_some(order),
            why: Msg::Plain(String::new()),
        });
    }
    // The best-ranked moved in takes the place of the worst-ranked moved out.
    let moved_in: Vec<usize> = (0..decisions.len())
        .filter(|&i| decisions[i].outcome == Outcome::SelectedByShare)
        .collect();
    let moved_out: Vec<usize> = (0..decisions.len())
        .rev()
        .filter(|&i| decisions[i].outcome == Outcome::DisplacedByShare)
        .collect();
    for (&a, &b) in moved_in.iter().zip(&moved_out) {
        decisions[a].other = Some(decisions[b].key.clone());
        decisions[b].other = Some(decisions[a].key.clone());
    }
    let last_in = decisions
        .iter()
        .rev()
        .find(|d| d.order.is_some())
        .map(|d| (d.place, d.key.clone()));
    for (i, d) in decisions.iter_mut().enumerate() {
        let rule = |j: Option<usize>| match j {
            Some(j) => rules[j].describe(places),
            None => Msg::new("share_the_shares"),
        };
        d.why = match d.outcome {
            Outcome::Selected if i < on_rank => msg!("share_why_selected", place = d.place),
            Outcome::Selected => msg!("share_why_moved_up", place = d.place),
            Outcome::SelectedByShare => match &d.other {
                Some(o) => msg!("share_why_in_by_share", place = d.place, displaced = o)
                    .part("share", rule(d.share)),
                None => msg!("share_why_in_by_share_alone", place = d.place)
                    .part("share", rule(d.share)),
            },
            Outcome::DisplacedByShare => match &d.other {
                Some(o) => msg!("share_why_displaced", place = d.place, by = o)
                    .part("share", rule(d.share)),
                None => {
                    msg!("share_why_displaced_alone", place = d.place).part("share", rule(d.share))
                }
            },
            Outcome::ExcludedByMax => {
                msg!("share_why_excluded", place = d.place).part("share", rule(d.share))
            }
            Outcome::NotSelected => match &last_in {
                Some((place, key)) if *place == d.place => {
                    msg!("share_why_tied", place = d.place, with = key)
                }
                _ => msg!("share_why_not_selected", place = d.place, places = places),
            },
        };
    }
    let tallies = rules
        .iter()
        .enumerate()
        .map(|(j, r)| Tally {
            share: j,
            kind: r.kind,
            places: r.places(places),
            selected: masks
                .iter()
                .zip(steps)
                .filter(|(m, s)| **s == Step::Taken && *m & (1 << j) != 0)
                .count(),
            rule: r.describe(places),
        })
        .collect();
    Selection {
        places,
        filled: order,
        decisions,
        tallies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn cand(key: &str, place: usize, attrs: &[(&str, &str)]) -> Candidate {
        Candidate {
            key: key.into(),
            place,
            attributes: attrs
                .iter()
                .map(|(a, v)| (a.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn fraction(
        attr: &str,
        value: &str,
        kind: ShareKind,
        share: &str,
        r: ShareRounding,
    ) -> ShareRule {
        ShareRule {
            attribute: attr.into(),
            value: value.into(),
            kind,
            share: Some(DecimalValue(d(share))),
            count: None,
            rounding: Some(r),
            name_zh: None,
            name_en: None,
        }
    }

    fn count(attr: &str, value: &str, kind: ShareKind, n: usize) -> ShareRule {
        ShareRule {
            attribute: attr.into(),
            value: value.into(),
            kind,
            share: None,
            count: Some(n),
            rounding: None,
            name_zh: None,
            name_en: None,
        }
    }

    fn frontline(share: &str, r: ShareRounding) -> ShareRule {
        ShareRule {
            name_zh: Some("一线职工".into()),
            name_en: Some("frontline workers".into()),
            ..fraction("frontline", "true", ShareKind::Min, share, r)
        }
    }

    fn line<'a>(s: &'a Selection, key: &str) -> &'a Decision {
        s.decisions.iter().find(|x| x.key == key).unwrap()
    }

    fn chosen(s: &Selection) -> Vec<&str> {
        s.selected().map(|x| x.key.as_str()).collect()
    }

    /// Ten candidates c01…c10 on places 1…10: managers, frontline where said.
    fn ranking(frontline: &[usize]) -> Vec<Candidate> {
        (1..=10)
            .map(|i| {
                let f = if frontline.contains(&i) {
                    "true"
                } else {
                    "false"
                };
                let job = if frontline.contains(&i) {
                    "fitter"
                } else {
                    "manager"
                };
                cand(&format!("c{i:02}"), i, &[("frontline", f), ("job", job)])
            })
            .collect()
    }

    #[test]
    fn a_minimum_share_that_binds() {
        // 7 places, at least 30 % frontline rounded up: 2.1 → 3. Only c01 and
        // c03 are frontline among the first 7; c08 is the next.
        let r = [frontline("0.3", ShareRounding::Up)];
        let s = select(&ranking(&[1, 3, 8]), 7, &r).unwrap();
        assert_eq!(
            chosen(&s),
            ["c01", "c02", "c03", "c04", "c05", "c06", "c08"]
        );
        let seventh = line(&s, "c07");
        assert_eq!(seventh.outcome, Outcome::DisplacedByShare);
        assert_eq!(seventh.share, Some(0));
        assert_eq!(seventh.other.as_deref(), Some("c08"));
        assert_eq!(
            seventh.why.english(),
            "place 7: in line for a place, moved out by at least 30 % of the places (3 of 7, rounded up) for frontline workers for c08"
        );
        let eighth = line(&s, "c08");
        assert_eq!(eighth.outcome, Outcome::SelectedByShare);
        assert_eq!(eighth.other.as_deref(), Some("c07"));
        assert_eq!(eighth.order, Some(7));
        assert_eq!(
            eighth.why.english(),
            "place 8: moved in by at least 30 % of the places (3 of 7, rounded up) for frontline workers, in place of c07"
        );
        assert_eq!(
            eighth.why.in_lang(Lang::Zh),
            "第 8 名：因一线职工至少占名额的 30%（7 个名额中的 3 个，向上取整）而入选，替下 c07"
        );
        assert_eq!(line(&s, "c01").outcome, Outcome::Selected);
        assert_eq!(line(&s, "c01").why.english(), "place 1: in on rank");
        assert_eq!(line(&s, "c09").outcome, Outcome::NotSelected);
        assert_eq!(
            line(&s, "c09").why.english(),
            "place 9: outside the 7 places"
        );
        assert_eq!(s.tallies[0].places, 3);
        assert_eq!(s.tallies[0].selected, 3);
        assert_eq!(s.filled, 7);
        // Rounded down, 2 places are enough: the ranking stands.
        let r = [frontline("0.3", ShareRounding::Down)];
        let s = select(&ranking(&[1, 3, 8]), 7, &r).unwrap();
        assert_eq!(
            chosen(&s),
            ["c01", "c02", "c03", "c04", "c05", "c06", "c07"]
        );
        assert!(s
            .decisions
            .iter()
            .all(|x| matches!(x.outcome, Outcome::Selected | Outcome::NotSelected)));
    }

    #[test]
    fn shares_are_rounded_as_stated() {
        use ShareRounding::*;
        let cases = [
            ("0.3", 7, Up, 3),
            ("0.3", 7, Down, 2),
            ("0.3", 7, Nearest, 2),
            ("0.5", 5, Up, 3),
            ("0.5", 5, Down, 2),
            ("0.5", 5, Nearest, 3),
            ("0.25", 10, Nearest, 3),
            ("0.24", 10, Nearest, 2),
        ];
        for (share, places, rounding, want) in cases {
            assert_eq!(
                rounding.places(d(share), places),
                want,
                "{share} × {places} {rounding:?}"
            );
        }
        // 5 places, at least half women: c02 and c04 are women in the first 5, c06 next.
        let women: Vec<Candidate> = (1..=8)
            .map(|i| {
                let g = if [2, 4, 6, 7].contains(&i) {
                    "female"
                } else {
                    "male"
                };
                cand(&format!("w{i}"), i, &[("gender", g)])
            })
            .collect();
        for (rounding, want) in [
            (Up, vec!["w1", "w2", "w3", "w4", "w6"]),
            (Nearest, vec!["w1", "w2", "w3", "w4", "w6"]),
            (Down, vec!["w1", "w2", "w3", "w4", "w5"]),
        ] {
            let r = [fraction(
                "gender",
                "female",
                ShareKind::Min,
                "0.5",
                rounding,
            )];
            let s = select(&women, 5, &r).unwrap();
            assert_eq!(chosen(&s), want, "{rounding:?}");
        }
        let r = fraction("gender", "female", ShareKind::Min, "0.5", Nearest);
        assert_eq!(
            r.describe(5).english(),
            "at least 50 % of the places (3 of 5, rounded to the nearest, halves up) for gender = female"
        );
        // A maximum rounded down: at most 30 % of 7 is 2.
        let r = fraction("gender", "female", ShareKind::Max, "0.3", Down);
        let s = select(&women, 7, &[r]).unwrap();
        assert_eq!(chosen(&s), ["w1", "w2", "w3", "w4", "w5", "w8"]);
        assert_eq!(s.filled, 6);
        assert_eq!(line(&s, "w6").outcome, Outcome::ExcludedByMax);
        assert_eq!(
            line(&s, "w6").why.english(),
            "place 6: kept out by at most 30 % of the places (2 of 7, rounded down) for gender = female"
        );
    }

    #[test]
    fn two_shares_at_once() {
        let people = [
            ("c01", "NB", "false"),
            ("c02", "NB", "false"),
            ("c03", "NB", "true"),
            ("c04", "HZ", "false"),
            ("c05", "HZ", "true"),
            ("c06", "WZ", "false"),
            ("c07", "HZ", "false"),
            ("c08", "WZ", "false"),
            ("c09", "HZ", "true"),
            ("c10", "WZ", "true"),
        ];
        let ranking: Vec<Candidate> = people
            .iter()
            .enumerate()
            .map(|(i, (k, region, f))| cand(k, i + 1, &[("region", region), ("frontline", f)]))
            .collect();
        let rules = [
            frontline("0.3", ShareRounding::Up),
            count("region", "NB", ShareKind::Max, 2),
        ];
        let s = select(&ranking, 7, &rules).unwrap();
        // NB is full after c01 and c02, so c03 (frontline, NB) is kept out;
        // the 3 frontline places then need c05, c09 and c10, which moves out
        // c07 and c08.
        assert_eq!(
            chosen(&s),
            ["c01", "c02", "c04", "c05", "c06", "c09", "c10"]
        );
        assert_eq!(line(&s, "c03").outcome, Outcome::ExcludedByMax);
        assert_eq!(line(&s, "c03").share, Some(1));
        for (k, other) in [("c09", "c08"), ("c10", "c07")] {
            assert_eq!(line(&s, k).outcome, Outcome::SelectedByShare, "{k}");
            assert_eq!(line(&s, k).share, Some(0));
            assert_eq!(line(&s, k).other.as_deref(), Some(other));
            assert_eq!(
                line(&s, other).outcome,
                Outcome::DisplacedByShare,
                "{other}"
            );
            assert_eq!(line(&s, other).other.as_deref(), Some(k));
        }
        assert_eq!(line(&s, "c06").outcome, Outcome::Selected);
        assert_eq!(
            s.tallies
                .iter()
                .map(|t| (t.places, t.selected))
                .collect::<Vec<_>>(),
            [(3, 3), (2, 2)]
        );
        // Without the maximum, c03 stays and one swap is enough.
        let s = select(&ranking, 7, &rules[..1]).unwrap();
        assert_eq!(
            chosen(&s),
            ["c01", "c02", "c03", "c04", "c05", "c06", "c09"]
        );
        assert_eq!(line(&s, "c07").other.as_deref(), Some("c09"));
        // c08 was never in line for a place: the ranking alone leaves it out.
        assert_eq!(line(&s, "c08").outcome, Outcome::NotSelected);
        assert_eq!(
            line(&s, "c08").why.english(),
            "place 8: outside the 7 places"
        );
    }

    #[test]
    fn infeasible_shares_are_named_with_the_reason() {
        // At least 3 frontline of 7, but only 2 frontline candidates; the
        // maximum for NB has nothing to do with it and is not named.
        let rules = [
            count("region", "NB", ShareKind::Max, 5),
            frontline("0.3", ShareRounding::Up),
        ];
        let err = select(&ranking(&[2, 9]), 10, &rules).unwrap_err();
        let ShareError::Infeasible { shares, why } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(shares, &[1]);
        assert_eq!(
            why.english(),
            "at least 30 % of the places (3 of 10, rounded up) for frontline workers, but only 2 of the candidates are in that category"
        );
        assert_eq!(
            why.in_lang(Lang::Zh),
            "一线职工至少占名额的 30%（10 个名额中的 3 个，向上取整），但候选人中只有 2 人属于该类别"
        );
        // A minimum and a maximum that contradict each other: the frontline
        // workers are all from NB, which may have 2 places at most.
        let mut people = ranking(&[1, 2, 3]);
        for (i, c) in people.iter_mut().enumerate() {
            let region = if i < 3 { "NB" } else { "HZ" };
            c.attributes.insert("region".into(), region.into());
        }
        let rules = [
            frontline("0.3", ShareRounding::Up),
            count("job", "manager", ShareKind::Min, 1),
            count("region", "NB", ShareKind::Max, 2),
        ];
        let err = select(&people, 7, &rules).unwrap_err();
        let ShareError::Infeasible { shares, why } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(shares, &[0, 2]);
        assert_eq!(
            err.to_string(),
            "at least 30 % of the places (3 of 7, rounded up) for frontline workers, and at most 2 of the 7 places for region = NB: the two cannot both be met with these candidates"
        );
        assert!(why
            .in_lang(Lang::Zh)
            .contains("二者在这些候选人中无法同时满足"));
        // More places than there are.
        let err = select(&people, 2, &[count("job", "manager", ShareKind::Min, 3)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at least 3 of the 2 places for job = manager: more than the 2 places"
        );
    }

    #[test]
    fn a_shared_place_at_the_boundary_goes_by_key() {
        let people = [
            cand("a", 1, &[]),
            cand("b", 2, &[]),
            cand("d", 3, &[]),
            cand("c", 3, &[]),
            cand("e", 5, &[]),
        ];
        let s = select(&people, 3, &[]).unwrap();
        assert_eq!(chosen(&s), ["a", "b", "c"]);
        assert_eq!(line(&s, "d").outcome, Outcome::NotSelected);
        assert_eq!(
            line(&s, "d").why.english(),
            "place 3: shared with c, who comes first in the ranking's order (shared places by key)"
        );
        assert_eq!(line(&s, "e").why.english(), "place 5: outside the 3 places");
        // The caller's own order is kept by select_ordered (e.g. a pooled
        // advancement ranking ordered by score).
        let s = select_ordered(&people, 3, &[]).unwrap();
        assert_eq!(chosen(&s), ["a", "b", "d"]);
    }

    #[test]
    fn rules_are_checked() {
        let mut r = frontline("0.3", ShareRounding::Up);
        r.rounding = None;
        let err = select(&ranking(&[1]), 5, &[r.clone()]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("share rule 1: a share states its `rounding`"),
            "{err}"
        );
        r.rounding = Some(ShareRounding::Up);
        r.share = Some(DecimalValue(d("1.5")));
        assert!(check_rules(&[r.clone()])
            .unwrap_err()
            .to_string()
            .contains("at most 1"));
        r.count = Some(2);
        assert!(check_rules(&[r.clone()])
            .unwrap_err()
            .to_string()
            .contains("not both"));
        let mut c = count("job", "manager", ShareKind::Max, 2);
        c.rounding = Some(ShareRounding::Down);
        let err = check_rules(&[frontline("0.3", ShareRounding::Up), c]).unwrap_err();
        assert!(err.to_string().starts_with("share rule 2:"), "{err}");
        // Rules read from TOML, `nearest` or `half_up`.
        #[derive(Deserialize)]
        struct File {
            shares: Vec<ShareRule>,
        }
        let f: File = toml::from_str(
            "[[shares]]\nattribute = \"frontline\"\nvalue = \"true\"\nkind = \"min\"\nshare = \"0.3\"\nrounding = \"nearest\"\n[[shares]]\nattribute = \"region\"\nvalue = \"NB\"\nkind = \"max\"\nshare = \"0.5\"\nrounding = \"half_up\"\n",
        )
        .unwrap();
        assert_eq!(f.shares[0].rounding, Some(ShareRounding::Nearest));
        assert_eq!(f.shares[1].rounding, Some(ShareRounding::Nearest));
        assert_eq!(f.shares[0].share, Some(DecimalValue(d("0.3"))));
    }

    #[test]
    fn a_selection_file_is_read_and_other_keys_are_left_alone() {
        let text = "name_zh = \"浙江工匠\"\ntier = \"provincial\"\nplaces = 7\n[nomination]\nopens = \"2026-03-01\"\n[[shares]]\nattribute = \"frontline\"\nvalue = \"true\"\nkind = \"min\"\nshare = \"0.3\"\nrounding = \"up\"\n[[eligibility]]\nmax_age = 60\n";
        let (places, rules) = read_selection(text).unwrap();
        assert_eq!(places, 7);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].places(places), 3);
        // No places, no shares: places are required, shares are not.
        let err = read_selection(
            "[[shares]]\nattribute = \"a\"\nvalue = \"b\"\nkind = \"min\"\ncount = 1\n",
        )
        .unwrap_err();
        assert_eq!(err.path, "places");
        assert_eq!(
            err.message.english(),
            "the number of places is missing: places = N"
        );
        assert_eq!(read_selection("places = 3\n").unwrap(), (3, Vec::new()));
        let err = read_selection("places = 0\n").unwrap_err();
        assert_eq!((err.line, err.path.as_str()), (1, "places"));
        assert!(err.message.in_lang(Lang::Zh).contains("名额数须至少为 1"));
        // A bad rule: its line and its number.
        let err = read_selection("places = 5\n[[shares]]\nattribute = \"a\"\nvalue = \"b\"\nkind = \"min\"\ncount = 1\n\n[[shares]]\nattribute = \"c\"\nvalue = \"d\"\nkind = \"max\"\nshare = \"0.5\"\n").unwrap_err();
        assert_eq!((err.line, err.path.as_str()), (8, "shares[1]"));
        assert_eq!(
            err.to_string(),
            "line 8, column 1 (shares[1]): share rule 2: a share states its `rounding`: up, down or nearest (halves up)"
        );
        // A field a share does not have, or a kind that is not one: the
        // parser's line.
        let err = read_selection("places = 5\n[[shares]]\nattribute = \"a\"\nvalue = \"b\"\nkind = \"least\"\ncount = 1\n").unwrap_err();
        assert_eq!(
            (err.line, err.path.as_str()),
            (5, "shares[0].kind"),
            "{err}"
        );
        let err = read_selection("places = 5\n[[shares]]\nattribute = \"a\"\nvalue = \"b\"\nkind = \"min\"\ncount = 1\nrate = 2\n").unwrap_err();
        assert!(err.to_string().contains("rate"), "{err}");
    }

    #[test]
    fn a_large_selection_is_decided() {
        // 400 candidates, 80 places, four shares that bind: a fixed
        // pseudo-random ranking (no clock, no global randomness).
        let mut x: u64 = 20261204;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let people: Vec<Candidate> = (0..400)
            .map(|i| {
                let f = if next(10) < 2 { "true" } else { "false" };
                let g = if next(10) < 3 { "female" } else { "male" };
                let r = ["NB", "HZ", "WZ", "JX"][next(4) as usize];
                cand(
                    &format!("p{i:03}"),
                    i + 1,
                    &[("frontline", f), ("gender", g), ("region", r)],
                )
            })
            .collect();
        let rules = [
            frontline("0.4", ShareRounding::Up),
            fraction(
                "gender",
                "female",
                ShareKind::Min,
                "0.35",
                ShareRounding::Nearest,
            ),
            fraction("region", "NB", ShareKind::Max, "0.2", ShareRounding::Down),
            count("region", "HZ", ShareKind::Max, 15),
        ];
        let s = select(&people, 80, &rules).unwrap();
        assert_eq!(s.filled, 80);
        let got: Vec<usize> = (0..people.len())
            .filter(|&i| s.decisions[i].order.is_some())
            .collect();
        assert!(satisfies(&got, &people, &rules, 80));
        for t in &s.tallies {
            match t.kind {
                ShareKind::Min => assert!(t.selected >= t.places),
                ShareKind::Max => assert!(t.selected <= t.places),
            }
        }
        assert!(s
            .decisions
            .iter()
            .any(|d| d.outcome == Outcome::SelectedByShare));
        assert!(s
            .decisions
            .iter()
            .any(|d| d.outcome == Outcome::ExcludedByMax));
    }

    /// Whether a list (positions in ranking order) satisfies every rule.
    fn satisfies(list: &[usize], people: &[Candidate], rules: &[ShareRule], places: usize) -> bool {
        rules.iter().all(|r| {
            let n = list.iter().filter(|&&i| r.applies_to(&people[i])).count();
            match r.kind {
                ShareKind::Min => n >= r.places(places),
                ShareKind::Max => n <= r.places(places),
            }
        })
    }

    /// The best list by brute force: the longest satisfying list up to
    /// `places`, and of those the lexicographically smallest positions.
    fn best(people: &[Candidate], rules: &[ShareRule], places: usize) -> Option<Vec<usize>> {
        let mut best: Option<Vec<usize>> = None;
        for set in 0u32..(1 << people.len()) {
            if set.count_ones() as usize > places {
                continue;
            }
            let list: Vec<usize> = (0..people.len()).filter(|i| set & (1 << i) != 0).collect();
            if !satisfies(&list, people, rules, places) {
                continue;
            }
            best = match best {
                Some(b) if b.len() > list.len() || (b.len() == list.len() && b <= list) => Some(b),
                _ => Some(list),
            };
        }
        best
    }

    const ATTRIBUTES: [(&str, &[&str]); 3] = [
        ("frontline", &["true", "false"]),
        ("region", &["NB", "HZ", "WZ"]),
        ("gender", &["female", "male"]),
    ];

    fn people_strategy() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec((any::<bool>(), 0usize..2, 0usize..3, 0usize..2), 1..=9).prop_map(
            |rows| {
                let mut place = 0;
                rows.iter()
                    .enumerate()
                    .map(|(i, (tie, f, r, g))| {
                        if i == 0 || !tie {
                            place = i + 1;
                        }
                        cand(
                            &format!("k{i}"),
                            place,
                            &[
                                ("frontline", ATTRIBUTES[0].1[*f]),
                                ("region", ATTRIBUTES[1].1[*r]),
                                ("gender", ATTRIBUTES[2].1[*g]),
                            ],
                        )
                    })
                    .collect()
            },
        )
    }

    fn rule_strategy() -> impl Strategy<Value = ShareRule> {
        (
            0usize..3,
            0usize..3,
            any::<bool>(),
            prop::option::of(1u32..=9),
            0usize..5,
            0usize..3,
        )
            .prop_map(|(a, v, min, tenths, n, rounding)| {
                let (attr, values) = ATTRIBUTES[a];
                let value = values[v % values.len()];
                let kind = if min { ShareKind::Min } else { ShareKind::Max };
                match tenths {
                    Some(t) => fraction(
                        attr,
                        value,
                        kind,
                        &format!("0.{t}"),
                        [
                            ShareRounding::Up,
                            ShareRounding::Down,
                            ShareRounding::Nearest,
                        ][rounding],
                    ),
                    None => count(attr, value, kind, n),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]
        #[test]
        fn the_selection_is_the_best_ranked_list_that_satisfies_every_share(
            people in people_strategy(),
            places in 1usize..=6,
            rules in prop::collection::vec(rule_strategy(), 0..=3),
        ) {
            // Keys k0…k8 on non-decreasing places: the ranking's order is
            // the order generated.
            let expected = best(&people, &rules, places);
            match (select(&people, places, &rules), expected) {
                (Ok(s), Some(want)) => {
                    let got: Vec<usize> = s
                        .decisions
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| x.order.is_some())
                        .map(|(i, _)| i)
                        .collect();
                    prop_assert!(satisfies(&got, &people, &rules, places));
                    prop_assert_eq!(&got, &want);
                    prop_assert_eq!(s.filled, want.len());
                    for (i, x) in s.decisions.iter().enumerate() {
                        prop_assert_eq!(&x.key, &people[i].key);
                        match x.outcome {
                            Outcome::SelectedByShare => {
                                let j = x.share.unwrap();
                                prop_assert_eq!(rules[j].kind, ShareKind::Min);
                                prop_assert!(rules[j].applies_to(&people[i]));
                            }
                            Outcome::DisplacedByShare => {
                                if let Some(j) = x.share {
                                    prop_assert_eq!(rules[j].kind, ShareKind::Min);
                                }
                            }
                            Outcome::ExcludedByMax => {
                                let j = x.share.unwrap();
                                prop_assert_eq!(rules[j].kind, ShareKind::Max);
                                prop_assert!(rules[j].applies_to(&people[i]));
                            }
                            Outcome::Selected | Outcome::NotSelected => {
                                prop_assert!(x.share.is_none());
                            }
                        }
                        prop_assert!(!x.why.is_plain());
                    }
                }
                (Err(ShareError::Infeasible { shares, .. }), None) => {
                    // The shares named cannot be met together, and each is needed.
                    let named: Vec<ShareRule> = shares.iter().map(|j| rules[*j].clone()).collect();
                    prop_assert!(best(&people, &named, places).is_none());
                    for k in 0..named.len() {
                        let mut fewer = named.clone();
                        fewer.remove(k);
                        prop_assert!(best(&people, &fewer, places).is_some());
                    }
                }
                (got, want) => prop_assert!(false, "{:?} against {:?}", got, want),
            }
        }
    }

    #[test]
    fn a_list_is_tallied_against_the_shares() {
        let rule = ShareRule {
            attribute: "frontline".into(),
            value: "true".into(),
            kind: ShareKind::Min,
            share: Some(DecimalValue(Decimal::new(5, 1))),
            count: None,
            rounding: Some(ShareRounding::Up),
            name_zh: None,
            name_en: None,
        };
        let c = |key: &str, frontline: &str| Candidate {
            key: key.into(),
            place: 1,
            attributes: [("frontline".to_string(), frontline.to_string())].into(),
        };
        let t = tally(
            std::slice::from_ref(&rule),
            3,
            &[c("a", "true"), c("b", "true"), c("c", "false")],
        );
        assert_eq!((t[0].places, t[0].selected, t[0].met()), (2, 2, true));
        let t = tally(&[rule], 3, &[c("b", "true"), c("c", "false")]);
        assert_eq!((t[0].places, t[0].selected, t[0].met()), (2, 1, false));
    }
}
