//! Results applied to a bracket: who is in each match, who moves on, group
//! and Swiss standings, and the placings.

use super::league::swiss_pairings;
use super::{Bracket, BracketError, Format, GrandFinal, Match, Part, Source};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Who won a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Winner {
    Home,
    Away,
    /// Only in group and Swiss matches.
    Draw,
}

/// How a match was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    #[default]
    Played,
    /// The other side did not turn up.
    Walkover,
    /// The loser gave the match up.
    Forfeit,
    /// The loser was disqualified.
    Disqualification,
}

/// A match's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    pub winner: Winner,
    /// Home and away score, when there is one.
    pub score: Option<(Decimal, Decimal)>,
    #[serde(default)]
    pub decision: Decision,
}

/// A match with its entrants (seeds) as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchState {
    pub id: String,
    pub home: Option<usize>,
    pub away: Option<usize>,
    pub result: Option<MatchResult>,
    /// False for a reset match that is not (or not yet) needed.
    pub needed: bool,
    pub winner: Option<usize>,
    pub loser: Option<usize>,
}

/// One line of a group's or a Swiss table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub seed: usize,
    pub place: usize,
    pub played: usize,
    pub won: usize,
    pub drawn: usize,
    pub lost: usize,
    pub points: u32,
    pub score_for: Decimal,
    pub score_against: Decimal,
    /// Swiss: the sum of the opponents' points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buchholz: Option<u32>,
}

/// A group's table, or the Swiss table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: String,
    pub standings: Vec<Standing>,
    pub complete: bool,
}

/// A final place; `to` is the end of a shared range (3–4, 5–8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placing {
    pub seed: usize,
    pub place: usize,
    pub to: usize,
}

impl Placing {
    /// The place as every ranking writes it: a shared range is a shared
    /// place (`3=` for 3–4), see [`crate::engine::standings::place_label`].
    pub fn label(&self) -> String {
        crate::engine::standings::place_label(self.place, self.to > self.place)
    }
}

impl Table {
    /// A standing's place as every ranking writes it: shared (`1=`) when
    /// another standing of the table has the same place.
    pub fn place_label(&self, s: &Standing) -> String {
        let shared = self.standings.iter().filter(|o| o.place == s.place).count() > 1;
        crate::engine::standings::place_label(s.place, shared)
    }
}

/// A bracket with its results applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    pub matches: Vec<MatchState>,
    /// Swiss: (round, seed) of each bye.
    pub byes: Vec<(usize, usize)>,
    pub tables: Vec<Table>,
    /// The places decided so far; final once given.
    pub placings: Vec<Placing>,
    pub complete: bool,
    /// What stops the bracket going on (e.g. no Swiss pairing without a rematch).
    pub problems: Vec<String>,
}

impl State {
    pub fn find(&self, id: &str) -> Option<&MatchState> {
        self.matches.iter().find(|m| m.id == id)
    }
}

struct Tally {
    played: usize,
    won: usize,
    drawn: usize,
    lost: usize,
    points: u32,
    score_for: Decimal,
    score_against: Decimal,
    opponents: Vec<usize>,
}

fn tally(
    seeds: &[usize],
    games: &[(&Match, &MatchState)],
    points: [u32; 3],
    byes: &[usize],
) -> HashMap<usize, Tally> {
    let mut t: HashMap<usize, Tally> = seeds
        .iter()
        .map(|&s| {
            (
                s,
                Tally {
                    played: 0,
                    won: 0,
                    drawn: 0,
                    lost: 0,
                    points: 0,
                    score_for: Decimal::ZERO,
                    score_against: Decimal::ZERO,
                    opponents: Vec::new(),
                },
            )
        })
        .collect();
    for s in byes {
        if let Some(x) = t.get_mut(s) {
            x.won += 1;
            x.points += points[0];
        }
    }
    for (_, st) in games {
        let (Some(h), Some(a), Some(r)) = (st.home, st.away, &st.result) else {
            continue;
        };
        let (sh, sa) = r.score.unwrap_or_default();
        for (me, other, mine, theirs, outcome) in [
            (h, a, sh, sa, r.winner == Winner::Home),
            (a, h, sa, sh, r.winner == Winner::Away),
        ] {
            if let Some(x) = t.get_mut(&me) {
                x.played += 1;
                x.score_for += mine;
                x.score_against += theirs;
                x.opponents.push(other);
                if r.winner == Winner::Draw {
                    x.drawn += 1;
                    x.points += points[1];
                } else if outcome {
                    x.won += 1;
                    x.points += points[0];
                } else {
                    x.lost += 1;
                    x.points += points[2];
                }
            }
        }
    }
    t
}

