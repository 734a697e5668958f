//! Scoring: from the marks recorded for an entry to aspect marks,
//! sub-criterion, criterion and module sums, module contributions and the
//! total; kept up to date one mark at a time and always equal to a full
//! recompute.
//!
//! Every aspect mark is rounded by the scheme's `aspect_rounding` and every
//! module contribution by its `module_rounding`, so all sums are sums of
//! decimals with a bounded number of places: exact, and independent of the
//! order in which marks arrive. Pure: no I/O.

use crate::engine::scheme::{
    aspect_mark, judgement_spread_exceeded, kind_name, module_contribution, Aspect, AspectInput,
    AspectKind, FactorSpec, Scheme,
};
use crate::i18n::messages::Msg;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::Hash;

/// Where one aspect sits in its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub module: usize,
    pub criterion: usize,
    pub sub: usize,
}

/// A checked scheme, flattened for scoring: aspects, sub-criteria and
/// criteria numbered across the whole scheme, in scheme order.
#[derive(Debug, Clone)]
pub struct Layout {
    pub scheme: Scheme,
    places: Vec<Place>,
    aspects: Vec<Aspect>,
    /// (code, module) of every criterion.
    criteria: Vec<(String, usize)>,
    /// (code, criterion) of every sub-criterion.
    subs: Vec<(String, usize)>,
    index: HashMap<String, usize>,
}

impl Layout {
    /// Flattens a scheme after checking it; the errors are those of
    /// [`crate::engine::scheme::check_scheme`].
    pub fn new(scheme: Scheme) -> Result<Layout, Vec<crate::i18n::messages::Msg>> {
        crate::engine::scheme::check_scheme(&scheme)?;
        let mut places = Vec::new();
        let mut aspects = Vec::new();
        let mut criteria = Vec::new();
        let mut subs = Vec::new();
        let mut index = HashMap::new();
        for (mi, m) in scheme.modules.iter().enumerate() {
            for c in &m.criteria {
                let ci = criteria.len();
                criteria.push((c.code.clone(), mi));
                for s in &c.sub_criteria {
                    let si = subs.len();
                    subs.push((s.code.clone(), ci));
                    for a in &s.aspects {
                        index.insert(a.code.clone(), aspects.len());
                        aspects.push(a.clone());
                        places.push(Place {
                            module: mi,
                            criterion: ci,
                            sub: si,
                        });
                    }
                }
            }
        }
        Ok(Layout {
            scheme,
            places,
            aspects,
            criteria,
            subs,
            index,
        })
    }

    pub fn aspect_count(&self) -> usize {
        self.aspects.len()
    }

    pub fn aspect(&self, i: usize) -> &Aspect {
        &self.aspects[i]
    }

    pub fn place(&self, i: usize) -> &Place {
        &self.places[i]
    }

    /// The number of an aspect by its code.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// The number of a module by its code.
    pub fn module_index(&self, code: &str) -> Option<usize> {
        self.scheme.modules.iter().position(|m| m.code == code)
    }

    /// The aspects of a module, by number.
    pub fn aspects_of_module(&self, module: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.aspects.len()).filter(move |&i| self.places[i].module == module)
    }

    pub fn criterion_codes(&self) -> impl Iterator<Item = &str> {
        self.criteria.iter().map(|(c, _)| c.as_str())
    }

    pub fn sub_criterion_codes(&self) -> impl Iterator<Item = &str> {
        self.subs.iter().map(|(c, _)| c.as_str())
    }

    /// Whether a panel covering `covers` (codes of modules, criteria,
    /// sub-criteria or aspects) marks aspect `i`.
    pub fn covers(&self, covers: &[String], i: usize) -> bool {
        let p = &self.places[i];
        let codes = [
            self.scheme.modules[p.module].code.as_str(),
            self.criteria[p.criterion].0.as_str(),
            self.subs[p.sub].0.as_str(),
            self.aspects[i].code.as_str(),
        ];
        covers.iter().any(|c| codes.contains(&c.as_str()))
    }

    /// Whether `code` names a module, criterion, sub-criterion or aspect.
    pub fn knows(&self, code: &str) -> bool {
        self.index.contains_key(code)
            || self.module_index(code).is_some()
            || self.criteria.iter().any(|(c, _)| c == code)
            || self.subs.iter().any(|(c, _)| c == code)
    }

    /// Whether an aspect's mark comes from each judge of a panel (judgement
    /// and score) rather than from one recorded value (measurement).
    pub fn is_judged(&self, i: usize) -> bool {
        matches!(
            self.aspects[i].kind,
            AspectKind::Judgement { .. } | AspectKind::Score { .. }
        )
    }
}

/// What a recorded mark stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// One judge's level (judgement) or mark (score), by the judge's key.
    Judge(String),
    /// The recorded value of a measurement aspect: 1 or 0 (binary), the
    /// measured value (bands), the number of errors (deduction).
    Value,
    /// The factor an entry declared for the aspect (degree of difficulty).
    Factor,
    /// The chief judge's level overruling a judgement panel.
    Overrule,
    /// A trainee judge's (见习裁判) own mark or value, by the trainee's key:
    /// recorded and shown, never counted in any score.
    Trainee(String),
}

