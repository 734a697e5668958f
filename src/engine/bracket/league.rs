//! Round robin (circle method), groups feeding a knockout, and Swiss.

use super::elimination::{knockout, prune};
use super::{group_name, seeding, Bracket, BracketError, Group, Match, Part, Source};
use std::collections::HashSet;

/// Serpentine seeding into `count` groups: 1 → A, 2 → B, …, then back
/// from the last group, so that each group gets a fair share of seeds.
fn serpentine(entrants: usize, count: usize) -> Vec<Group> {
    let mut groups: Vec<Group> = (0..count)
        .map(|i| Group {
            name: group_name(i),
            seeds: Vec::new(),
        })
        .collect();
    for s in 0..entrants {
        let row = s / count;
        let col = s % count;
        let col = if row.is_multiple_of(2) {
            col
        } else {
            count - 1 - col
        };
        groups[col].seeds.push(s + 1);
    }
    groups
}

/// The matches of a group by the circle method: every pair meets exactly
/// once, and each entrant is at home in half its matches (one more or one
/// fewer when it plays an odd number). With an odd number of entrants one
/// of them rests each round.
fn circle(group: &Group, prefix: &str, single_group: bool) -> Vec<Match> {
    let n = group.seeds.len();
    let m = if n.is_multiple_of(2) { n } else { n + 1 };
    let fixed = m - 1;
    let at = |v: usize| group.seeds.get(v).copied();
    let mut out = Vec::new();
    for r in 0..m - 1 {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        // The fixed vertex meets vertex r; home on even rounds.
        pairs.push(if r % 2 == 0 { (fixed, r) } else { (r, fixed) });
        for k in 1..=(m - 2) / 2 {
            let a = (r + k) % (m - 1);
            let b = (r + m - 1 - k) % (m - 1);
            let d = (a + (m - 1) - b) % (m - 1);
            pairs.push(if d <= (m - 2) / 2 { (a, b) } else { (b, a) });
        }
        let mut position = 0;
        for (h, a) in pairs {
            let (Some(home), Some(away)) = (at(h), at(a)) else {
                continue;
            };
            position += 1;
            out.push(Match {
                id: if single_group {
                    format!("R{}-{position}", r + 1)
                } else {
                    format!("{prefix}.{}-{position}", r + 1)
                },
                part: Part::Group,
                group: Some(group.name.clone()),
                round: r + 1,
                position,
                home: Source::Seed(home),
                away: Source::Seed(away),
                if_needed: false,
            });
        }
    }
    out
}

pub(super) fn round_robin(b: &mut Bracket) -> Result<(), BracketError> {
    let size = match b.options.group_size {
        0 => b.entrants,
        1 => {
            return Err(BracketError::new(
                "invalid_options",
                crate::i18n::messages::Msg::new("bracket_group_too_small_or_one"),
            ))
        }
        s => s.min(b.entrants),
    };
    let count = b.entrants.div_ceil(size);
    b.groups = serpentine(b.entrants, count);
    let single = count == 1;
    b.matches = b
        .groups
        .iter()
        .flat_map(|g| circle(g, &g.name, single))
        .collect();
    Ok(())
}

/// Who holds each knockout seed after groups: group winners first (seeds
/// 1 to g, in group order), then runners-up, and so on. Within the
/// runners-up (and later places) the groups are arranged so that entrants
/// of one group meet as late as the knockout allows: a group winner never
/// meets its own group's runner-up in the first round, and the two go to
/// opposite halves whenever they can.
fn knockout_holders(groups: &[Group], advance: usize) -> Vec<(usize, usize)> {
    let g = groups.len();
    let n = g * advance;
    let labels: Vec<String> = (0..n).map(|i| groups[i % g].name.clone()).collect();
    let mut bands: Vec<Vec<usize>> = Vec::new();
    for p in 1..advance {
        bands.push((p * g + 1..=(p + 1) * g).collect());
    }
    let penalty = seeding::elimination_penalty(n.next_power_of_two());
    let holder = seeding::improve(n, &labels, &bands, &penalty);
    holder.iter().map(|&h| (h % g, h / g + 1)).collect()
}

