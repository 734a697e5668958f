//! A competitor's page: their published results across contests and tiers
//! (only contests the visitor may view) and their honours (on lists in
//! public notice or closed, public anyway), and, for the competitor and the
//! organisers over them, the contests they are entered in whose results
//! are not published yet and a per-criterion profile drawn by the server as an
//! SVG chart with a table of the same figures. Never identity numbers or
//! birth dates.

use crate::engine::model::{CompetitorId, ContestId, EntryId, Vocabulary};
use crate::engine::scoring::Layout;
use crate::engine::standings::displayed;
use crate::error::{AppResult, ErrorKind};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::marking::Schemes;
use crate::workflow::results::{ResultsView, Sheet};
use crate::workflow::talent::{coming_registrations, competitor_results, PublishedResult};
use crate::workflow::Connection;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/competitors/{id}").get(page))
        .service(routes::path("/contests/{id}/entries/{entry}/score-sheet.pdf").get(score_sheet));
}

/// The chart's geometry, in SVG user units.
const BAR_WIDTH: f64 = 240.0;
const ROW_HEIGHT: u32 = 34;

#[derive(Serialize)]
struct Bar {
    code: String,
    label: String,
    mark: String,
    max: String,
    percent: String,
    label_y: u32,
    bar_y: u32,
    value_y: u32,
    width: String,
}

#[derive(Serialize)]
struct Chart {
    height: u32,
    bars: Vec<Bar>,
}

#[derive(Serialize)]
struct Record {
    contest_id: i64,
    entry_id: i64,
    contest: String,
    code: String,
    tier: String,
    skill: String,
    start_number: String,
    place: String,
    total: String,
    standardised: String,
    awards: String,
    version: i32,
    chart: Option<Chart>,
}

/// A contest the competitor is entered in, results not yet published.
#[derive(Serialize)]
struct Coming {
    contest_id: i64,
    contest: String,
    code: String,
    tier: String,
    skill: String,
    start_number: String,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    status: String,
    /// Whether marking is over, so that an appeal may be on its way.
    marked: bool,
}

/// An honour on a list in notice or closed.
#[derive(Serialize)]
struct Honour {
    programme: String,
    code: String,
    tier: String,
    awarding: String,
    confirmed_on: chrono::NaiveDate,
    list_version: i32,
    state: String,
    state_code: &'static str,
}

/// One year of the person's profile, for those who may see the details.
#[derive(Serialize)]
struct Year {
    year: i32,
    best_tier: String,
    results: usize,
    awards: usize,
    levels: String,
    honours: String,
}

