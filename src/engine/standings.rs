//! Standings: entrants ranked by a tie-break chain, ending in a shared
//! place (1, 2, 2, 4) or a drawn lot; and standardised scores.
//!
//! Pure: a lot is drawn with a seeded generator whose seed is given by the
//! caller and stored with the result, so that anyone can replay the draw.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rust_decimal::{Decimal, MathematicalOps};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::engine::panel::Rounding;
use crate::engine::scoring::Outcome;
use crate::i18n::messages::Msg;
use crate::msg;

/// What one entrant brings to the standings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entrant {
    /// The entry's key (its start number).
    pub key: String,
    /// The group it is ranked in (e.g. employee / student); `None`: one ranking.
    pub group: Option<String>,
    pub total: Decimal,
    /// Named measures for tie-breaks: `module:CODE`, `criterion:CODE`,
    /// `time` (completion time in seconds) or any other recorded measure.
    pub measures: BTreeMap<String, Decimal>,
}

/// The direction a tie-break key is compared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Higher first (scores).
    Desc,
    /// Lower first (completion time).
    Asc,
}

/// One key of a tie-break chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    /// `total` or a measure name.
    pub name: String,
    pub order: Order,
}

/// What separates entrants equal on every key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finally {
    /// They share the place; the next place is skipped (1, 2, 2, 4).
    Shared,
    /// A lot drawn with the result's seed orders them.
    Lot,
}

/// A tie-break chain: `total` first, then further keys, then shared or lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TieBreak {
    pub keys: Vec<Key>,
    pub finally: Finally,
}

impl TieBreak {
    /// Reads a chain written as `["total", "time asc", "module:P", "lot"]`:
    /// each key is a name with an optional `asc` or `desc` (default `desc`,
    /// except `time`, which is `asc`: shorter first); the last item is
    /// `shared` or `lot`.
    pub fn parse(items: &[String]) -> Result<TieBreak, Msg> {
        let Some((last, keys)) = items.split_last() else {
            return Err(msg!("policy_tie_break_empty"));
        };
        let finally = match last.trim() {
            "shared" => Finally::Shared,
            "lot" => Finally::Lot,
            other => return Err(msg!("policy_tie_break_end", other = other)),
        };
        let mut parsed = Vec::with_capacity(keys.len());
        for (i, item) in keys.iter().enumerate() {
            let mut words = item.split_whitespace();
            let name = words.next().unwrap_or_default().to_string();
            if name.is_empty() || matches!(name.as_str(), "shared" | "lot") {
                return Err(msg!("policy_tie_break_key", n = i + 1, item = item));
            }
            let order = match words.next() {
                None if name == "time" || name == "bracket" => Order::Asc,
                None | Some("desc") => Order::Desc,
                Some("asc") => Order::Asc,
                Some(other) => {
                    return Err(msg!(
                        "policy_tie_break_order",
                        n = i + 1,
                        item = item,
                        other = other
                    ))
                }
            };
            if words.next().is_some() {
                return Err(msg!("policy_tie_break_words", n = i + 1, item = item));
            }
            if i == 0 && name != "total" && name != "bracket" {
                return Err(msg!("policy_tie_break_first", name = name));
            }
            parsed.push(Key { name, order });
        }
        if parsed.is_empty() {
            return Err(msg!("policy_tie_break_total"));
        }
        Ok(TieBreak {
            keys: parsed,
            finally,
        })
    }

    /// The chain written back as text, as [`TieBreak::parse`] reads it.
    pub fn describe(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .keys
            .iter()
            .map(|k| match k.order {
                Order::Desc => format!("{} desc", k.name),
                Order::Asc => format!("{} asc", k.name),
            })
            .collect();
        out.push(
            match self.finally {
                Finally::Shared => "shared",
                Finally::Lot => "lot",
            }
            .to_string(),
        );
        out
    }
}