/// A group table: points, then the points of the matches among those tied
/// (head to head), then score difference, then score for; what remains
/// tied shares the place. The order within a shared place is by seed.
fn group_table(
    name: &str,
    seeds: &[usize],
    games: &[(&Match, &MatchState)],
    points: [u32; 3],
) -> Table {
    let t = tally(seeds, games, points, &[]);
    let complete = games.iter().all(|(_, s)| s.result.is_some());
    let pts = |s: &usize| t.get(s).map_or(0, |x| x.points);
    let mut order: Vec<usize> = seeds.to_vec();
    order.sort_by(|a, b| pts(b).cmp(&pts(a)).then(a.cmp(b)));
    // Head to head within each run of equal points.
    let mut keyed: Vec<(usize, (u32, u32, Decimal, Decimal))> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && pts(&order[j]) == pts(&order[i]) {
            j += 1;
        }
        let tied: HashSet<usize> = order[i..j].iter().copied().collect();
        let among: Vec<(&Match, &MatchState)> = games
            .iter()
            .filter(|(_, s)| {
                s.home.is_some_and(|h| tied.contains(&h))
                    && s.away.is_some_and(|a| tied.contains(&a))
            })
            .copied()
            .collect();
        let h2h = tally(&order[i..j], &among, points, &[]);
        for s in &order[i..j] {
            let x = &t[s];
            keyed.push((
                *s,
                (
                    x.points,
                    h2h.get(s).map_or(0, |y| y.points),
                    x.score_for - x.score_against,
                    x.score_for,
                ),
            ));
        }
        i = j;
    }
    keyed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let standings = table_lines(&keyed, &t, false);
    Table {
        name: name.to_string(),
        standings,
        complete,
    }
}

/// The lines of a table sorted by `keyed` (seed and ranking key), with
/// places shared where the keys are equal; Swiss tables add Buchholz.
fn table_lines<K: PartialEq>(
    keyed: &[(usize, K)],
    t: &HashMap<usize, Tally>,
    buchholz: bool,
) -> Vec<Standing> {
    places(keyed)
        .into_iter()
        .map(|(seed, place)| {
            let x = &t[&seed];
            Standing {
                seed,
                place,
                played: x.played,
                won: x.won,
                drawn: x.drawn,
                lost: x.lost,
                points: x.points,
                score_for: x.score_for,
                score_against: x.score_against,
                buchholz: buchholz.then(|| x.opponents.iter().map(|o| t[o].points).sum()),
            }
        })
        .collect()
}

/// Places 1, 2, 2, 4 over a sorted list: equal keys share a place.
fn places<K: PartialEq>(sorted: &[(usize, K)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, (seed, key)) in sorted.iter().enumerate() {
        let place = if i > 0 && sorted[i - 1].1 == *key {
            out.last().map_or(1, |&(_, p)| p)
        } else {
            i + 1
        };
        out.push((*seed, place));
    }
    out
}

/// The Swiss table: points, then Buchholz, then score difference; what
/// remains tied shares the place.
fn swiss_table(b: &Bracket, states: &[(&Match, &MatchState)], byes: &[(usize, usize)]) -> Table {
    let seeds: Vec<usize> = (1..=b.entrants).collect();
    let bye_seeds: Vec<usize> = byes.iter().map(|(_, s)| *s).collect();
    let t = tally(&seeds, states, b.options.points, &bye_seeds);
    let mut keyed: Vec<(usize, (u32, u32, Decimal))> = seeds
        .iter()
        .map(|s| {
            let x = &t[s];
            let buchholz = x.opponents.iter().map(|o| t[o].points).sum();
            (*s, (x.points, buchholz, x.score_for - x.score_against))
        })
        .collect();
    keyed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let standings = table_lines(&keyed, &t, true);
    Table {
        name: "swiss".into(),
        standings,
        complete: states.iter().all(|(_, s)| s.result.is_some()),
    }
}