#[derive(Serialize)]
struct Person {
    name: String,
    organisation: String,
    group: String,
    level: String,
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = CompetitorId(path.into_inner());
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (person, detailed, records, coming, honours, years, user) = state
        .db(move |conn| {
            let found = competitor_results(conn, &st.publications, &actor, id)?;
            let coming = coming_registrations(conn, &actor, id)?
                .into_iter()
                .map(|r| Coming {
                    contest_id: r.contest.id.0,
                    contest: lang.pick(&r.contest.name_zh, &r.contest.name_en),
                    code: r.contest.code.clone(),
                    tier: r
                        .tier
                        .as_ref()
                        .map(|t| lang.pick(&t.name_zh, &t.name_en))
                        .unwrap_or_default(),
                    skill: r
                        .skill
                        .as_ref()
                        .map(|s| lang.pick(&s.name_zh, &s.name_en))
                        .unwrap_or_default(),
                    start_number: r.start_number,
                    starts_on: r.contest.starts_on,
                    ends_on: r.contest.ends_on,
                    marked: r.contest.status == crate::engine::model::ContestStatus::MarkingClosed,
                    status: st
                        .catalog
                        .get(lang, &format!("status_{}", r.contest.status)),
                })
                .collect::<Vec<_>>();
            let (c, org, detailed) = (&found.competitor, &found.organisation, found.detailed);
            let records = records(conn, &st.schemes, lang, &found.results, detailed)?;
            let tiers = crate::workflow::reference::tiers(conn)?;
            let honours = found
                .honours
                .iter()
                .map(|h| Honour {
                    programme: lang.pick(&h.name_zh, &h.name_en),
                    code: h.programme.clone(),
                    tier: tiers
                        .iter()
                        .find(|t| t.code == h.tier)
                        .map_or_else(|| h.tier.clone(), |t| lang.pick(&t.name_zh, &t.name_en)),
                    awarding: lang.pick(&h.awarding_zh, &h.awarding_en),
                    confirmed_on: h.confirmed_on,
                    list_version: h.list_version,
                    state: st
                        .catalog
                        .get(lang, &format!("honour_state_{}", h.state.code())),
                    state_code: h.state.code(),
                })
                .collect::<Vec<_>>();
            let person = Person {
                name: c.name.clone(),
                organisation: lang.pick(&org.name_zh, &org.name_en),
                group: if detailed {
                    st.catalog.get(lang, &format!("group_{}", c.group.code()))
                } else {
                    String::new()
                },
                level: match (detailed, c.skill_level) {
                    (true, Some(l)) => st.catalog.get(lang, &format!("level_{}", l.code())),
                    _ => String::new(),
                },
            };
            let years = if detailed {
                years(conn, &st, lang, &actor, id, &tiers, &found.honours)?
            } else {
                Vec::new()
            };
            Ok((
                person, detailed, records, coming, honours, years, found.user,
            ))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("person", &person);
    ctx.insert("detailed", &detailed);
    ctx.insert("records", &records);
    ctx.insert("coming", &coming);
    ctx.insert("honours", &honours);
    ctx.insert("years", &years);
    render(&state, &req, "public/competitor.html", ctx, user)
}

/// The person's profile year by year, oldest first; empty when they have
/// no profile yet.
fn years(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &crate::engine::access::Actor,
    id: CompetitorId,
    tiers: &[crate::engine::model::Tier],
    honours: &[crate::workflow::talent::HonourRecord],
) -> AppResult<Vec<Year>> {
    let profile = match crate::workflow::talent::profile_of(conn, &state.publications, actor, id) {
        Ok(p) => p,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let tier_name = |code: &str| {
        tiers
            .iter()
            .find(|t| t.code == code)
            .map_or_else(|| code.to_string(), |t| lang.pick(&t.name_zh, &t.name_en))
    };
    Ok(profile
        .summary
        .years
        .into_iter()
        .map(|y| Year {
            year: y.year,
            best_tier: y.best_tier.as_deref().map(tier_name).unwrap_or_default(),
            results: y.results,
            awards: y.awards,
            levels: y
                .levels
                .iter()
                .map(|l| state.catalog.get(lang, &format!("level_{l}")))
                .collect::<Vec<_>>()
                .join("、"),
            honours: y
                .honours
                .iter()
                .map(|code| {
                    honours
                        .iter()
                        .find(|h| &h.programme == code)
                        .map_or_else(|| code.clone(), |h| lang.pick(&h.name_zh, &h.name_en))
                })
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect())
}

/// The competitor's published results, highest tier first.
fn records(
    conn: &mut Connection,
    schemes: &Schemes,
    lang: Lang,
    results: &[PublishedResult],
    detailed: bool,
) -> AppResult<Vec<Record>> {
    let mut out = Vec::new();
    for r in results {
        let Some(found) = published_line(&r.view, r.entry, lang) else {
            continue;
        };
        let chart = match r.view.sheets.get(&found.key) {
            Some(sheet) if detailed => chart(
                conn,
                schemes,
                lang,
                r.contest.id,
                r.view.scheme_version,
                sheet,
            )?,
            _ => None,
        };
        let (tier, rank) = r
            .tier
            .as_ref()
            .map(|t| (lang.pick(&t.name_zh, &t.name_en), t.rank))
            .unwrap_or_default();
        out.push((
            rank,
            Record {
                contest_id: r.contest.id.0,
                entry_id: r.entry.0,
                contest: lang.pick(&r.contest.name_zh, &r.contest.name_en),
                code: r.contest.code.clone(),
                tier,
                skill: r
                    .skill
                    .as_ref()
                    .map(|s| lang.pick(&s.name_zh, &s.name_en))
                    .unwrap_or_default(),
                start_number: found.key,
                place: found.place,
                total: found.total,
                standardised: found.standardised,
                awards: found.awards,
                version: r.version,
                chart,
            },
        ));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

struct Line {
    key: String,
    place: String,
    total: String,
    standardised: String,
    awards: String,
}

/// The entry's line in a publication's ranking.
fn published_line(view: &ResultsView, entry: EntryId, lang: Lang) -> Option<Line> {
    let row = view.standing_of_entry(entry.0)?;
    let s = row.standing;
    Some(Line {
        key: s.key.clone(),
        place: row.place_label(),
        total: s.total.to_string(),
        standardised: s.standardised.to_string(),
        awards: s
            .awards
            .iter()
            .map(|x| lang.pick(&x.name_zh, &x.name_en))
            .collect::<Vec<_>>()
            .join(" · "),
    })
}

/// Each criterion's mark as a share of its maximum, from the entry's
/// published score sheet and the scheme version it was marked under.
fn chart(
    conn: &mut Connection,
    schemes: &Schemes,
    lang: Lang,
    contest: ContestId,
    version: i32,
    sheet: &Sheet,
) -> AppResult<Option<Chart>> {
    let layout = match schemes.version(conn, contest, version) {
        Ok(l) => l,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let criteria = criteria_of(&layout, lang);
    let mut bars = Vec::new();
    for (code, mark) in &sheet.criteria {
        let (code, mark) = (code.as_str(), *mark);
        let Some((label, max)) = criteria.get(code) else {
            continue;
        };
        if *max <= Decimal::ZERO {
            continue;
        }
        let percent = displayed(mark * Decimal::ONE_HUNDRED / *max, 1)
            .clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
        let k = u32::try_from(bars.len()).unwrap_or(u32::MAX / ROW_HEIGHT - 1);
        let share: f64 = percent.to_string().parse().unwrap_or(0.0);
        bars.push(Bar {
            code: code.to_string(),
            label: label.clone(),
            mark: mark.to_string(),
            max: max.to_string(),
            percent: percent.to_string(),
            label_y: k * ROW_HEIGHT + 13,
            bar_y: k * ROW_HEIGHT + 17,
            value_y: k * ROW_HEIGHT + 27,
            width: format!("{:.1}", BAR_WIDTH * share / 100.0),
        });
    }
    if bars.is_empty() {
        return Ok(None);
    }
    let height = u32::try_from(bars.len()).unwrap_or(0) * ROW_HEIGHT + 4;
    Ok(Some(Chart { height, bars }))
}

/// Each criterion's name in the visitor's language and its maximum.
fn criteria_of(layout: &Layout, lang: Lang) -> HashMap<String, (String, Decimal)> {
    let mut out = HashMap::new();
    for m in &layout.scheme.modules {
        for c in &m.criteria {
            let max: Decimal = c
                .sub_criteria
                .iter()
                .flat_map(|s| s.aspects.iter().map(|a| a.max))
                .sum();
            let name = lang.pick(&c.name_zh, &c.name_en);
            out.insert(c.code.clone(), (format!("{} {}", c.code, name), max));
        }
    }
    out
}

/// An entry's published score sheet as a PDF, for its own competitors (and
/// those who supervise the contest), in the reader's language.
async fn score_sheet(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    use crate::workflow::documents::{Kind, Request};
    let (id, entry) = path.into_inner();
    let (lang, _) = Lang::of_request(&req);
    let mut request = Request::new(
        Kind::ScoreSheet,
        ContestId(id),
        &crate::web::shared::public_url(&state, &req),
    );
    request.entry = Some(EntryId(entry));
    let pdf = crate::web::shared::pdf(&state, caller, lang, request).await?;
    Ok(crate::web::shared::pdf_response(pdf))
}