/// An entrant's place in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    pub key: String,
    pub place: usize,
    /// Shares its place with another entrant.
    pub shared: bool,
    /// The key that separated it from the entrant ranked just above it
    /// (`None` for the first, and for a shared place).
    pub decided_by: Option<String>,
}

/// A lot drawn between entrants equal on every key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// The first place the lot gave out.
    pub place: usize,
    /// The entrants in the order the draw started from (by start number,
    /// [`by_start_number`]).
    pub drawn_from: Vec<String>,
    /// The order the draw gave.
    pub order: Vec<String>,
}

/// One ranking, with the lots drawn in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub group: Option<String>,
    pub places: Vec<Placed>,
    pub lots: Vec<Lot>,
}

fn value(e: &Entrant, name: &str) -> Option<Decimal> {
    if name == "total" {
        Some(e.total)
    } else {
        e.measures.get(name).copied()
    }
}

/// Compares two entrants on one key; a missing measure ranks last.
fn compare(a: &Entrant, b: &Entrant, key: &Key) -> Ordering {
    match (value(a, &key.name), value(b, &key.name)) {
        (Some(x), Some(y)) => match key.order {
            Order::Desc => y.cmp(&x),
            Order::Asc => x.cmp(&y),
        },
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The order of start numbers (entry keys), the one order the tied
/// entrants of a lot start from, on the server and offline alike.
///
/// A start number is read as runs of digits and runs of other characters.
/// Runs are compared in turn: two digit runs by their value (`9` before
/// `10`, `A9` before `A10`), two other runs character by character (by
/// Unicode code point), and a digit run comes before any other run. When
/// every run is equal in this way (`7` and `007`), the numbers are compared
/// character by character, so that the order is total: `007` before `7`.
pub fn by_start_number(a: &str, b: &str) -> Ordering {
    fn runs(s: &str) -> impl Iterator<Item = (bool, &str)> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digits = first.is_ascii_digit();
            let end = rest
                .find(|c: char| c.is_ascii_digit() != digits)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            rest = tail;
            Some((digits, run))
        })
    }
    let mut x = runs(a);
    let mut y = runs(b);
    loop {
        let o = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some((true, p)), Some((true, q))) => {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            (Some((true, _)), Some((false, _))) => Ordering::Less,
            (Some((false, _)), Some((true, _))) => Ordering::Greater,
            (Some((false, p)), Some((false, q))) => p.cmp(q),
        };
        if o.is_ne() {
            return o;
        }
    }
}

/// Ranks the entrants of each group (in order of the group names; entrants
/// without a group form one ranking). Lots use one generator seeded with
/// `seed`, drawn in the order of groups and places, from the tied entrants
/// sorted by start number ([`by_start_number`]): the same entrants, chain
/// and seed always give the same order.
pub fn rank(entrants: &[Entrant], chain: &TieBreak, seed: u64) -> Vec<Ranking> {
    let mut groups: BTreeMap<Option<String>, Vec<&Entrant>> = BTreeMap::new();
    for e in entrants {
        groups.entry(e.group.clone()).or_default().push(e);
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    groups
        .into_iter()
        .map(|(group, mut members)| {
            members.sort_by(|a, b| {
                chain
                    .keys
                    .iter()
                    .map(|k| compare(a, b, k))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| by_start_number(&a.key, &b.key))
            });
            let mut places = Vec::with_capacity(members.len());
            let mut lots = Vec::new();
            let mut i = 0;
            while i < members.len() {
                let mut j = i + 1;
                while j < members.len()
                    && chain
                        .keys
                        .iter()
                        .all(|k| compare(members[i], members[j], k).is_eq())
                {
                    j += 1;
                }
                let decided_by = if i == 0 {
                    None
                } else {
                    chain
                        .keys
                        .iter()
                        .find(|k| compare(members[i - 1], members[i], k).is_ne())
                        .map(|k| k.name.clone())
                };
                let tied = &mut members[i..j];
                if tied.len() == 1 {
                    places.push(Placed {
                        key: tied[0].key.clone(),
                        place: i + 1,
                        shared: false,
                        decided_by,
                    });
                } else {
                    match chain.finally {
                        Finally::Shared => {
                            for (n, e) in tied.iter().enumerate() {
                                places.push(Placed {
                                    key: e.key.clone(),
                                    place: i + 1,
                                    shared: true,
                                    decided_by: if n == 0 { decided_by.clone() } else { None },
                                });
                            }
                        }
                        Finally::Lot => {
                            let drawn_from: Vec<String> =
                                tied.iter().map(|e| e.key.clone()).collect();
                            tied.shuffle(&mut rng);
                            for (n, e) in tied.iter().enumerate() {
                                places.push(Placed {
                                    key: e.key.clone(),
                                    place: i + 1 + n,
                                    shared: false,
                                    decided_by: if n == 0 {
                                        decided_by.clone()
                                    } else {
                                        Some("lot".into())
                                    },
                                });
                            }
                            lots.push(Lot {
                                place: i + 1,
                                drawn_from,
                                order: tied.iter().map(|e| e.key.clone()).collect(),
                            });
                        }
                    }
                }
                i = j;
            }
            Ranking {
                group,
                places,
                lots,
            }
        })
        .collect()
}