/// Applies the results to the bracket.
pub fn resolve(b: &Bracket, results: &BTreeMap<String, MatchResult>) -> State {
    let mut states: Vec<MatchState> = Vec::with_capacity(b.matches.len());
    let mut winners: HashMap<&str, usize> = HashMap::new();
    let mut losers: HashMap<&str, usize> = HashMap::new();
    let mut byes: Vec<(usize, usize)> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut problems = Vec::new();
    let mut group_places: Option<HashMap<(String, usize), usize>> = None;
    let mut swiss_round: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    if b.format == Format::Swiss && b.entrants % 2 == 1 {
        byes.push((1, b.entrants));
    }
    for (idx, m) in b.matches.iter().enumerate() {
        if m.part == Part::Knockout && group_places.is_none() {
            let (t, places) = group_stage(b, &b.matches[..idx], &states);
            tables = t;
            group_places = Some(places);
        }
        if m.part == Part::Swiss && m.round > 1 && !swiss_round.contains_key(&m.round) {
            let pairs = pair_round(
                b,
                m.round,
                &b.matches[..idx],
                &states,
                &mut byes,
                &mut problems,
            );
            swiss_round.insert(m.round, pairs);
        }
        let side = |s: &Source, home: bool| -> Option<usize> {
            match s {
                Source::Seed(n) => Some(*n),
                Source::Winner(id) => winners.get(id.as_str()).copied(),
                Source::Loser(id) => losers.get(id.as_str()).copied(),
                Source::GroupPlace { group, place } => group_places
                    .as_ref()
                    .and_then(|g| g.get(&(group.clone(), *place)).copied()),
                Source::Paired => swiss_round
                    .get(&m.round)
                    .and_then(|p| p.get(m.position - 1))
                    .map(|&(h, a)| if home { h } else { a }),
            }
        };
        let home = side(&m.home, true);
        let away = side(&m.away, false);
        let needed = !m.if_needed || {
            // The reset is needed when the losers' bracket champion (the
            // away side of the first grand final) won it.
            let first = match &m.home {
                Source::Winner(id) => Some(id.as_str()),
                _ => None,
            };
            first
                .and_then(|f| results.get(f))
                .is_some_and(|r| r.winner == Winner::Away)
        };
        let result = if needed && home.is_some() && away.is_some() {
            results.get(&m.id).cloned()
        } else {
            None
        };
        let (winner, loser) = match (&result, home, away) {
            (Some(r), Some(h), Some(a)) => match r.winner {
                Winner::Home => (Some(h), Some(a)),
                Winner::Away => (Some(a), Some(h)),
                Winner::Draw => (None, None),
            },
            _ => (None, None),
        };
        if let Some(w) = winner {
            winners.insert(&m.id, w);
        }
        if let Some(l) = loser {
            losers.insert(&m.id, l);
        }
        states.push(MatchState {
            id: m.id.clone(),
            home,
            away,
            result,
            needed,
            winner,
            loser,
        });
    }
    match b.format {
        Format::RoundRobin => {
            tables = group_stage(b, &b.matches, &states).0;
        }
        Format::Swiss => {
            let all: Vec<(&Match, &MatchState)> = b.matches.iter().zip(states.iter()).collect();
            tables = vec![swiss_table(b, &all, &byes)];
        }
        _ => {}
    }
    let complete = states.iter().all(|s| !s.needed || s.result.is_some()) && problems.is_empty();
    let placings = placings(b, &states, &tables, complete);
    State {
        matches: states,
        byes,
        tables,
        placings,
        complete,
        problems,
    }
}

/// The group tables and, for complete groups, who holds each place (a tie
/// that remains is broken by seed).
fn group_stage(
    b: &Bracket,
    matches: &[Match],
    states: &[MatchState],
) -> (Vec<Table>, HashMap<(String, usize), usize>) {
    let mut tables = Vec::new();
    let mut places = HashMap::new();
    for g in &b.groups {
        let games: Vec<(&Match, &MatchState)> = matches
            .iter()
            .zip(states.iter())
            .filter(|(m, _)| m.part == Part::Group && m.group.as_deref() == Some(g.name.as_str()))
            .collect();
        let t = group_table(&g.name, &g.seeds, &games, b.options.points);
        if t.complete {
            for (i, s) in t.standings.iter().enumerate() {
                places.insert((g.name.clone(), i + 1), s.seed);
            }
        }
        tables.push(t);
    }
    (tables, places)
}

