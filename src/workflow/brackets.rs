//! Brackets of a contest: built from its entries (seeded from an earlier
//! contest's standings, by hand, or by start number), results recorded as
//! appended rows, and corrections that reset later matches only once the
//! organiser confirms. Shared by the API and the pages.

use crate::engine::bracket::play::{
    check_result, resets, resolve, Decision, MatchResult, State, Winner,
};
use crate::engine::bracket::{build, seeding, Bracket, Format, Options};
use crate::engine::model::{ContestId, EntryId, EntryStatus, UserId};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::brackets as store;
use crate::store::entries::{self, EntryView};
use crate::store::{audit, contests, DbConnection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How the seeds are decided.
#[derive(Debug, Clone)]
pub enum SeedingInput {
    /// By place in another contest's latest publication (the ladder);
    /// entrants it does not place follow, by start number.
    FromContest(String),
    /// These entries of the contest, best first.
    Entries(Vec<i64>),
}

/// A request for a new bracket.
#[derive(Debug, Clone)]
pub struct NewBracketInput {
    /// Short name within the contest, e.g. `KO` or `final`.
    pub code: String,
    /// single, double, round-robin, groups or swiss.
    pub format: String,
    pub options: Options,
    /// Default: every active entry, by start number.
    pub seeding: Option<SeedingInput>,
    /// Keep entrants of one organisation apart in the early rounds.
    pub keep_apart: bool,
}

/// How a bracket's seeds were decided, as stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seeding {
    /// `start_number`, `hand` or `contest`.
    pub method: String,
    /// With `contest`: the contest and the publication version used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<i32>,
    /// Entrants of one organisation were moved apart.
    #[serde(default)]
    pub keep_apart: bool,
}

/// Who holds a seed.
#[derive(Debug, Clone, Serialize)]
pub struct Entrant {
    pub seed: usize,
    pub entry: i64,
    pub start_number: String,
    pub name: String,
    pub organisation: String,
}

/// A bracket as clients see it: structure, entrants, state and placings.
#[derive(Debug, Clone, Serialize)]
pub struct BracketView {
    pub id: i64,
    pub contest: i64,
    pub code: String,
    pub seeding: Seeding,
    pub entrants: Vec<Entrant>,
    pub bracket: Bracket,
    pub state: State,
}

fn bracket_error(e: crate::engine::bracket::BracketError) -> AppError {
    let kind = match e.code {
        "sides_unknown" | "not_needed" => ErrorKind::Conflict,
        "unknown_match" => ErrorKind::NotFound,
        _ => ErrorKind::Invalid,
    };
    AppError::new(kind, e.code, e.message)
}

fn entry_name(v: &EntryView) -> String {
    v.entry.team_name.clone().unwrap_or_else(|| {
        v.members
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
            .join("、")
    })
}

/// The members of an entry as one key (sorted competitor ids).
fn identity(v: &EntryView) -> String {
    let mut m: Vec<i64> = v.entry.members.iter().map(|m| m.0).collect();
    m.sort_unstable();
    m.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("+")
}