/// A place as it is written: `2` alone, `2=` when shared.
pub fn place_label(place: usize, shared: bool) -> String {
    if shared {
        format!("{place}=")
    } else {
        place.to_string()
    }
}

impl TieBreak {
    /// The total alone, equal totals sharing a place: the ranking before a
    /// contest has an award policy.
    pub fn total_shared() -> TieBreak {
        TieBreak {
            keys: vec![Key {
                name: "total".into(),
                order: Order::Desc,
            }],
            finally: Finally::Shared,
        }
    }
}

/// The measures an entry's scores give the tie-break chain, over those
/// recorded for it (completion time and others): `module:CODE` (the
/// module's contribution to the total) and `criterion:CODE` (the
/// criterion's mark). A score measure wins over a recorded one of the same
/// name.
pub fn tie_break_measures<'a>(
    modules: impl IntoIterator<Item = (&'a str, Decimal)>,
    criteria: impl IntoIterator<Item = (&'a str, Decimal)>,
    recorded: BTreeMap<String, Decimal>,
) -> BTreeMap<String, Decimal> {
    let mut out = recorded;
    for (code, contribution) in modules {
        out.insert(format!("module:{code}"), contribution);
    }
    for (code, mark) in criteria {
        out.insert(format!("criterion:{code}"), mark);
    }
    out
}

/// The team size an entrant is ranked as (`top_by_team_size`): the number
/// of its members; 1 when they are not known.
pub fn team_size(members: usize) -> usize {
    members.max(1)
}

/// Why an entry is left out of the standings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unranked {
    /// Some aspects have no mark yet, or wait for more marks.
    Incomplete { unmarked: usize, waiting: usize },
    /// Nothing at all was marked for the entry.
    NoMarks,
    /// Recorded absent (缺考) at check-in.
    Absent,
    /// Recorded withdrawn (弃赛) at check-in.
    WithdrawnAtCheckIn,
}

impl Unranked {
    /// Why an entry with these aspect outcomes cannot be ranked; `None`
    /// when every aspect has its mark.
    pub fn of<'a>(aspects: impl IntoIterator<Item = &'a Outcome>) -> Option<Unranked> {
        let (mut unmarked, mut waiting) = (0, 0);
        for o in aspects {
            match o {
                Outcome::Unmarked => unmarked += 1,
                Outcome::Waiting { .. } => waiting += 1,
                Outcome::Marked { .. } => {}
            }
        }
        (unmarked + waiting > 0).then_some(Unranked::Incomplete { unmarked, waiting })
    }

    /// Why an entry cannot be ranked, given how it stands at check-in
    /// (`door`) and its aspect outcomes: an entry absent or withdrawn at the
    /// door is never ranked, whatever marks it has.
    pub fn why<'a>(
        door: Option<crate::engine::model::CheckInStatus>,
        aspects: impl IntoIterator<Item = &'a Outcome>,
    ) -> Option<Unranked> {
        use crate::engine::model::CheckInStatus;
        match door {
            Some(CheckInStatus::Absent) => Some(Unranked::Absent),
            Some(CheckInStatus::Withdrawn) => Some(Unranked::WithdrawnAtCheckIn),
            _ => Unranked::of(aspects),
        }
    }
}