impl Slot {
    /// The slot as stored and written in files: `judge:KEY`, `value`,
    /// `factor`, `overrule`, `trainee:KEY`.
    pub fn encode(&self) -> String {
        match self {
            Slot::Judge(k) => format!("judge:{k}"),
            Slot::Value => "value".into(),
            Slot::Factor => "factor".into(),
            Slot::Overrule => "overrule".into(),
            Slot::Trainee(k) => format!("trainee:{k}"),
        }
    }

    /// Whether a mark in the slot counts in scores: every slot but a
    /// trainee's. [`Recorded::set`] keeps nothing else.
    pub fn counts(&self) -> bool {
        !matches!(self, Slot::Trainee(_))
    }

    /// Whether the stored slot text names a trainee's slot; text that is
    /// not a slot is not.
    pub fn is_trainee_text(s: &str) -> bool {
        matches!(Slot::decode(s), Ok(Slot::Trainee(_)))
    }

    pub fn decode(s: &str) -> Result<Slot, String> {
        match s {
            "value" => Ok(Slot::Value),
            "factor" => Ok(Slot::Factor),
            "overrule" => Ok(Slot::Overrule),
            _ => match (s.strip_prefix("judge:"), s.strip_prefix("trainee:")) {
                (Some(k), _) if !k.is_empty() => Ok(Slot::Judge(k.to_string())),
                (_, Some(k)) if !k.is_empty() => Ok(Slot::Trainee(k.to_string())),
                _ => Err(format!(
                    "`{s}` is not a slot (judge:KEY, value, factor, overrule or trainee:KEY)"
                )),
            },
        }
    }
}

/// Checks that `value` may be recorded in `slot` of aspect `i`: the slot fits
/// the aspect's kind and the value its range and step. The error names the
/// rule that was broken.
pub fn check_mark(layout: &Layout, i: usize, slot: &Slot, value: Decimal) -> Result<(), String> {
    if let Slot::Trainee(k) = slot {
        // A trainee's mark keeps the rules of the judge's mark or the
        // value it shadows.
        let shadowed = if layout.is_judged(i) {
            Slot::Judge(k.clone())
        } else {
            Slot::Value
        };
        return check_mark(layout, i, &shadowed, value);
    }
    let a = layout.aspect(i);
    let code = &a.code;
    let whole = value.fract().is_zero();
    match (&a.kind, slot) {
        (AspectKind::Binary, Slot::Value) => {
            if value == Decimal::ZERO || value == Decimal::ONE {
                Ok(())
            } else {
                Err(format!(
                    "aspect {code} is binary: record 1 (achieved) or 0, not {value}"
                ))
            }
        }
        (AspectKind::Bands { .. }, Slot::Value) => Ok(()),
        (AspectKind::Deduction { .. }, Slot::Value) => {
            if whole && value >= Decimal::ZERO && value <= Decimal::from(u32::MAX) {
                Ok(())
            } else {
                Err(format!(
                    "aspect {code} counts errors: {value} is not a whole number of at least 0"
                ))
            }
        }
        (AspectKind::Judgement { scale_top, .. }, Slot::Judge(_)) => {
            if whole && value >= Decimal::ZERO && value <= Decimal::from(*scale_top) {
                Ok(())
            } else {
                Err(format!(
                    "aspect {code}: level {value} is not a whole number in 0..={scale_top}"
                ))
            }
        }
        (AspectKind::Judgement { scale_top, .. }, Slot::Overrule) => {
            if value >= Decimal::ZERO && value <= Decimal::from(*scale_top) {
                Ok(())
            } else {
                Err(format!(
                    "aspect {code}: the overruling level {value} is not in 0..={scale_top}"
                ))
            }
        }
        (
            AspectKind::Score {
                min,
                max_mark,
                step,
                ..
            },
            Slot::Judge(_),
        ) => {
            let on_step = !step.is_zero()
                && value
                    .checked_sub(*min)
                    .and_then(|d| d.checked_rem(*step))
                    .is_some_and(|r| r.is_zero());
            if value >= *min && value <= *max_mark && on_step {
                Ok(())
            } else {
                Err(format!(
                    "aspect {code}: mark {value} is not in {min}..={max_mark} by steps of {step}"
                ))
            }
        }
        (
            AspectKind::Score {
                factor: Some(spec @ FactorSpec::PerEntry { .. }),
                ..
            },
            Slot::Factor,
        ) => spec
            .for_entry(Some(value))
            .map(|_| ())
            .map_err(|e| format!("aspect {code}: {e}")),
        (kind, slot) => Err(format!(
            "aspect {code}: a {} aspect takes {}, not {}",
            kind_name(kind),
            slots_of(kind),
            slot_name(slot)
        )),
    }
}