/// Builds and stores a bracket. Call inside `write_tx`.
pub fn create(
    conn: &mut DbConnection,
    contest: ContestId,
    input: &NewBracketInput,
    by: Option<UserId>,
) -> AppResult<i64> {
    let code = input.code.trim();
    check_bracket_code(code)?;
    if store::of_contest(conn, contest)?
        .iter()
        .any(|b| b.code == code)
    {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "code_taken",
            format!("this contest already has a bracket {code}"),
        ));
    }
    let format = Format::parse(&input.format).ok_or_else(|| {
        AppError::invalid(
            "format",
            format!(
                "unknown format `{}`: single, double, round-robin, groups or swiss",
                input.format
            ),
        )
    })?;
    let views = active_by_start_number(conn, contest)?;
    let method = |m: &str| Seeding {
        method: m.into(),
        contest: None,
        publication: None,
        keep_apart: input.keep_apart,
    };
    let (ordered, seeding): (Vec<EntryView>, Seeding) = match &input.seeding {
        None => (views, method("start_number")),
        Some(SeedingInput::Entries(ids)) => (seeded_by_hand(views, ids)?, method("hand")),
        Some(SeedingInput::FromContest(code)) => {
            let (out, publication) = seeded_from_contest(conn, code, views)?;
            (
                out,
                Seeding {
                    contest: Some(code.clone()),
                    publication: Some(publication),
                    ..method("contest")
                },
            )
        }
    };
    let bracket = build(format, ordered.len(), &input.options).map_err(bracket_error)?;
    let mut ordered = ordered;
    if input.keep_apart {
        let orgs: Vec<String> = ordered
            .iter()
            .map(|v| v.organisation_code.clone())
            .collect();
        let holder = seeding::keep_apart(&bracket, &orgs);
        ordered = holder.iter().map(|&h| ordered[h].clone()).collect();
    }
    let ids: Vec<i64> = ordered.iter().map(|v| v.entry.id.0).collect();
    let options =
        serde_json::to_string(&bracket.options).map_err(|e| AppError::internal(e.to_string()))?;
    let entrants = serde_json::to_string(&ids).map_err(|e| AppError::internal(e.to_string()))?;
    let seeding_text =
        serde_json::to_string(&seeding).map_err(|e| AppError::internal(e.to_string()))?;
    let id = store::insert(
        conn,
        contest,
        &store::NewBracket {
            code,
            format: &input.format,
            options: &options,
            entrants: &entrants,
            seeding: &seeding_text,
            by,
        },
    )?;
    audit::record(
        conn,
        by,
        "bracket.create",
        ("contest", Some(contest.0)),
        serde_json::json!({"bracket": id, "code": code, "format": input.format, "entrants": ids, "seeding": seeding}),
    )?;
    Ok(id)
}

/// Refuses a bracket code that is not 1 to 32 letters, digits, `-` or `_`.
fn check_bracket_code(code: &str) -> AppResult<()> {
    if code.is_empty()
        || code.len() > 32
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::invalid(
            "code",
            "a bracket code has 1 to 32 letters, digits, - or _",
        ));
    }
    Ok(())
}

/// The contest's active entries, by start number (numerically when it is
/// a number).
fn active_by_start_number(
    conn: &mut DbConnection,
    contest: ContestId,
) -> AppResult<Vec<EntryView>> {
    let mut views: Vec<EntryView> = entries::views_of_contest(conn, contest)?
        .into_iter()
        .filter(|v| v.entry.status == EntryStatus::Active)
        .collect();
    views.sort_by(|a, b| {
        crate::engine::standings::by_start_number(&a.entry.start_number, &b.entry.start_number)
    });
    Ok(views)
}

/// The entries `ids` lists, in its order; each must be one of `views`,
/// listed once.
fn seeded_by_hand(views: Vec<EntryView>, ids: &[i64]) -> AppResult<Vec<EntryView>> {
    if ids.len() > views.len() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "unknown_entry",
            format!(
                "seeding.entries lists {} entries; the contest has {} active entries",
                ids.len(),
                views.len()
            ),
        ));
    }
    let by_id: HashMap<i64, &EntryView> = views.iter().map(|v| (v.entry.id.0, v)).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            return Err(AppError::new(
                ErrorKind::Invalid,
                "duplicate_seed",
                format!("entry {id} is seeded twice (seeding.entries[{k}])"),
            ));
        }
        let v = by_id.get(id).ok_or_else(|| {
            AppError::new(
                ErrorKind::Invalid,
                "unknown_entry",
                format!("seeding.entries[{k}]: entry {id} is not an active entry of this contest"),
            )
        })?;
        out.push((*v).clone());
    }
    Ok(out)
}