impl std::fmt::Display for Unranked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unranked::Incomplete { unmarked, waiting } => write!(
                f,
                "{unmarked} aspect(s) without marks, {waiting} waiting for more marks"
            ),
            Unranked::NoMarks => f.write_str("the marks file has no marks for this entry"),
            Unranked::Absent => f.write_str("缺考 / absent at check-in"),
            Unranked::WithdrawnAtCheckIn => f.write_str("弃赛 / withdrawn at check-in"),
        }
    }
}

/// A score as it is shown (pages, exports, profiles): rounded half-up to
/// `decimals` places, as every rounding of the engine.
pub fn displayed(score: Decimal, decimals: u32) -> Decimal {
    Rounding::half_up(decimals).apply(score)
}

// ---------------------------------------------------------------------------
// Standardisation.

/// How raw totals become scores comparable across skills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Standardise {
    /// The raw total.
    None,
    /// `mean + spread × (x − m) / s`, where `m` is the mean of the totals and
    /// `s` their population standard deviation.
    Linear {
        #[serde(deserialize_with = "crate::engine::scheme::dec::de")]
        mean: Decimal,
        #[serde(deserialize_with = "crate::engine::scheme::dec::de")]
        spread: Decimal,
        rounding: Rounding,
    },
    /// `centre + spread × (x − median) / (mad_scale × MAD)`, where MAD is
    /// the median of the absolute deviations from the median. When the MAD
    /// is 0 but the totals differ (more than half of them equal), the
    /// population standard deviation takes the place of `mad_scale × MAD`.
    Robust {
        #[serde(deserialize_with = "crate::engine::scheme::dec::de")]
        centre: Decimal,
        #[serde(deserialize_with = "crate::engine::scheme::dec::de")]
        spread: Decimal,
        /// 1.4826 makes the MAD estimate a normal spread's standard deviation.
        #[serde(deserialize_with = "crate::engine::scheme::dec::de")]
        mad_scale: Decimal,
        rounding: Rounding,
    },
}

fn median(sorted: &[Decimal]) -> Decimal {
    let n = sorted.len();
    if n == 0 {
        return Decimal::ZERO;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO
    }
}

fn mean_of(totals: &[Decimal]) -> Decimal {
    if totals.is_empty() {
        return Decimal::ZERO;
    }
    totals.iter().sum::<Decimal>() / Decimal::from(totals.len())
}

/// The population standard deviation √(Σ(x − m)² / n) of totals whose mean is `m`.
fn standard_deviation(totals: &[Decimal], m: Decimal) -> Decimal {
    if totals.is_empty() {
        return Decimal::ZERO;
    }
    let var =
        totals.iter().map(|x| (x - m) * (x - m)).sum::<Decimal>() / Decimal::from(totals.len());
    var.sqrt().unwrap_or(Decimal::ZERO)
}