fn slots_of(kind: &AspectKind) -> &'static str {
    match kind {
        AspectKind::Binary | AspectKind::Bands { .. } | AspectKind::Deduction { .. } => {
            "one recorded value"
        }
        AspectKind::Judgement { .. } => "a level from each judge (or the chief judge's overrule)",
        AspectKind::Score {
            factor: Some(FactorSpec::PerEntry { .. }),
            ..
        } => "a mark from each judge and the entry's declared factor",
        AspectKind::Score { .. } => "a mark from each judge",
    }
}

fn slot_name(slot: &Slot) -> &'static str {
    match slot {
        Slot::Judge(_) => "a judge's mark",
        Slot::Value => "a recorded value",
        Slot::Factor => "a declared factor",
        Slot::Overrule => "an overruling level",
        Slot::Trainee(_) => "a trainee judge's mark",
    }
}

/// The current marks of one aspect of one entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Each judge's current mark, by judge key.
    pub judges: BTreeMap<String, Decimal>,
    pub value: Option<Decimal>,
    pub factor: Option<Decimal>,
    pub overrule: Option<Decimal>,
}

impl Recorded {
    /// Records `value` in `slot`, replacing what was there. A trainee's
    /// mark is not kept: it never counts in a score, a spread, a judge
    /// count or a missing mark, whoever loads it.
    pub fn set(&mut self, slot: &Slot, value: Decimal) {
        match slot {
            Slot::Judge(k) => {
                self.judges.insert(k.clone(), value);
            }
            Slot::Value => self.value = Some(value),
            Slot::Factor => self.factor = Some(value),
            Slot::Overrule => self.overrule = Some(value),
            Slot::Trainee(_) => {}
        }
    }

    fn has_marks(&self) -> bool {
        !self.judges.is_empty() || self.value.is_some() || self.overrule.is_some()
    }
}

/// What an aspect of an entry currently earns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing recorded yet.
    Unmarked,
    /// Marks are recorded but cannot give a mark yet (too few judges, no
    /// declared factor, …); the reason says what is missing.
    Waiting { reason: String },
    /// The aspect's mark. `flagged`: the judges' levels are further apart
    /// than allowed and the chief judge has not overruled them; the aspect
    /// cannot be locked.
    Marked { mark: Decimal, flagged: bool },
}

impl Outcome {
    pub fn mark(&self) -> Option<Decimal> {
        match self {
            Outcome::Marked { mark, .. } => Some(*mark),
            _ => None,
        }
    }

    pub fn is_flagged(&self) -> bool {
        matches!(self, Outcome::Marked { flagged: true, .. })
    }
}

/// The outcome of aspect `i` given what is recorded for it.
pub fn outcome(layout: &Layout, i: usize, rec: &Recorded) -> Outcome {
    if !rec.has_marks() {
        return Outcome::Unmarked;
    }
    let a = layout.aspect(i);
    let waiting = |reason: String| Outcome::Waiting { reason };
    let seats = || rec.judges.values().map(|v| Some(*v)).collect::<Vec<_>>();
    let (input, flagged) = match &a.kind {
        AspectKind::Binary | AspectKind::Bands { .. } | AspectKind::Deduction { .. } => {
            let Some(v) = rec.value else {
                return waiting(format!("aspect {}: no value recorded", a.code));
            };
            let input = match a.kind {
                AspectKind::Binary => AspectInput::Binary(v == Decimal::ONE),
                AspectKind::Bands { .. } => AspectInput::Measured(v),
                _ => match v.fract().is_zero().then(|| v.to_u32()).flatten() {
                    Some(n) => AspectInput::Errors(n),
                    None => {
                        return waiting(format!("aspect {}: {v} is not a number of errors", a.code))
                    }
                },
            };
            (input, false)
        }
        AspectKind::Judgement { scale_top, .. } => {
            if let Some(level) = rec.overrule {
                // The chief judge's level replaces the panel's.
                let mark = a
                    .max
                    .checked_mul(level)
                    .and_then(|p| p.checked_div(Decimal::from(*scale_top)));
                return match mark {
                    Some(m) => Outcome::Marked {
                        mark: layout.scheme.aspect_rounding.apply(m).normalize(),
                        flagged: false,
                    },
                    None => waiting(format!("aspect {}: the mark overflows", a.code)),
                };
            }
            let levels = seats();
            let flagged = judgement_spread_exceeded(a, &levels);
            (AspectInput::Levels(levels), flagged)
        }
        AspectKind::Score { .. } => (
            AspectInput::Marks {
                seats: seats(),
                factor: rec.factor,
            },
            false,
        ),
    };
    match aspect_mark(a, &input) {
        Ok(m) => Outcome::Marked {
            mark: layout.scheme.aspect_rounding.apply(m).normalize(),
            flagged,
        },
        Err(reason) => waiting(reason),
    }
}

/// Arithmetic beyond the decimal range; only absurd schemes get here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow;

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a score exceeds the decimal range")
    }
}

impl std::error::Error for Overflow {}