pub(super) fn groups(b: &mut Bracket) -> Result<(), BracketError> {
    let size = match b.options.group_size {
        0 => 4,
        s => s,
    };
    if size < 2 {
        return Err(BracketError::new(
            "invalid_options",
            crate::i18n::messages::Msg::new("bracket_group_too_small"),
        ));
    }
    let count = b.entrants.div_ceil(size.min(b.entrants));
    b.groups = serpentine(b.entrants, count);
    let smallest = b.groups.iter().map(|g| g.seeds.len()).min().unwrap_or(0);
    let advance = b.options.advance;
    if advance == 0 || advance >= smallest.max(2) {
        return Err(BracketError::new(
            "invalid_options",
            crate::msg!("bracket_advance", smallest = smallest, advance = advance),
        ));
    }
    let mut matches: Vec<Match> = b
        .groups
        .iter()
        .flat_map(|g| circle(g, &g.name, false))
        .collect();
    let ko = count * advance;
    if ko >= 2 {
        let holders = knockout_holders(&b.groups, advance);
        let groups = b.groups.clone();
        let side = move |s: usize| {
            holders.get(s - 1).map(|&(j, place)| Source::GroupPlace {
                group: groups[j].name.clone(),
                place,
            })
        };
        let raw = knockout(
            ko.next_power_of_two(),
            "K",
            Part::Knockout,
            b.options.third_place,
            &side,
        );
        matches.extend(prune(raw));
    }
    b.matches = matches;
    Ok(())
}

/// The most rounds a Swiss of `n` entrants can have without a rematch.
pub fn swiss_max_rounds(n: usize) -> usize {
    if n.is_multiple_of(2) {
        n - 1
    } else {
        n
    }
}

pub(super) fn swiss(b: &mut Bracket) -> Result<(), BracketError> {
    let n = b.entrants;
    let max = swiss_max_rounds(n);
    let rounds = match b.options.rounds {
        0 => (n.next_power_of_two().trailing_zeros() as usize).clamp(1, max),
        r => r,
    };
    if rounds > max {
        return Err(BracketError::new(
            "invalid_options",
            crate::msg!("bracket_swiss_rounds", n = n, max = max, rounds = rounds),
        ));
    }
    b.options.rounds = rounds;
    let half = n / 2;
    for r in 1..=rounds {
        for p in 1..=half {
            let (home, away) = if r == 1 {
                (Source::Seed(p), Source::Seed(p + half))
            } else {
                (Source::Paired, Source::Paired)
            };
            b.matches.push(Match {
                id: format!("S{r}-{p}"),
                part: Part::Swiss,
                group: None,
                round: r,
                position: p,
                home,
                away,
                if_needed: false,
            });
        }
    }
    Ok(())
}

/// The pairings of one Swiss round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwissPairing {
    /// Higher-ranked entrant first.
    pub pairs: Vec<(usize, usize)>,
    pub bye: Option<usize>,
}

/// Pairs one Swiss round. `ranked` lists every entrant, best first (by
/// points, then seed): each unpaired entrant, from the top, meets the next
/// one below it whom it has not met (so pairings stay within a score
/// group whenever they can), backtracking when the rest could not be
/// paired. With an odd number, the lowest-ranked entrant who has not had a
/// bye gets it. `None` when no pairing avoids a rematch.
pub fn swiss_pairings(
    ranked: &[usize],
    met: &HashSet<(usize, usize)>,
    had_bye: &HashSet<usize>,
) -> Option<SwissPairing> {
    let has_met = |a: usize, b: usize| met.contains(&(a.min(b), a.max(b)));
    let mut budget: u32 = 2_000_000;
    fn pair(
        rest: &[usize],
        has_met: &dyn Fn(usize, usize) -> bool,
        budget: &mut u32,
        out: &mut Vec<(usize, usize)>,
    ) -> bool {
        let Some((&first, others)) = rest.split_first() else {
            return true;
        };
        for (i, &q) in others.iter().enumerate() {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            if has_met(first, q) {
                continue;
            }
            let remaining: Vec<usize> = others
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, &x)| x)
                .collect();
            out.push((first, q));
            if pair(&remaining, has_met, budget, out) {
                return true;
            }
            out.pop();
        }
        false
    }
    if ranked.len().is_multiple_of(2) {
        let mut out = Vec::new();
        return pair(ranked, &has_met, &mut budget, &mut out).then_some(SwissPairing {
            pairs: out,
            bye: None,
        });
    }
    for (i, &candidate) in ranked.iter().enumerate().rev() {
        if had_bye.contains(&candidate) {
            continue;
        }
        let rest: Vec<usize> = ranked
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, &x)| x)
            .collect();
        let mut out = Vec::new();
        if pair(&rest, &has_met, &mut budget, &mut out) {
            return Some(SwissPairing {
                pairs: out,
                bye: Some(candidate),
            });
        }
    }
    None
}
