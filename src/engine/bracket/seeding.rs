//! Keeping entrants of one organisation apart in the early rounds.

use super::{standard_order, Bracket, Format};

/// Which seeds may trade places (a band), and how costly it is for two
/// entrants of one organisation to hold seeds `s` and `t` (the earlier they
/// could meet, the higher).
struct Layout {
    bands: Vec<Vec<usize>>,
    /// The penalty of a first-round meeting (or of sharing a group).
    first: u64,
    penalty: Box<dyn Fn(usize, usize) -> u64>,
}

fn layout(b: &Bracket) -> Layout {
    let n = b.entrants;
    match b.format {
        Format::Single | Format::Double => {
            let size = n.next_power_of_two();
            let rounds = size.trailing_zeros();
            // Bands 1, 2, 3–4, 5–8, …, split where the byes end.
            let byes = b.byes.len();
            let mut bands: Vec<Vec<usize>> = Vec::new();
            let mut lo = 1;
            while lo <= n {
                let hi = if lo <= 2 { lo } else { (2 * lo - 2).min(n) };
                let mut band: Vec<usize> = (lo..=hi).collect();
                if lo <= byes && hi > byes {
                    let rest = band.split_off(byes + 1 - lo);
                    bands.push(band);
                    bands.push(rest);
                } else {
                    bands.push(band);
                }
                lo = hi + 1;
            }
            Layout {
                bands,
                first: 4u64.pow(rounds.saturating_sub(1)),
                penalty: Box::new(elimination_penalty(size)),
            }
        }
        Format::RoundRobin | Format::Groups => {
            let count = b.groups.len().max(1);
            let mut group_of = vec![0usize; n + 1];
            for (i, g) in b.groups.iter().enumerate() {
                for &s in &g.seeds {
                    group_of[s] = i;
                }
            }
            let bands = (0..n.div_ceil(count))
                .map(|row| (row * count + 1..=((row + 1) * count).min(n)).collect())
                .collect();
            Layout {
                bands,
                first: 1,
                penalty: Box::new(move |s, t| u64::from(group_of[s] == group_of[t])),
            }
        }
        Format::Swiss => {
            let half = n / 2;
            let mut bands = vec![
                (1..=half).collect::<Vec<_>>(),
                (half + 1..=2 * half).collect(),
            ];
            if n % 2 == 1 {
                bands.push(vec![n]);
            }
            Layout {
                bands,
                first: 1,
                penalty: Box::new(move |s, t| u64::from(s.abs_diff(t) == half)),
            }
        }
    }
}

/// Reorders entrants so that those of one organisation meet as late as the
/// bracket allows: entrants trade seeds only within a band of equal
/// standing (3–4, 5–8, …; a group pot; a Swiss half), never across the
/// byes. `orgs[i]` is the organisation of the entrant seeded i + 1.
/// Returns, for each seed from 1, the index of the entrant who now holds it.
pub fn keep_apart(b: &Bracket, orgs: &[String]) -> Vec<usize> {
    let l = layout(b);
    improve(b.entrants.min(orgs.len()), orgs, &l.bands, &*l.penalty)
}

/// The slot penalty of an elimination over `size` slots (a power of two):
/// the earlier two seeds could meet, the higher.
pub(super) fn elimination_penalty(size: usize) -> impl Fn(usize, usize) -> u64 {
    let rounds = size.trailing_zeros();
    let mut slot = vec![0usize; size + 1];
    for (i, s) in standard_order(size).into_iter().enumerate() {
        slot[s] = i;
    }
    move |s, t| {
        let meet = usize::BITS - (slot[s] ^ slot[t]).leading_zeros();
        4u64.pow(rounds.saturating_sub(meet))
    }
}

/// Swaps holders of seeds within each band while that lowers the summed
/// penalty of pairs with the same label. Returns, for each seed from 1,
/// the index of its holder.
pub(super) fn improve(
    n: usize,
    labels: &[String],
    bands: &[Vec<usize>],
    penalty: &dyn Fn(usize, usize) -> u64,
) -> Vec<usize> {
    let mut holder: Vec<usize> = (0..n).collect();
    let label = |holder: &[usize], seed: usize| &labels[holder[seed - 1]];
    // A bound on the work, so that a large field answers promptly; the
    // count, not the clock, decides, so the result is always the same.
    let mut budget: u64 = 40_000_000;
    for _ in 0..20 {
        let mut improved = false;
        for band in bands {
            for (x, &i) in band.iter().enumerate() {
                for &j in &band[x + 1..] {
                    if i > n || j > n {
                        continue;
                    }
                    if budget < 4 * n as u64 {
                        return holder;
                    }
                    budget -= 4 * n as u64;
                    let (li, lj) = (label(&holder, i).clone(), label(&holder, j).clone());
                    if li == lj {
                        continue;
                    }
                    let cost = |seed: usize, o: &str| -> u64 {
                        (1..=n)
                            .filter(|&u| u != i && u != j && label(&holder, u) == o)
                            .map(|u| penalty(seed, u))
                            .sum()
                    };
                    let now = cost(i, &li) + cost(j, &lj);
                    let swapped = cost(i, &lj) + cost(j, &li);
                    if swapped < now {
                        holder.swap(i - 1, j - 1);
                        improved = true;
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    holder
}

/// How many pairs of one organisation meet in the first round (or share
/// a group).
pub fn early_meetings(b: &Bracket, orgs: &[String]) -> usize {
    let l = layout(b);
    let n = b.entrants.min(orgs.len());
    let mut count = 0;
    for s in 1..=n {
        for t in s + 1..=n {
            if orgs[s - 1] == orgs[t - 1] && (l.penalty)(s, t) == l.first {
                count += 1;
            }
        }
    }
    count
}