/// The score of one entry at every level of the scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryScore {
    pub aspects: Vec<Outcome>,
    pub subs: Vec<Decimal>,
    pub criteria: Vec<Decimal>,
    /// Raw module marks (sum of the module's aspect marks).
    pub modules: Vec<Decimal>,
    /// What each module contributes to the total, rounded by the scheme's
    /// `module_rounding`.
    pub contributions: Vec<Decimal>,
    pub total: Decimal,
    /// How many aspects have a mark, and how many of those are flagged.
    pub marked: usize,
    pub flagged: usize,
}

impl EntryScore {
    /// An entry with nothing marked.
    pub fn empty(layout: &Layout) -> EntryScore {
        let modules = layout.scheme.modules.len();
        EntryScore {
            aspects: vec![Outcome::Unmarked; layout.aspect_count()],
            subs: vec![Decimal::ZERO; layout.subs.len()],
            criteria: vec![Decimal::ZERO; layout.criteria.len()],
            modules: vec![Decimal::ZERO; modules],
            contributions: vec![Decimal::ZERO; modules],
            total: Decimal::ZERO,
            marked: 0,
            flagged: 0,
        }
    }

    /// A full computation from every aspect's outcome.
    pub fn compute(layout: &Layout, outcomes: Vec<Outcome>) -> Result<EntryScore, Overflow> {
        let mut s = EntryScore::empty(layout);
        for (i, o) in outcomes.iter().enumerate() {
            let Some(m) = o.mark() else { continue };
            let p = layout.place(i);
            add(&mut s.subs[p.sub], m)?;
            add(&mut s.criteria[p.criterion], m)?;
            add(&mut s.modules[p.module], m)?;
            s.marked += 1;
            s.flagged += usize::from(o.is_flagged());
        }
        for mi in 0..s.modules.len() {
            s.contributions[mi] = contribution(layout, mi, s.modules[mi])?;
            add(&mut s.total, s.contributions[mi])?;
        }
        s.aspects = outcomes;
        Ok(s)
    }

    /// Replaces aspect `i`'s outcome and updates every sum above it by the
    /// difference: the work of one mark, whatever the size of the scheme.
    pub fn update(&mut self, layout: &Layout, i: usize, new: Outcome) -> Result<(), Overflow> {
        let old = std::mem::replace(&mut self.aspects[i], new);
        let new = &self.aspects[i];
        let (was, now) = (old.mark(), new.mark());
        self.marked = self.marked + usize::from(now.is_some()) - usize::from(was.is_some());
        self.flagged = self.flagged + usize::from(new.is_flagged()) - usize::from(old.is_flagged());
        if was == now {
            return Ok(());
        }
        let delta = now
            .unwrap_or(Decimal::ZERO)
            .checked_sub(was.unwrap_or(Decimal::ZERO))
            .ok_or(Overflow)?;
        let p = layout.place(i);
        add(&mut self.subs[p.sub], delta)?;
        add(&mut self.criteria[p.criterion], delta)?;
        add(&mut self.modules[p.module], delta)?;
        let before = self.contributions[p.module];
        let after = contribution(layout, p.module, self.modules[p.module])?;
        self.contributions[p.module] = after;
        add(&mut self.total, after.checked_sub(before).ok_or(Overflow)?)
    }

    /// Every aspect has a mark.
    pub fn is_complete(&self) -> bool {
        self.marked == self.aspects.len()
    }
}

/// Adds exactly; results carry no trailing zeros, so equal values print alike.
fn add(to: &mut Decimal, d: Decimal) -> Result<(), Overflow> {
    *to = to.checked_add(d).ok_or(Overflow)?.normalize();
    Ok(())
}

fn contribution(layout: &Layout, module: usize, raw: Decimal) -> Result<Decimal, Overflow> {
    let m = &layout.scheme.modules[module];
    module_contribution(&layout.scheme, m, raw)
        .map(|c| layout.scheme.module_rounding.apply(c).normalize())
        .ok_or(Overflow)
}

/// Why a module of an entry cannot be locked yet, if it cannot.
pub fn lock_blockers(layout: &Layout, score: &EntryScore, module: usize) -> Vec<Msg> {
    let mut out = Vec::new();
    for i in layout.aspects_of_module(module) {
        let code = &layout.aspect(i).code;
        match &score.aspects[i] {
            Outcome::Unmarked => out.push(crate::msg!("lock_aspect_unmarked", aspect = code)),
            Outcome::Waiting { reason } => out.push(Msg::from(reason)),
            Outcome::Marked { flagged: true, .. } => {
                out.push(crate::msg!("lock_aspect_flagged", aspect = code))
            }
            Outcome::Marked { .. } => {}
        }
    }
    out
}

/// One recorded mark, as read from a file or the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkRow<K> {
    pub entry: K,
    pub aspect: usize,
    pub slot: Slot,
    pub value: Decimal,
}