/// Pairs Swiss round `round` once every match of the round before has a
/// result.
fn pair_round(
    b: &Bracket,
    round: usize,
    matches: &[Match],
    states: &[MatchState],
    byes: &mut Vec<(usize, usize)>,
    problems: &mut Vec<String>,
) -> Vec<(usize, usize)> {
    let all: Vec<(&Match, &MatchState)> = matches.iter().zip(states.iter()).collect();
    if all
        .iter()
        .filter(|(m, _)| m.round == round - 1)
        .any(|(_, s)| s.result.is_none())
    {
        return Vec::new();
    }
    let table = swiss_table(b, &all, byes);
    let points: HashMap<usize, u32> = table.standings.iter().map(|s| (s.seed, s.points)).collect();
    let mut ranked: Vec<usize> = (1..=b.entrants).collect();
    ranked.sort_by(|x, y| points[y].cmp(&points[x]).then(x.cmp(y)));
    let met: HashSet<(usize, usize)> = all
        .iter()
        .filter_map(|(_, s)| Some((s.home?.min(s.away?), s.home?.max(s.away?))))
        .collect();
    let had_bye: HashSet<usize> = byes.iter().map(|(_, s)| *s).collect();
    match swiss_pairings(&ranked, &met, &had_bye) {
        Some(p) => {
            if let Some(s) = p.bye {
                byes.push((round, s));
            }
            p.pairs
        }
        None => {
            problems.push(format!("Swiss round {round}: no pairing avoids a rematch"));
            Vec::new()
        }
    }
}

/// Entrants knocked out at the same time share the places after everyone
/// knocked out later (or not at all): `out` maps each knocked-out seed to
/// when it went out.
fn knockout_places(n: usize, out: &HashMap<usize, usize>, offset: usize) -> Vec<Placing> {
    let mut by_time: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (&s, &t) in out {
        by_time.entry(t).or_default().push(s);
    }
    let mut result = Vec::new();
    for (t, seeds) in &by_time {
        let later: usize = by_time.range(t + 1..).map(|(_, v)| v.len()).sum();
        let alive = n - out.len();
        let place = offset + 1 + later + alive;
        for &s in seeds {
            result.push(Placing {
                seed: s,
                place,
                to: place + seeds.len() - 1,
            });
        }
    }
    result
}

fn placings(b: &Bracket, states: &[MatchState], tables: &[Table], complete: bool) -> Vec<Placing> {
    let mut out = match b.format {
        Format::Single => single_placings(b, states),
        Format::Double => double_placings(b, states),
        Format::RoundRobin => round_robin_placings(tables),
        Format::Groups => group_placings(b, states, tables),
        Format::Swiss => swiss_placings(tables, complete),
    };
    out.sort_by(|a, b| a.place.cmp(&b.place).then(a.seed.cmp(&b.seed)));
    out
}

/// Places of a single-elimination bracket.
fn single_placings(b: &Bracket, states: &[MatchState]) -> Vec<Placing> {
    let state = |id: &str| states.iter().find(|s| s.id == id);
    let mut out: Vec<Placing> = Vec::new();
    let mut gone = HashMap::new();
    let third = state("W3P");
    for (m, s) in b.matches.iter().zip(states) {
        if m.part != Part::Winners {
            continue;
        }
        if let Some(l) = s.loser {
            gone.insert(l, m.round);
        }
    }
    let rounds = b.matches.iter().map(|m| m.round).max().unwrap_or(1);
    if let Some(t) = third {
        // The third-place match decides 3 and 4.
        gone.retain(|_, r| *r != rounds - 1);
        if let (Some(w), Some(l)) = (t.winner, t.loser) {
            gone.insert(l, rounds - 1);
            gone.insert(w, rounds - 1);
            out.extend(knockout_places(b.entrants, &gone, 0));
            fix_third(&mut out, w, l);
        } else {
            out.extend(knockout_places(b.entrants, &gone, 0));
        }
    } else {
        out.extend(knockout_places(b.entrants, &gone, 0));
    }
    if let Some(w) = state(&format!("W{rounds}-1")).and_then(|s| s.winner) {
        out.push(Placing {
            seed: w,
            place: 1,
            to: 1,
        });
    }
    out
}