/// `views` ordered by place in contest `code`'s latest publication, with
/// that publication's version.
fn seeded_from_contest(
    conn: &mut DbConnection,
    code: &str,
    views: Vec<EntryView>,
) -> AppResult<(Vec<EntryView>, i32)> {
    let from = contests::by_code(conn, code)?.ok_or_else(|| {
        AppError::invalid(
            "seeding.from_contest",
            format!("there is no contest {code}"),
        )
    })?;
    let p = crate::workflow::results::publication(conn, from.id, None).map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            AppError::invalid(
                "seeding.from_contest",
                format!("contest {code} has not published its results"),
            )
        } else {
            e
        }
    })?;
    let from_views = entries::views_of_contest(conn, from.id)?;
    let by_entry: HashMap<i64, String> = from_views
        .iter()
        .map(|v| (v.entry.id.0, identity(v)))
        .collect();
    let mut place_of: HashMap<String, usize> = HashMap::new();
    for row in p.view()?.standings() {
        let Some(entry) = row.entry() else {
            continue;
        };
        if let Some(who) = by_entry.get(&entry) {
            place_of.entry(who.clone()).or_insert(row.standing.place);
        }
    }
    let mut out = views;
    // A stable sort keeps start-number order within a place and
    // for everyone the publication does not place.
    out.sort_by_key(|v| place_of.get(&identity(v)).copied().unwrap_or(usize::MAX));
    Ok((out, p.version))
}

struct Loaded {
    row: store::BracketRow,
    bracket: Bracket,
    entry_ids: Vec<i64>,
    results: BTreeMap<String, MatchResult>,
}

fn load(conn: &mut DbConnection, id: i64) -> AppResult<Loaded> {
    let row = store::get(conn, id)?
        .ok_or_else(|| AppError::not_found(crate::msg!("bracket_missing", id = id)))?;
    let corrupt =
        |what: &str| AppError::internal(format!("bracket {id}: stored {what} is unreadable"));
    let format = Format::parse(&row.format).ok_or_else(|| corrupt("format"))?;
    let options: Options = serde_json::from_str(&row.options).map_err(|_| corrupt("options"))?;
    let entry_ids: Vec<i64> =
        serde_json::from_str(&row.entrants).map_err(|_| corrupt("entrants"))?;
    let bracket = build(format, entry_ids.len(), &options).map_err(|_| corrupt("structure"))?;
    let mut results = BTreeMap::new();
    for r in store::results(conn, id)? {
        match r.body {
            Some(body) => {
                let m: MatchResult = serde_json::from_str(&body).map_err(|_| corrupt("result"))?;
                results.insert(r.match_id, m);
            }
            None => {
                results.remove(&r.match_id);
            }
        }
    }
    Ok(Loaded {
        row,
        bracket,
        entry_ids,
        results,
    })
}

/// The contest a bracket belongs to.
pub fn contest_of(conn: &mut DbConnection, id: i64) -> AppResult<ContestId> {
    store::get(conn, id)?
        .map(|r| ContestId(r.contest_id))
        .ok_or_else(|| AppError::not_found(crate::msg!("bracket_missing", id = id)))
}