/// The marks and scores of every entry of a contest, updated one mark at a
/// time, with the entries ranked by total.
#[derive(Debug, Clone)]
pub struct Scoreboard<K: Ord + Clone + Hash> {
    pub layout: Layout,
    entries: HashMap<K, (Vec<Recorded>, EntryScore)>,
    ranking: BTreeSet<(Reverse<Decimal>, K)>,
}

impl<K: Ord + Clone + Hash + Send + Sync> Scoreboard<K> {
    pub fn new(layout: Layout) -> Scoreboard<K> {
        Scoreboard {
            layout,
            entries: HashMap::new(),
            ranking: BTreeSet::new(),
        }
    }

    /// Scores every entry from its marks at once (later marks of a slot
    /// replace earlier ones).
    pub fn recompute(
        layout: Layout,
        marks: impl IntoIterator<Item = MarkRow<K>>,
    ) -> Result<Scoreboard<K>, Overflow> {
        let n = layout.aspect_count();
        let mut recorded: HashMap<K, Vec<Recorded>> = HashMap::new();
        for m in marks {
            let rec = recorded
                .entry(m.entry)
                .or_insert_with(|| vec![Recorded::default(); n]);
            if let Some(r) = rec.get_mut(m.aspect) {
                r.set(&m.slot, m.value);
            }
        }
        // Entries are independent: they are scored on every available core.
        let mut board = Scoreboard::new(layout);
        let all: Vec<(K, Vec<Recorded>)> = recorded.into_iter().collect();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = all.len().div_ceil(workers).max(1);
        let layout = &board.layout;
        let scored: Vec<Result<EntryScore, Overflow>> = std::thread::scope(|scope| {
            let handles: Vec<_> = all
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(_, rec)| {
                                let outcomes =
                                    (0..n).map(|i| outcome(layout, i, &rec[i])).collect();
                                EntryScore::compute(layout, outcomes)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for ((entry, rec), score) in all.into_iter().zip(scored) {
            let score = score?;
            board.ranking.insert((Reverse(score.total), entry.clone()));
            board.entries.insert(entry, (rec, score));
        }
        Ok(board)
    }

    /// Adds an entry with nothing marked (so that it is ranked).
    pub fn add_entry(&mut self, entry: K) {
        if !self.entries.contains_key(&entry) {
            let n = self.layout.aspect_count();
            self.ranking.insert((Reverse(Decimal::ZERO), entry.clone()));
            self.entries.insert(
                entry,
                (
                    vec![Recorded::default(); n],
                    EntryScore::empty(&self.layout),
                ),
            );
        }
    }

    /// Records one mark: recomputes its aspect, updates the entry's sums by
    /// the difference and moves the entry in the ranking.
    pub fn apply(&mut self, mark: MarkRow<K>) -> Result<(), Overflow> {
        if mark.aspect >= self.layout.aspect_count() {
            return Ok(());
        }
        self.add_entry(mark.entry.clone());
        let Some((rec, score)) = self.entries.get_mut(&mark.entry) else {
            return Ok(());
        };
        let before = score.total;
        rec[mark.aspect].set(&mark.slot, mark.value);
        let o = outcome(&self.layout, mark.aspect, &rec[mark.aspect]);
        score.update(&self.layout, mark.aspect, o)?;
        if score.total != before {
            let after = score.total;
            self.ranking.remove(&(Reverse(before), mark.entry.clone()));
            self.ranking.insert((Reverse(after), mark.entry));
        }
        Ok(())
    }

    pub fn score(&self, entry: &K) -> Option<&EntryScore> {
        self.entries.get(entry).map(|(_, s)| s)
    }

    pub fn entries(&self) -> impl Iterator<Item = (&K, &EntryScore)> {
        self.entries.iter().map(|(k, (_, s))| (k, s))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries by total, highest first, with places shared on equal totals
    /// (1, 2, 2, 4). Ties are broken further by the standings of a contest.
    pub fn ranking(&self) -> Vec<(usize, &K, Decimal)> {
        let mut out = Vec::with_capacity(self.ranking.len());
        let mut place = 0;
        let mut last: Option<Decimal> = None;
        for (i, (Reverse(total), k)) in self.ranking.iter().enumerate() {
            if last != Some(*total) {
                place = i + 1;
                last = Some(*total);
            }
            out.push((place, k, *total));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::panel::{Factor, PanelRule, PanelSpec, Rounding};
    use crate::engine::scheme::{parse_scheme, Band, Criterion, Module, SubCriterion};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    const WS: &str = include_str!("../../fixtures/schemes/worldskills-practical.toml");
    const CN: &str = include_str!("../../fixtures/schemes/china-theory-practical.toml");

    fn layout(text: &str) -> Layout {
        Layout::new(parse_scheme(text).expect("parses")).expect("checks")
    }

    fn judge(k: &str) -> Slot {
        Slot::Judge(k.to_string())
    }

    #[test]
    fn slots_round_trip_and_refuse_nonsense() {
        for s in [
            judge("17"),
            Slot::Value,
            Slot::Factor,
            Slot::Overrule,
            Slot::Trainee("18".into()),
        ] {
            assert_eq!(Slot::decode(&s.encode()), Ok(s));
        }
        assert_eq!(Slot::Trainee("18".into()).encode(), "trainee:18");
        assert!(Slot::is_trainee_text("trainee:18"));
        assert!(!Slot::is_trainee_text("judge:18"));
        assert!(Slot::decode("judge:").is_err());
        assert!(Slot::decode("trainee:").is_err());
        assert!(Slot::decode("seat").is_err());
    }

    #[test]
    fn marks_are_checked_against_kind_range_and_step() {
        let l = layout(WS);
        let a11 = l.find("A1.1").expect("A1.1");
        let a12 = l.find("A1.2").expect("A1.2");
        let a13 = l.find("A1.3").expect("A1.3");
        assert!(check_mark(&l, a11, &Slot::Value, d("1")).is_ok());
        let e = check_mark(&l, a11, &Slot::Value, d("0.5")).expect_err("binary");
        assert!(e.contains("binary"), "{e}");
        assert!(check_mark(&l, a11, &judge("1"), d("1")).is_err());
        assert!(check_mark(&l, a12, &Slot::Value, d("2")).is_ok());
        assert!(check_mark(&l, a12, &Slot::Value, d("1.5")).is_err());
        assert!(check_mark(&l, a12, &Slot::Value, d("-1")).is_err());
        assert!(check_mark(&l, a13, &judge("1"), d("3")).is_ok());
        let e = check_mark(&l, a13, &judge("1"), d("4")).expect_err("level");
        assert!(e.contains("0..=3"), "{e}");
        assert!(check_mark(&l, a13, &judge("1"), d("2.5")).is_err());
        assert!(check_mark(&l, a13, &Slot::Overrule, d("2.5")).is_ok());
        assert!(check_mark(&l, a13, &Slot::Value, d("2")).is_err());
        assert!(check_mark(&l, a13, &Slot::Factor, d("2")).is_err());
    }

    #[test]
    fn trainee_slots_never_count() {
        let l = layout(WS);
        let a13 = l.find("A1.3").expect("A1.3");
        let a11 = l.find("A1.1").expect("A1.1");
        let trainee = Slot::Trainee("9".into());
        // Checked like the judge's mark or the value they shadow.
        assert!(check_mark(&l, a13, &trainee, d("3")).is_ok());
        assert!(check_mark(&l, a13, &trainee, d("4")).is_err());
        assert!(check_mark(&l, a11, &trainee, d("1")).is_ok());
        assert!(check_mark(&l, a11, &trainee, d("0.5")).is_err());
        assert!(!trainee.counts() && judge("9").counts() && Slot::Value.counts());
        // Alone, a trainee's mark leaves the aspect unmarked.
        let mut alone = Recorded::default();
        alone.set(&trainee, d("3"));
        assert_eq!(alone, Recorded::default());
        assert_eq!(outcome(&l, a13, &alone), Outcome::Unmarked);
        // Beside the panel it changes neither the mean, nor the spread,
        // nor the number of judges.
        let mut panel = Recorded::default();
        for (k, v) in [("1", "2"), ("2", "2"), ("3", "3")] {
            panel.set(&judge(k), d(v));
        }
        let mut with = panel.clone();
        with.set(&trainee, d("0"));
        assert_eq!(with, panel);
        assert_eq!(outcome(&l, a13, &with), outcome(&l, a13, &panel));
        assert!(!outcome(&l, a13, &with).is_flagged());
        // A full recompute and a mark-by-mark board agree, with or without.
        let row = |entry: u32, aspect: usize, slot: Slot, v: &str| MarkRow {
            entry,
            aspect,
            slot,
            value: d(v),
        };
        let counted = vec![
            row(1, a13, judge("1"), "2"),
            row(1, a13, judge("2"), "2"),
            row(1, a13, judge("3"), "3"),
            row(1, a11, Slot::Value, "1"),
        ];
        let mut all = counted.clone();
        all.push(row(1, a13, trainee.clone(), "0"));
        all.push(row(1, a11, trainee.clone(), "0"));
        let plain = Scoreboard::recompute(l.clone(), counted).expect("scores");
        let mixed = Scoreboard::recompute(l.clone(), all.clone()).expect("scores");
        assert_eq!(plain.score(&1), mixed.score(&1));
        let mut board: Scoreboard<u32> = Scoreboard::new(l.clone());
        for m in all {
            board.apply(m).expect("applies");
        }
        assert_eq!(board.score(&1), plain.score(&1));
        // A trainee's mark alone never makes an entry's score.
        let lone =
            Scoreboard::recompute(l.clone(), vec![row(2, a11, trainee, "1")]).expect("scores");
        assert_eq!(lone.score(&2), Some(&EntryScore::empty(&l)));
    }

    #[test]
    fn judgement_spread_flags_until_overruled() {
        let l = layout(WS);
        let a13 = l.find("A1.3").expect("A1.3");
        let mut r = Recorded::default();
        r.set(&judge("1"), d("0"));
        r.set(&judge("2"), d("2"));
        assert!(matches!(outcome(&l, a13, &r), Outcome::Waiting { .. }));
        r.set(&judge("3"), d("2"));
        // max 6 × mean(0, 2, 2) / 3 = 2.6666… → 2.6667 at 4 places.
        assert_eq!(
            outcome(&l, a13, &r),
            Outcome::Marked {
                mark: d("2.6667"),
                flagged: true
            }
        );
        r.set(&Slot::Overrule, d("2"));
        assert_eq!(
            outcome(&l, a13, &r),
            Outcome::Marked {
                mark: d("4"),
                flagged: false
            }
        );
    }

    #[test]
    fn weighted_modules_and_lock_blockers() {
        let l = layout(CN);
        assert!(l.scheme.modules.iter().all(|m| m.weight.is_some()));
        let mut board: Scoreboard<u32> = Scoreboard::new(l.clone());
        board.add_entry(1);
        let theory = l.module_index(&l.scheme.modules[0].code).expect("module");
        let before = lock_blockers(&l, board.score(&1).expect("entry"), theory);
        assert_eq!(before.len(), l.aspects_of_module(theory).count());
        for i in l.aspects_of_module(theory) {
            let (slot, value) = match &l.aspect(i).kind {
                AspectKind::Binary => (Slot::Value, d("1")),
                AspectKind::Deduction { .. } => (Slot::Value, d("0")),
                AspectKind::Bands { bands } => (Slot::Value, bands[0].from),
                AspectKind::Score { max_mark, .. } => (judge("1"), *max_mark),
                AspectKind::Judgement { .. } => panic!("theory has no judgement aspects"),
            };
            board
                .apply(MarkRow {
                    entry: 1,
                    aspect: i,
                    slot,
                    value,
                })
                .expect("applies");
        }
        let s = board.score(&1).expect("entry");
        assert!(lock_blockers(&l, s, theory).is_empty());
        // Full marks in the theory module contribute exactly its weight.
        let weight = l.scheme.modules[theory].weight.expect("weight");
        assert_eq!(
            s.contributions[theory],
            weight * l.scheme.total / Decimal::ONE_HUNDRED
        );
        assert_eq!(s.total, s.contributions.iter().copied().sum::<Decimal>());
    }

    #[test]
    fn ranking_shares_places_on_equal_totals() {
        let l = layout(WS);
        let a11 = l.find("A1.1").expect("A1.1");
        let b = |e: u32, v: &str| MarkRow {
            entry: e,
            aspect: a11,
            slot: Slot::Value,
            value: d(v),
        };
        let board =
            Scoreboard::recompute(l, [b(1, "1"), b(2, "0"), b(3, "1"), b(2, "1"), b(4, "0")])
                .expect("scores");
        let places: Vec<(usize, u32)> = board.ranking().iter().map(|(p, k, _)| (*p, **k)).collect();
        assert_eq!(places, [(1, 1), (1, 2), (1, 3), (4, 4)]);
    }

    // ---- property: incremental == full recompute -------------------------

    fn panel(rule: PanelRule, min_marks: usize) -> PanelSpec {
        PanelSpec {
            rule,
            rounding: None,
            min_marks,
        }
    }

    /// An aspect of one of eight shapes, numbered `n`.
    fn make_aspect(shape: u8, n: usize) -> Aspect {
        let (max, kind) = match shape % 8 {
            0 => (d("2"), AspectKind::Binary),
            1 => (d("3"), AspectKind::Deduction { step: d("0.5") }),
            2 => (
                d("4"),
                AspectKind::Bands {
                    bands: vec![
                        Band {
                            from: d("0"),
                            to: d("1"),
                            mark: d("4"),
                        },
                        Band {
                            from: d("1.01"),
                            to: d("2"),
                            mark: d("1.5"),
                        },
                    ],
                },
            ),
            3 => (
                d("5"),
                AspectKind::Judgement {
                    scale_top: 3,
                    allowed_spread: d("1"),
                    panel: panel(PanelRule::Mean, 2),
                },
            ),
            4 => (
                d("7"),
                AspectKind::Judgement {
                    scale_top: 3,
                    allowed_spread: d("1"),
                    panel: panel(PanelRule::Median, 1),
                },
            ),
            5 => (
                d("10"),
                AspectKind::Score {
                    min: d("0"),
                    max_mark: d("10"),
                    step: d("0.25"),
                    panel: PanelSpec {
                        rule: PanelRule::TrimmedMean { drop: 1 },
                        rounding: Some(Rounding::half_up(2)),
                        min_marks: 3,
                    },
                    factor: None,
                },
            ),
            6 => (
                d("5"),
                AspectKind::Score {
                    min: d("0"),
                    max_mark: d("10"),
                    step: d("0.5"),
                    panel: panel(PanelRule::Mean, 1),
                    factor: Some(FactorSpec::Fixed(Factor {
                        value: d("0.5"),
                        rounding: Some(Rounding::half_even(1)),
                    })),
                },
            ),
            _ => (
                d("105"),
                AspectKind::Score {
                    min: d("0"),
                    max_mark: d("10"),
                    step: d("0.5"),
                    panel: panel(PanelRule::MiddleSum { keep: 3 }, 3),
                    factor: Some(FactorSpec::PerEntry {
                        max: d("3.5"),
                        rounding: None,
                    }),
                },
            ),
        };
        Aspect {
            code: format!("X{n}"),
            description: "generated".into(),
            description_zh: None,
            max,
            kind,
        }
    }

    fn make_scheme(modules: &[Vec<Vec<u8>>], weighted: bool) -> Scheme {
        let mut n = 0;
        let weights: &[i64] = match modules.len() {
            1 => &[100],
            2 => &[30, 70],
            _ => &[20, 30, 50],
        };
        let mods: Vec<Module> = modules
            .iter()
            .enumerate()
            .map(|(mi, subs)| Module {
                code: format!("M{mi}"),
                name_zh: "模块".into(),
                name_en: "Module".into(),
                weight: weighted.then(|| Decimal::from(weights[mi])),
                max: None,
                criteria: vec![Criterion {
                    code: format!("C{mi}"),
                    name_zh: "标准".into(),
                    name_en: "Criterion".into(),
                    sub_criteria: subs
                        .iter()
                        .enumerate()
                        .map(|(si, shapes)| SubCriterion {
                            code: format!("S{mi}.{si}"),
                            name_zh: "子标准".into(),
                            name_en: "Sub".into(),
                            aspects: shapes
                                .iter()
                                .map(|&sh| {
                                    n += 1;
                                    make_aspect(sh, n)
                                })
                                .collect(),
                        })
                        .collect(),
                }],
            })
            .collect();
        let total = if weighted {
            Decimal::ONE_HUNDRED
        } else {
            mods.iter()
                .flat_map(|m| &m.criteria)
                .flat_map(|c| &c.sub_criteria)
                .flat_map(|s| &s.aspects)
                .map(|a| a.max)
                .sum()
        };
        Scheme {
            name: "generated".into(),
            version: 1,
            total,
            aspect_rounding: Rounding::half_up(4),
            module_rounding: Rounding::half_even(3),
            judges: Vec::new(),
            modules: mods,
        }
    }

    /// A mark for aspect `i` built from raw numbers, valid or not.
    fn make_mark(l: &Layout, entry: u8, i: usize, who: u8, raw: u8) -> MarkRow<u8> {
        let j = |k: u8| Slot::Judge(format!("j{}", k % 4));
        let (slot, value) = match &l.aspect(i).kind {
            AspectKind::Binary => (Slot::Value, Decimal::from(raw % 2)),
            AspectKind::Deduction { .. } => (Slot::Value, Decimal::from(raw % 9)),
            AspectKind::Bands { .. } => (Slot::Value, Decimal::new(i64::from(raw), 2)),
            AspectKind::Judgement { .. } if who.is_multiple_of(7) => {
                (Slot::Overrule, Decimal::new(i64::from(raw % 31), 1))
            }
            AspectKind::Judgement { .. } => (j(who), Decimal::from(raw % 4)),
            AspectKind::Score {
                factor: Some(FactorSpec::PerEntry { .. }),
                ..
            } if who.is_multiple_of(5) => (Slot::Factor, Decimal::new(i64::from(raw % 35) + 1, 1)),
            AspectKind::Score { step, .. } => (j(who), Decimal::from(raw % 21) * *step),
        };
        MarkRow {
            entry: entry % 3,
            aspect: i,
            slot,
            value,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn incremental_scores_equal_a_full_recompute(
            modules in prop::collection::vec(
                prop::collection::vec(prop::collection::vec(0u8..8, 1..4), 1..3), 1..4),
            weighted in any::<bool>(),
            raw in prop::collection::vec((any::<u8>(), any::<u16>(), any::<u8>(), any::<u8>()), 0..120),
        ) {
            let scheme = make_scheme(&modules, weighted);
            let l = Layout::new(scheme).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let marks: Vec<MarkRow<u8>> = raw
                .iter()
                .map(|&(e, a, w, v)| make_mark(&l, e, usize::from(a) % l.aspect_count(), w, v))
                .filter(|m| check_mark(&l, m.aspect, &m.slot, m.value).is_ok())
                .collect();
            let mut live: Scoreboard<u8> = Scoreboard::new(l.clone());
            for (k, m) in marks.iter().enumerate() {
                live.apply(m.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                // After every mark, the live scores equal a recompute of the marks so far.
                let full = Scoreboard::recompute(l.clone(), marks[..=k].iter().cloned())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(live.len(), full.len());
                for (entry, score) in full.entries() {
                    prop_assert_eq!(live.score(entry), Some(score));
                }
                prop_assert_eq!(live.ranking(), full.ranking());
            }
        }
    }
}