/// Places of a double-elimination bracket.
fn double_placings(b: &Bracket, states: &[MatchState]) -> Vec<Placing> {
    let state = |id: &str| states.iter().find(|s| s.id == id);
    let mut out: Vec<Placing> = Vec::new();
    let lb_rounds = b
        .matches
        .iter()
        .filter(|m| m.part == Part::Losers)
        .map(|m| m.round)
        .max()
        .unwrap_or(0);
    let mut gone = HashMap::new();
    for (m, s) in b.matches.iter().zip(states) {
        if m.part == Part::Losers {
            if let Some(l) = s.loser {
                gone.insert(l, m.round);
            }
        }
    }
    let wb_final = state(&format!(
        "W{}-1",
        b.entrants.next_power_of_two().trailing_zeros()
    ));
    let lb_champion = b
        .matches
        .iter()
        .zip(states)
        .filter(|(m, _)| m.part == Part::Losers && m.round == lb_rounds)
        .find_map(|(_, s)| s.winner)
        .or_else(|| {
            (lb_rounds == 0)
                .then(|| wb_final.and_then(|s| s.loser))
                .flatten()
        });
    let champion = match b.options.grand_final {
        GrandFinal::None => {
            if let Some(l) = lb_champion {
                gone.insert(l, lb_rounds + 1);
            }
            wb_final.and_then(|s| s.winner)
        }
        GrandFinal::Single | GrandFinal::Reset => {
            let gf1 = state("GF1");
            let gf2 = state("GF2").filter(|s| s.needed);
            match (gf1, gf2) {
                (Some(g1), None) if g1.result.is_some() => {
                    if let Some(l) = g1.loser {
                        gone.insert(l, lb_rounds + 1);
                    }
                    g1.winner
                }
                (Some(_), Some(g2)) => {
                    if let Some(l) = g2.loser {
                        gone.insert(l, lb_rounds + 2);
                    }
                    g2.winner
                }
                _ => None,
            }
        }
    };
    out.extend(knockout_places(b.entrants, &gone, 0));
    if let Some(c) = champion {
        out.push(Placing {
            seed: c,
            place: 1,
            to: 1,
        });
    }
    out
}

/// Places of a round robin, once every table is complete.
fn round_robin_placings(tables: &[Table]) -> Vec<Placing> {
    let mut out: Vec<Placing> = Vec::new();
    if tables.iter().all(|t| t.complete) {
        out.extend(by_group_place(tables, 0, 1));
    }
    out
}

/// Places of a group stage followed by a knockout.
fn group_placings(b: &Bracket, states: &[MatchState], tables: &[Table]) -> Vec<Placing> {
    let mut out: Vec<Placing> = Vec::new();
    let ko: Vec<(&Match, &MatchState)> = b
        .matches
        .iter()
        .zip(states)
        .filter(|(m, _)| matches!(m.part, Part::Knockout | Part::ThirdPlace))
        .collect();
    let advance = b.options.advance;
    let ko_n = b.groups.len() * advance;
    if tables.iter().all(|t| t.complete) {
        out.extend(by_group_place(tables, ko_n, advance + 1));
    }
    let rounds = ko.iter().map(|(m, _)| m.round).max().unwrap_or(1);
    let mut gone = HashMap::new();
    for (m, s) in &ko {
        if m.part == Part::Knockout {
            if let Some(l) = s.loser {
                gone.insert(l, m.round);
            }
        }
    }
    let third = ko.iter().find(|(m, _)| m.part == Part::ThirdPlace);
    if let Some((_, t)) = third {
        gone.retain(|_, r| *r != rounds - 1);
        let mut ko_places = knockout_places(ko_n, &gone, 0);
        if let (Some(w), Some(l)) = (t.winner, t.loser) {
            gone.insert(l, rounds - 1);
            gone.insert(w, rounds - 1);
            ko_places = knockout_places(ko_n, &gone, 0);
            fix_third(&mut ko_places, w, l);
        }
        out.extend(ko_places);
    } else {
        out.extend(knockout_places(ko_n, &gone, 0));
    }
    if let Some((_, f)) = ko
        .iter()
        .find(|(m, _)| m.part == Part::Knockout && m.round == rounds && m.position == 1)
    {
        if let Some(w) = f.winner {
            out.push(Placing {
                seed: w,
                place: 1,
                to: 1,
            });
        }
    }
    out
}

/// Places of a Swiss system, once it is complete.
fn swiss_placings(tables: &[Table], complete: bool) -> Vec<Placing> {
    let mut out: Vec<Placing> = Vec::new();
    if complete {
        if let Some(t) = tables.first() {
            let mut count: HashMap<usize, usize> = HashMap::new();
            for s in &t.standings {
                *count.entry(s.place).or_default() += 1;
            }
            out.extend(t.standings.iter().map(|s| Placing {
                seed: s.seed,
                place: s.place,
                to: s.place + count[&s.place] - 1,
            }));
        }
    }
    out
}