/// The bracket with its entrants, state and placings.
pub fn view(conn: &mut DbConnection, id: i64) -> AppResult<BracketView> {
    let l = load(conn, id)?;
    let contest = ContestId(l.row.contest_id);
    let views: HashMap<i64, EntryView> = entries::views_of_contest(conn, contest)?
        .into_iter()
        .map(|v| (v.entry.id.0, v))
        .collect();
    let entrants = l
        .entry_ids
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let v = views.get(e);
            Entrant {
                seed: i + 1,
                entry: *e,
                start_number: v.map(|v| v.entry.start_number.clone()).unwrap_or_default(),
                name: v.map(entry_name).unwrap_or_default(),
                organisation: v.map(|v| v.organisation_code.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let state = resolve(&l.bracket, &l.results);
    Ok(BracketView {
        id,
        contest: contest.0,
        code: l.row.code,
        seeding: serde_json::from_str(&l.row.seeding).map_err(|_| {
            AppError::internal(format!("bracket {id}: stored seeding is unreadable"))
        })?,
        entrants,
        bracket: l.bracket,
        state,
    })
}

/// A result as a client sends it.
#[derive(Debug, Clone)]
pub struct ResultInput {
    /// The winning entry's id, or "draw".
    pub winner: serde_json::Value,
    /// Home and away score, as decimals in strings.
    pub score: Option<(String, String)>,
    pub decision: Decision,
    /// Required when the match already has a result.
    pub reason: Option<String>,
    /// Confirms the resets a correction causes.
    pub confirm_reset: bool,
}

/// What recording a result did.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub r#match: String,
    pub corrected: bool,
    /// Matches whose results were cleared by the correction.
    pub reset: Vec<String>,
}

/// Records a match result. A correction needs a reason; when later
/// results depend on it, it is refused with the list of matches it would
/// reset until `confirm_reset` is given. Call inside `write_tx`.
pub fn record(
    conn: &mut DbConnection,
    id: i64,
    match_id: &str,
    input: &ResultInput,
    by: Option<UserId>,
) -> AppResult<Recorded> {
    let l = load(conn, id)?;
    let state = resolve(&l.bracket, &l.results);
    let Some(ms) = state.find(match_id) else {
        return Err(AppError::new(
            ErrorKind::NotFound,
            "unknown_match",
            format!("there is no match {match_id} in bracket {id}"),
        ));
    };
    let winner = winner_of(&input.winner, &l.entry_ids, (ms.home, ms.away), match_id)?;
    let result = MatchResult {
        winner,
        score: score_of(&input.score)?,
        decision: input.decision,
    };
    check_result(&l.bracket, &state, match_id, &result).map_err(bracket_error)?;
    let previous = l.results.get(match_id);
    let reason = correction_reason(input, previous.is_some(), match_id)?;
    if previous == Some(&result) {
        return Ok(Recorded {
            r#match: match_id.to_string(),
            corrected: false,
            reset: Vec::new(),
        });
    }
    let cleared = resets(&l.bracket, &l.results, match_id, &result);
    if !cleared.is_empty() && !input.confirm_reset {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "would_reset",
            format!(
                "this correction resets {}: send it again with \"confirm_reset\": true",
                cleared.join(", ")
            ),
        )
        .with_current(serde_json::json!({ "resets": cleared })));
    }
    let body = serde_json::to_string(&result).map_err(|e| AppError::internal(e.to_string()))?;
    store::append_result(conn, id, match_id, Some(&body), reason, by)?;
    for m in &cleared {
        let why = format!("reset by the correction of {match_id}");
        store::append_result(conn, id, m, None, Some(&why), by)?;
    }
    audit::record(
        conn,
        by,
        if previous.is_some() {
            "bracket.result.correct"
        } else {
            "bracket.result"
        },
        ("bracket", Some(id)),
        serde_json::json!({"match": match_id, "result": result, "previous": previous, "reason": reason, "reset": cleared}),
    )?;
    Ok(Recorded {
        r#match: match_id.to_string(),
        corrected: previous.is_some(),
        reset: cleared,
    })
}

