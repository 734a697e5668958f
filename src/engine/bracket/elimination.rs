//! Single and double elimination. The bracket is first laid out at the
//! next power of two, with an empty side for each missing seed; a match
//! with an empty side is then removed and its one entrant goes straight on
//! (a bye), so that the byes fall to the top seeds.

use super::{standard_order, Bracket, GrandFinal, Match, Part, Source};
use std::collections::HashMap;

/// A match before the byes are removed: `None` is an empty side.
pub(super) struct Raw {
    pub id: String,
    pub part: Part,
    pub round: usize,
    pub position: usize,
    pub home: Option<Source>,
    pub away: Option<Source>,
    pub if_needed: bool,
}

/// The rounds of an elimination over `size` slots (a power of two), named
/// `{prefix}{round}-{position}`; `side(s)` fills first-round slot seed `s`
/// (`None` when the seed is missing).
pub(super) fn knockout(
    size: usize,
    prefix: &str,
    part: Part,
    third_place: bool,
    side: &dyn Fn(usize) -> Option<Source>,
) -> Vec<Raw> {
    let order = standard_order(size);
    let rounds = size.trailing_zeros() as usize;
    let mut raw = Vec::new();
    for round in 1..=rounds {
        let count = size >> round;
        for p in 1..=count {
            let (home, away) = if round == 1 {
                (side(order[2 * p - 2]), side(order[2 * p - 1]))
            } else {
                (
                    Some(Source::Winner(format!(
                        "{prefix}{}-{}",
                        round - 1,
                        2 * p - 1
                    ))),
                    Some(Source::Winner(format!("{prefix}{}-{}", round - 1, 2 * p))),
                )
            };
            raw.push(Raw {
                id: format!("{prefix}{round}-{p}"),
                part,
                round,
                position: p,
                home,
                away,
                if_needed: false,
            });
        }
    }
    if third_place && rounds >= 2 {
        let semi = rounds - 1;
        raw.push(Raw {
            id: format!("{prefix}3P"),
            part: Part::ThirdPlace,
            round: rounds,
            position: 2,
            home: Some(Source::Loser(format!("{prefix}{semi}-1"))),
            away: Some(Source::Loser(format!("{prefix}{semi}-2"))),
            if_needed: false,
        });
    }
    raw
}

/// Removes the matches with an empty side: the other side goes on as the
/// winner, and nobody is the loser. `raw` is in the order matches are fed.
pub(super) fn prune(raw: Vec<Raw>) -> Vec<Match> {
    let mut subst: HashMap<Source, Option<Source>> = HashMap::new();
    let mut out = Vec::new();
    for m in raw {
        let fix = |s: Option<Source>| match s {
            Some(src) => match subst.get(&src) {
                Some(r) => r.clone(),
                None => Some(src),
            },
            None => None,
        };
        let (home, away) = (fix(m.home), fix(m.away));
        match (home, away) {
            (Some(home), Some(away)) => out.push(Match {
                id: m.id,
                part: m.part,
                group: None,
                round: m.round,
                position: m.position,
                home,
                away,
                if_needed: m.if_needed,
            }),
            (Some(one), None) | (None, Some(one)) => {
                subst.insert(Source::Winner(m.id.clone()), Some(one));
                subst.insert(Source::Loser(m.id), None);
            }
            (None, None) => {
                subst.insert(Source::Winner(m.id.clone()), None);
                subst.insert(Source::Loser(m.id), None);
            }
        }
    }
    out
}

/// The seeds placed directly into a match after the first round.
pub(super) fn byes(matches: &[Match]) -> Vec<usize> {
    let mut out: Vec<usize> = matches
        .iter()
        .filter(|m| m.round > 1 && matches!(m.part, Part::Winners | Part::Knockout))
        .flat_map(|m| [&m.home, &m.away])
        .filter_map(|s| match s {
            Source::Seed(n) => Some(*n),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out
}

fn seed_side(entrants: usize) -> impl Fn(usize) -> Option<Source> {
    move |s| (s <= entrants).then_some(Source::Seed(s))
}

pub(super) fn single(b: &mut Bracket, prefix: &str, part: Part) {
    let size = b.entrants.next_power_of_two();
    let side = seed_side(b.entrants);
    b.matches = prune(knockout(size, prefix, part, b.options.third_place, &side));
    b.byes = byes(&b.matches);
}

/// Double elimination. The losers' bracket alternates rounds among its
/// own survivors with rounds where the losers of a winners' round drop in;
/// the drop-ins come in reverse order, then with halves swapped, and so on,
/// so that two entrants who met in the winners' bracket meet again as late
/// as possible.
pub(super) fn double(b: &mut Bracket) {
    let size = b.entrants.next_power_of_two();
    let k = size.trailing_zeros() as usize;
    let side = seed_side(b.entrants);
    let mut raw = knockout(size, "W", Part::Winners, false, &side);
    let mut lb_round = 0;
    let push = |raw: &mut Vec<Raw>, round: usize, pairs: Vec<(Source, Source)>| {
        let mut winners = Vec::new();
        for (i, (home, away)) in pairs.into_iter().enumerate() {
            let id = format!("L{round}-{}", i + 1);
            winners.push(Source::Winner(id.clone()));
            raw.push(Raw {
                id,
                part: Part::Losers,
                round,
                position: i + 1,
                home: Some(home),
                away: Some(away),
                if_needed: false,
            });
        }
        winners
    };
    let champion = if k == 1 {
        Source::Loser("W1-1".into())
    } else {
        lb_round += 1;
        let first: Vec<(Source, Source)> = (1..=size / 4)
            .map(|i| {
                (
                    Source::Loser(format!("W1-{}", 2 * i - 1)),
                    Source::Loser(format!("W1-{}", 2 * i)),
                )
            })
            .collect();
        let mut prev = push(&mut raw, lb_round, first);
        for j in 2..=k {
            let m = size >> j;
            let mut losers: Vec<Source> = (1..=m)
                .map(|p| Source::Loser(format!("W{j}-{p}")))
                .collect();
            if j % 2 == 0 {
                losers.reverse();
            } else {
                losers.rotate_left(m / 2);
            }
            lb_round += 1;
            let pairs = prev.into_iter().zip(losers).collect();
            prev = push(&mut raw, lb_round, pairs);
            if j < k {
                lb_round += 1;
                let pairs = prev
                    .chunks(2)
                    .map(|c| (c[0].clone(), c[1].clone()))
                    .collect();
                prev = push(&mut raw, lb_round, pairs);
            }
        }
        prev.into_iter()
            .next()
            .unwrap_or_else(|| Source::Loser("W1-1".into()))
    };
    match b.options.grand_final {
        GrandFinal::None => {}
        GrandFinal::Single | GrandFinal::Reset => {
            raw.push(Raw {
                id: "GF1".into(),
                part: Part::GrandFinal,
                round: 1,
                position: 1,
                home: Some(Source::Winner(format!("W{k}-1"))),
                away: Some(champion),
                if_needed: false,
            });
            if b.options.grand_final == GrandFinal::Reset {
                raw.push(Raw {
                    id: "GF2".into(),
                    part: Part::GrandFinal,
                    round: 2,
                    position: 1,
                    home: Some(Source::Winner("GF1".into())),
                    away: Some(Source::Loser("GF1".into())),
                    if_needed: true,
                });
            }
        }
    }
    b.matches = prune(raw);
    b.byes = byes(&b.matches);
}