impl Standardise {
    /// The standardised score of each total, in the same order. When every
    /// total is the same (no spread), every entrant gets the centre. The
    /// robust method falls back to the standard deviation when the MAD is 0
    /// but the totals differ ([`Standardise::Robust`]).
    pub fn apply(&self, totals: &[Decimal]) -> Vec<Decimal> {
        match self {
            Standardise::None => totals.to_vec(),
            Standardise::Linear {
                mean,
                spread,
                rounding,
            } => {
                if totals.is_empty() {
                    return Vec::new();
                }
                let m = mean_of(totals);
                let sd = standard_deviation(totals, m);
                totals
                    .iter()
                    .map(|x| {
                        if sd.is_zero() {
                            rounding.apply(*mean)
                        } else {
                            rounding.apply(mean + spread * (x - m) / sd)
                        }
                    })
                    .collect()
            }
            Standardise::Robust {
                centre,
                spread,
                mad_scale,
                rounding,
            } => {
                let mut sorted = totals.to_vec();
                sorted.sort();
                let med = median(&sorted);
                let mut dev: Vec<Decimal> = totals.iter().map(|x| (x - med).abs()).collect();
                dev.sort();
                let mad = median(&dev);
                let scale = if mad.is_zero() {
                    // More than half the totals are equal: the MAD sees no
                    // spread, though the others differ. Without this, every
                    // entrant would get the centre and share every place.
                    standard_deviation(totals, mean_of(totals))
                } else {
                    mad_scale * mad
                };
                totals
                    .iter()
                    .map(|x| {
                        if scale.is_zero() {
                            rounding.apply(*centre)
                        } else {
                            rounding.apply(centre + spread * (x - med) / scale)
                        }
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn entrant(key: &str, total: &str, measures: &[(&str, &str)]) -> Entrant {
        Entrant {
            key: key.into(),
            group: None,
            total: d(total),
            measures: measures
                .iter()
                .map(|(k, v)| (k.to_string(), d(v)))
                .collect(),
        }
    }

    fn chain(items: &[&str]) -> TieBreak {
        TieBreak::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn places(r: &Ranking) -> Vec<(String, usize)> {
        r.places.iter().map(|p| (p.key.clone(), p.place)).collect()
    }

    #[test]
    fn shared_places_skip_the_next() {
        let es = [
            entrant("A", "90", &[]),
            entrant("B", "85", &[]),
            entrant("C", "85", &[]),
            entrant("D", "80", &[]),
        ];
        let r = rank(&es, &chain(&["total", "shared"]), 1);
        assert_eq!(
            places(&r[0]),
            [("A", 1), ("B", 2), ("C", 2), ("D", 4)].map(|(k, p)| (k.to_string(), p))
        );
        assert!(r[0].places[1].shared && r[0].places[2].shared);
        assert!(r[0].lots.is_empty());
    }

    #[test]
    fn the_chain_breaks_ties_in_order() {
        // B and C tie on total; C was faster. D and E tie on total and time;
        // E has the higher practical module.
        let es = [
            entrant("B", "85", &[("time", "3600"), ("module:P", "50")]),
            entrant("C", "85", &[("time", "3500"), ("module:P", "40")]),
            entrant("D", "80", &[("time", "3000"), ("module:P", "40")]),
            entrant("E", "80", &[("time", "3000"), ("module:P", "45")]),
            entrant("F", "80", &[("module:P", "60")]),
        ];
        let r = rank(&es, &chain(&["total", "time", "module:P", "shared"]), 1);
        assert_eq!(
            places(&r[0]),
            [("C", 1), ("B", 2), ("E", 3), ("D", 4), ("F", 5)].map(|(k, p)| (k.to_string(), p))
        );
        assert_eq!(r[0].places[1].decided_by.as_deref(), Some("time"));
        assert_eq!(r[0].places[3].decided_by.as_deref(), Some("module:P"));
        // No time recorded ranks F last among equal totals.
        assert_eq!(r[0].places[4].decided_by.as_deref(), Some("time"));
    }

    #[test]
    fn a_lot_is_replayed_from_its_seed() {
        let es: Vec<Entrant> = ["A", "B", "C", "D", "E", "F"]
            .iter()
            .map(|k| entrant(k, "70", &[]))
            .collect();
        let c = chain(&["total", "lot"]);
        let first = rank(&es, &c, 20261125);
        let again = rank(&es, &c, 20261125);
        assert_eq!(first, again);
        let places: Vec<usize> = first[0].places.iter().map(|p| p.place).collect();
        assert_eq!(places, [1, 2, 3, 4, 5, 6]);
        assert_eq!(first[0].lots.len(), 1);
        assert_eq!(first[0].lots[0].drawn_from, ["A", "B", "C", "D", "E", "F"]);
        // The input order does not matter, only the seed.
        let mut reversed = es.clone();
        reversed.reverse();
        assert_eq!(rank(&reversed, &c, 20261125), first);
        // Some other seed draws another order.
        assert!((1..20).any(|s| rank(&es, &c, s)[0].lots[0].order != first[0].lots[0].order));
    }

    #[test]
    fn groups_are_ranked_apart() {
        let mut es = vec![
            entrant("A", "90", &[]),
            entrant("B", "80", &[]),
            entrant("C", "85", &[]),
        ];
        es[0].group = Some("employee".into());
        es[1].group = Some("student".into());
        es[2].group = Some("employee".into());
        let r = rank(&es, &chain(&["total", "shared"]), 0);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].group.as_deref(), Some("employee"));
        assert_eq!(places(&r[0]), [("A".to_string(), 1), ("C".to_string(), 2)]);
        assert_eq!(places(&r[1]), [("B".to_string(), 1)]);
    }

    #[test]
    fn chains_are_checked() {
        let p = |items: &[&str]| {
            TieBreak::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert!(p(&[]).is_err());
        assert!(p(&["total"]).unwrap_err().contains("must end"));
        assert!(p(&["time", "shared"]).unwrap_err().contains("starts with"));
        assert!(p(&["total", "time up", "lot"]).unwrap_err().contains("asc"));
        assert_eq!(
            p(&["total", "time up", "lot"])
                .unwrap_err()
                .in_lang(crate::i18n::Lang::Zh),
            "决胜顺序第 2 项（“time up”）：顺序为“asc”（升序）或“desc”（降序），而不是“up”"
        );
        let c = p(&["total", "time", "module:P asc", "lot"]).unwrap();
        assert_eq!(c.keys[1].order, Order::Asc);
        assert_eq!(
            c.describe(),
            ["total desc", "time asc", "module:P asc", "lot"]
        );
    }

    #[test]
    fn a_shared_place_is_written_with_an_equals_sign() {
        assert_eq!(place_label(2, true), "2=");
        assert_eq!(place_label(4, false), "4");
        let es = [
            entrant("A", "90", &[]),
            entrant("B", "85", &[]),
            entrant("C", "85", &[]),
            entrant("D", "80", &[]),
        ];
        let r = rank(&es, &TieBreak::total_shared(), 0);
        let written: Vec<String> = r[0]
            .places
            .iter()
            .map(|p| place_label(p.place, p.shared))
            .collect();
        assert_eq!(written, ["1", "2=", "2=", "4"]);
    }

    #[test]
    fn score_measures_win_over_recorded_ones() {
        let recorded = BTreeMap::from([
            ("time".to_string(), d("3500")),
            ("module:P".to_string(), d("1")),
        ]);
        let m = tie_break_measures([("P", d("40.5"))], [("C1", d("7"))], recorded);
        assert_eq!(m["module:P"], d("40.5"));
        assert_eq!(m["criterion:C1"], d("7"));
        assert_eq!(m["time"], d("3500"));
        assert_eq!((team_size(0), team_size(1), team_size(3)), (1, 1, 3));
    }

    #[test]
    fn why_an_entry_is_unranked() {
        let outcomes = [
            Outcome::Unmarked,
            Outcome::Waiting {
                reason: "2 of 3 judges".into(),
            },
            Outcome::Unmarked,
            Outcome::Marked {
                mark: d("1"),
                flagged: false,
            },
        ];
        let why = Unranked::of(&outcomes).unwrap();
        assert_eq!(
            why.to_string(),
            "2 aspect(s) without marks, 1 waiting for more marks"
        );
        assert_eq!(Unranked::of(&outcomes[3..]), None);
        use crate::engine::model::CheckInStatus;
        assert_eq!(
            Unranked::why(Some(CheckInStatus::Absent), &outcomes[3..]),
            Some(Unranked::Absent)
        );
        assert_eq!(Unranked::Absent.to_string(), "缺考 / absent at check-in");
        assert_eq!(
            Unranked::why(Some(CheckInStatus::Withdrawn), &outcomes[3..]),
            Some(Unranked::WithdrawnAtCheckIn)
        );
        assert_eq!(
            Unranked::why(Some(CheckInStatus::Present), &outcomes[3..]),
            None
        );
    }

    #[test]
    fn displayed_scores_round_half_up() {
        assert_eq!(displayed(d("2.345"), 2), d("2.35"));
        assert_eq!(displayed(d("2.335"), 2), d("2.34"));
        assert_eq!(displayed(d("-2.345"), 2), d("-2.35"));
        assert_eq!(displayed(d("87.25"), 1), d("87.3"));
        assert_eq!(displayed(d("7"), 2), d("7"));
    }

    #[test]
    fn linear_standardisation_to_500_and_100() {
        let s = Standardise::Linear {
            mean: d("500"),
            spread: d("100"),
            rounding: Rounding::half_up(2),
        };
        // Mean 70, population standard deviation 10.
        let totals = [d("60"), d("80"), d("60"), d("80")];
        assert_eq!(s.apply(&totals), [d("400"), d("600"), d("400"), d("600")]);
        assert_eq!(s.apply(&[d("5"), d("5")]), [d("500"), d("500")]);
    }

    #[test]
    fn robust_standardisation_centres_the_median() {
        let s = Standardise::Robust {
            centre: d("700"),
            spread: d("100"),
            mad_scale: d("1"),
            rounding: Rounding::half_up(0),
        };
        // Median 50; deviations 20, 10, 0, 10, 40 → MAD 10.
        let totals = [d("30"), d("40"), d("50"), d("60"), d("90")];
        assert_eq!(
            s.apply(&totals),
            [d("500"), d("600"), d("700"), d("800"), d("1100")]
        );
    }

    #[test]
    fn robust_standardisation_falls_back_to_the_standard_deviation() {
        let s = Standardise::Robust {
            centre: d("700"),
            spread: d("100"),
            mad_scale: d("1.4826"),
            rounding: Rounding::half_up(0),
        };
        // Median 80; deviations 10, 0, 0, 0, 10 → MAD 0. The standard
        // deviation is √40 = 6.3246: 90 → 700 + 1000 / 6.3246 = 858.1.
        let totals = [d("90"), d("80"), d("80"), d("80"), d("70")];
        assert_eq!(
            s.apply(&totals),
            [d("858"), d("700"), d("700"), d("700"), d("542")]
        );
        // No spread at all: everyone is at the centre.
        assert_eq!(s.apply(&[d("80"); 4]), [d("700"); 4]);
        assert!(s.apply(&[]).is_empty());
    }

    #[test]
    fn start_numbers_are_ordered_as_numbers() {
        let mut keys = vec![
            "10", "9", "A10", "A9", "B1", "007", "7", "2-10", "2-9", "", "x",
        ];
        keys.sort_by(|a, b| by_start_number(a, b));
        assert_eq!(
            keys,
            ["", "2-9", "2-10", "007", "7", "9", "10", "A9", "A10", "B1", "x"]
        );
        assert_eq!(
            by_start_number("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn a_lot_starts_from_the_start_numbers_in_numeric_order() {
        let es: Vec<Entrant> = ["10", "9", "100", "11"]
            .iter()
            .map(|k| entrant(k, "70", &[]))
            .collect();
        let r = rank(&es, &chain(&["total", "lot"]), 3);
        assert_eq!(r[0].lots[0].drawn_from, ["9", "10", "11", "100"]);
        // Shared places list the tied entrants in the same order.
        let r = rank(&es, &chain(&["total", "shared"]), 3);
        let keys: Vec<&str> = r[0].places.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["9", "10", "11", "100"]);
    }
}