/// The side an entry id (or "draw") names in a match between the seeds
/// `(home, away)`.
fn winner_of(
    winner: &serde_json::Value,
    entry_ids: &[i64],
    (home, away): (Option<usize>, Option<usize>),
    match_id: &str,
) -> AppResult<Winner> {
    let seed_of_entry = |entry: i64| entry_ids.iter().position(|e| *e == entry).map(|i| i + 1);
    match winner {
        serde_json::Value::String(s) if s == "draw" => Ok(Winner::Draw),
        serde_json::Value::Number(n) => {
            let entry = n
                .as_i64()
                .ok_or_else(|| AppError::invalid("winner", Msg::new("bracket_winner_form")))?;
            let seed = seed_of_entry(entry);
            match (seed, home, away) {
                (Some(s), Some(h), _) if s == h => Ok(Winner::Home),
                (Some(s), _, Some(a)) if s == a => Ok(Winner::Away),
                (_, Some(_), Some(_)) => Err(AppError::new(
                    ErrorKind::Invalid,
                    "not_in_match",
                    crate::msg!("bracket_not_in_match", entry = entry, id = match_id),
                )),
                _ => Err(AppError::new(
                    ErrorKind::Conflict,
                    "sides_unknown",
                    crate::msg!("bracket_sides_unknown", id = match_id),
                )),
            }
        }
        _ => Err(AppError::invalid("winner", Msg::new("bracket_winner_form"))),
    }
}

/// The home and away score, read as decimals.
fn score_of(score: &Option<(String, String)>) -> AppResult<Option<(Decimal, Decimal)>> {
    match score {
        None => Ok(None),
        Some((h, a)) => {
            let d = |field: &str, t: &str| {
                Decimal::from_str_exact(t.trim())
                    .map_err(|_| AppError::invalid(field, format!("`{t}` is not a decimal number")))
            };
            Ok(Some((d("score[0]", h)?, d("score[1]", a)?)))
        }
    }
}

/// The trimmed reason, if any: at most 500 characters, and required when
/// the match already has a result.
fn correction_reason<'a>(
    input: &'a ResultInput,
    has_result: bool,
    match_id: &str,
) -> AppResult<Option<&'a str>> {
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(r) = reason {
        if r.chars().count() > 500 {
            return Err(AppError::invalid("reason", "at most 500 characters"));
        }
    }
    if has_result && reason.is_none() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "reason_required",
            format!("match {match_id} already has a result: a correction needs a reason"),
        ));
    }
    Ok(reason)
}

/// Every result row of a bracket, resets included: the audit trail.
pub fn history(conn: &mut DbConnection, id: i64) -> AppResult<Vec<store::ResultRow>> {
    Ok(store::results(conn, id)?)
}

/// Records each entrant's place in a complete bracket as the measure
/// `bracket`, so that an award policy whose tie-break chain starts with
/// `bracket` ranks the contest by it, and its publication feeds awards and
/// advancement. Call inside `write_tx`.
pub fn apply_placings(
    conn: &mut DbConnection,
    id: i64,
    by: Option<UserId>,
) -> AppResult<Vec<(i64, usize)>> {
    let v = view(conn, id)?;
    if !v.state.complete {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "not_complete",
            format!(
                "bracket {} is not complete: its placings are not final",
                v.code
            ),
        ));
    }
    let contest = ContestId(v.contest);
    let mut out = Vec::new();
    for p in &v.state.placings {
        let Some(e) = v.entrants.get(p.seed - 1) else {
            continue;
        };
        crate::workflow::results::record_measure(
            conn,
            contest,
            EntryId(e.entry),
            &crate::workflow::results::MeasureInput {
                name: "bracket".into(),
                value: p.place.to_string(),
                reason: Some(format!("place in bracket {}", v.code)),
            },
            by,
        )?;
        out.push((e.entry, p.place));
    }
    audit::record(
        conn,
        by,
        "bracket.placings",
        ("bracket", Some(id)),
        serde_json::json!({"placings": out}),
    )?;
    Ok(out)
}

use crate::engine::access::Actor;
use crate::engine::model::Contest;
use crate::store::users::User;
use crate::store::write_tx;
use crate::workflow::allow;
use crate::workflow::contests::{load_contest, visible_contests, LoadedContest};

/// Checks the caller against the contest a bracket belongs to: may they
/// see it, or (with `manage`) run it? Returns the contest.
fn check_bracket(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    manage: bool,
) -> AppResult<LoadedContest> {
    let contest = contest_of(conn, id)?;
    let c = load_contest(conn, contest)?;
    let decision = if manage {
        actor.may_manage_contest(&c.scope())
    } else {
        actor.may_view_contest(&c.scope())
    };
    allow(actor.is_signed_in(), decision)?;
    Ok(c)
}