/// After a third-place match both semi-final losers went out together;
/// the winner takes 3 and the loser 4.
fn fix_third(out: &mut [Placing], winner: usize, loser: usize) {
    let base = out.iter().find(|p| p.seed == winner).map_or(3, |p| p.place);
    for p in out.iter_mut() {
        if p.seed == winner {
            p.place = base;
            p.to = base;
        } else if p.seed == loser {
            p.place = base + 1;
            p.to = base + 1;
        }
    }
}

/// Entrants at the same place of their groups share a range of places,
/// starting after `offset`, from group place `from` on.
fn by_group_place(tables: &[Table], offset: usize, from: usize) -> Vec<Placing> {
    let mut at: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for t in tables {
        for (i, s) in t.standings.iter().enumerate() {
            if i + 1 >= from {
                at.entry(s.place).or_default().push(s.seed);
            }
        }
    }
    let mut out = Vec::new();
    let mut next = offset + 1;
    for seeds in at.values() {
        for &s in seeds {
            out.push(Placing {
                seed: s,
                place: next,
                to: next + seeds.len() - 1,
            });
        }
        next += seeds.len();
    }
    out
}

/// Checks a result for a match against the bracket as it stands.
pub fn check_result(
    b: &Bracket,
    state: &State,
    id: &str,
    result: &MatchResult,
) -> Result<(), BracketError> {
    let Some(m) = b.find(id) else {
        return Err(BracketError::new(
            "unknown_match",
            crate::msg!("bracket_no_match_here", id = id),
        ));
    };
    let Some(s) = state.find(id) else {
        return Err(BracketError::new(
            "unknown_match",
            crate::msg!("bracket_no_match", id = id),
        ));
    };
    if !s.needed {
        return Err(BracketError::new(
            "not_needed",
            crate::msg!("bracket_not_needed", id = id),
        ));
    }
    if s.home.is_none() || s.away.is_none() {
        return Err(BracketError::new(
            "sides_unknown",
            crate::msg!("bracket_sides_unknown", id = id),
        ));
    }
    if result.winner == Winner::Draw && !m.part.allows_draw() {
        return Err(BracketError::new(
            "draw_not_allowed",
            crate::msg!("bracket_needs_winner", id = id),
        ));
    }
    if result.winner == Winner::Draw && result.decision != Decision::Played {
        return Err(BracketError::new(
            "draw_not_allowed",
            crate::i18n::messages::Msg::new("bracket_walkover_winner"),
        ));
    }
    if let Some((h, a)) = result.score {
        if h < Decimal::ZERO || a < Decimal::ZERO {
            return Err(BracketError::new(
                "invalid_score",
                crate::i18n::messages::Msg::new("bracket_negative_score"),
            ));
        }
        if result.decision == Decision::Played {
            let agrees = match result.winner {
                Winner::Home => h > a,
                Winner::Away => a > h,
                Winner::Draw => h == a,
            };
            if !agrees {
                return Err(BracketError::new(
                    "score_disagrees",
                    crate::msg!("bracket_score_disagrees", home = h, away = a),
                ));
            }
        }
    }
    Ok(())
}

/// The matches whose results a change to match `id` would clear: those
/// whose sides would no longer be the same, and so on down the bracket.
pub fn resets(
    b: &Bracket,
    results: &BTreeMap<String, MatchResult>,
    id: &str,
    new: &MatchResult,
) -> Vec<String> {
    let before = resolve(b, results);
    let mut after_results = results.clone();
    after_results.insert(id.to_string(), new.clone());
    let mut cleared = Vec::new();
    loop {
        let after = resolve(b, &after_results);
        let changed: Vec<String> = after_results
            .keys()
            .filter(|k| k.as_str() != id)
            .filter(|k| {
                let (Some(x), Some(y)) = (before.find(k), after.find(k)) else {
                    return true;
                };
                x.home != y.home || x.away != y.away || !y.needed
            })
            .cloned()
            .collect();
        if changed.is_empty() {
            break;
        }
        for k in changed {
            after_results.remove(&k);
            cleared.push(k);
        }
    }
    cleared.sort();
    cleared
}