/// A bracket as the contest's list shows it.
#[derive(Debug, Clone)]
pub struct BracketSummary {
    pub id: i64,
    pub code: String,
    pub format: String,
    /// How its seeds were decided ([`Seeding`]); null when unreadable.
    pub seeding: serde_json::Value,
}

fn summaries(conn: &mut DbConnection, contest: ContestId) -> AppResult<Vec<BracketSummary>> {
    Ok(store::of_contest(conn, contest)?
        .into_iter()
        .map(|r| BracketSummary {
            id: r.id,
            code: r.code,
            format: r.format,
            seeding: serde_json::from_str(&r.seeding).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}

/// The contest's brackets (anyone who may see the contest).
pub fn brackets_of(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Vec<BracketSummary>> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    summaries(conn, contest)
}

/// The organisers' brackets page: the contest's brackets, and the other
/// contests the visitor sees, from which seeds may come.
pub struct BracketsPage {
    pub brackets: Vec<BracketSummary>,
    pub feeders: Vec<Contest>,
}

pub fn brackets_page(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<BracketsPage> {
    crate::workflow::contests::load_managed(conn, actor, contest)?;
    let brackets = summaries(conn, contest)?;
    let feeders = visible_contests(conn, actor)?
        .into_iter()
        .filter(|f| f.id != contest)
        .collect();
    Ok(BracketsPage { brackets, feeders })
}

/// Builds and stores a bracket for the contest (its organisers), with the
/// audit row; returns it with its state.
pub fn create_bracket(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    input: &NewBracketInput,
) -> AppResult<BracketView> {
    write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        let bracket = create(conn, contest, input, actor.user())?;
        view(conn, bracket)
    })
}

/// A bracket with its state and placings (anyone who may see its contest).
pub fn bracket(conn: &mut DbConnection, actor: &Actor, id: i64) -> AppResult<BracketView> {
    check_bracket(conn, actor, id, false)?;
    view(conn, id)
}

/// Every recorded result of a bracket, resets included (its organisers).
pub fn results_of(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Vec<store::ResultRow>> {
    check_bracket(conn, actor, id, true)?;
    history(conn, id)
}

/// Records or corrects a match result (the contest's organisers): see
/// [`record`].
pub fn record_result(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    match_id: &str,
    input: &ResultInput,
) -> AppResult<Recorded> {
    write_tx(conn, |conn| {
        check_bracket(conn, actor, id, true)?;
        record(conn, id, match_id, input, actor.user())
    })
}

/// Records the placings of a complete bracket (the contest's organisers):
/// see [`apply_placings`].
pub fn place_entrants(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Vec<(i64, usize)>> {
    check_bracket(conn, actor, id, true)?;
    write_tx(conn, |conn| apply_placings(conn, id, actor.user()))
}

/// The public bracket page: the bracket, its contest and the visitor's
/// account.
pub struct BracketPage {
    pub contest: Contest,
    pub view: BracketView,
    pub account: Option<User>,
}

pub fn bracket_page(conn: &mut DbConnection, actor: &Actor, id: i64) -> AppResult<BracketPage> {
    let c = check_bracket(conn, actor, id, false)?;
    let account = crate::workflow::accounts::account_of(conn, actor)?;
    Ok(BracketPage {
        contest: c.contest,
        view: view(conn, id)?,
        account,
    })
}

/// A bracket at its organisers' desk, with its contest.
pub struct ManagedBracket {
    pub contest: Contest,
    pub view: BracketView,
}

pub fn managed_bracket(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<ManagedBracket> {
    let c = check_bracket(conn, actor, id, true)?;
    Ok(ManagedBracket {
        contest: c.contest,
        view: view(conn, id)?,
    })
}
