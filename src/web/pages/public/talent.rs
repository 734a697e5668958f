//! The talent database search for organisers: the filters of
//! `GET /api/v1/talent`, a table of the competitors of their subtree with
//! published results or honours, each linked to the competitor's page,
//! and the CSV export with the same filters.

use crate::engine::access::Actor;
use crate::engine::model::{SkillLevel, Vocabulary};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::talent::{self, Filter, Profile};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/talent").get(page));
}

/// The filters, in the order the form shows them.
const FIELDS: [&str; 9] = [
    "name",
    "skill",
    "tier",
    "organisation",
    "award",
    "level",
    "honour",
    "honours_only",
    "attribute",
];

#[derive(Serialize)]
struct Choice {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    organisation: String,
    level: String,
    highest_tier: String,
    results: usize,
    best: String,
    awards: String,
    /// Each honour's name, with its state while in notice.
    honours: Vec<String>,
    frontline: String,
    job: String,
}

fn filter_of(values: &BTreeMap<String, String>) -> Filter {
    let get = |k: &str| values.get(k).cloned().filter(|v| !v.is_empty());
    Filter {
        skill: get("skill"),
        organisation: get("organisation"),
        tier: get("tier"),
        award: get("award"),
        level: get("level"),
        name: get("name"),
        honour: get("honour"),
        honours_only: get("honours_only").is_some_and(|v| v != "false" && v != "0"),
        attribute: get("attribute"),
    }
}

/// One table row per profile.
fn rows(
    state: &State,
    lang: Lang,
    profiles: Vec<Profile>,
    orgs: &HashMap<String, String>,
    tiers: &[Choice],
) -> Vec<Row> {
    let tier_name = |code: &str| {
        tiers
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    profiles
        .into_iter()
        .map(|p| {
            let attribute = |name: &str| p.attributes.as_ref().and_then(|a| a.get(name)).cloned();
            let best = p
                .records
                .iter()
                .min_by_key(|r| (std::cmp::Reverse(r.tier_rank), r.place))
                .map(|r| {
                    let place = usize::try_from(r.place).unwrap_or(0);
                    let place = crate::engine::standings::place_label(place, r.shared);
                    format!("{} · {place}", r.contest)
                })
                .unwrap_or_default();
            let awards = p
                .records
                .iter()
                .flat_map(|r| r.awards.iter())
                .map(|(code, name_zh)| lang.pick(name_zh, code))
                .collect::<Vec<_>>()
                .join("、");
            Row {
                id: p.competitor,
                name: p.name.clone(),
                organisation: orgs
                    .get(&p.organisation)
                    .cloned()
                    .unwrap_or_else(|| p.organisation.clone()),
                level: p
                    .skill_level
                    .map(|l| state.catalog.get(lang, &format!("level_{}", l.code())))
                    .unwrap_or_default(),
                highest_tier: p.highest_tier.as_deref().map(tier_name).unwrap_or_default(),
                results: p.records.len(),
                best,
                awards,
                honours: p
                    .honours
                    .iter()
                    .map(|h| {
                        let name = lang.pick(&h.name_zh, &h.name_en);
                        match h.state {
                            talent::HonourState::InNotice => format!(
                                "{name} ({})",
                                state.catalog.get(lang, "honour_state_in_notice")
                            ),
                            talent::HonourState::Awarded => name,
                        }
                    })
                    .collect(),
                frontline: match attribute("frontline").as_deref() {
                    Some("true") => state.catalog.get(lang, "talent_yes"),
                    Some("false") => state.catalog.get(lang, "talent_no"),
                    _ => String::new(),
                },
                job: attribute("job").unwrap_or_default(),
            }
        })
        .collect()
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    match actor {
        Actor::Organiser { .. } => {}
        Actor::Anonymous => return Err(AppError::unauthenticated("sign in as an organiser")),
        _ => return Err(AppError::forbidden("the talent search is for organisers")),
    }
    let q = q.into_inner();
    let values: BTreeMap<String, String> = FIELDS
        .iter()
        .map(|f| {
            let v = q.get(*f).map(|v| v.trim().to_string()).unwrap_or_default();
            (f.to_string(), v)
        })
        .collect();
    let filter = filter_of(&values);
    let st = state.clone();
    let found = state
        .db(move |conn| talent::search_page(conn, &st.publications, &actor, &filter))
        .await?;
    let orgs: HashMap<String, String> = found
        .organisations
        .iter()
        .map(|o| (o.code.clone(), lang.pick(&o.name_zh, &o.name_en)))
        .collect();
    let tiers: Vec<Choice> = found
        .tiers
        .into_iter()
        .map(|t| Choice {
            name: lang.pick(&t.name_zh, &t.name_en),
            code: t.code,
        })
        .collect();
    let skills: Vec<Choice> = found
        .skills
        .into_iter()
        .map(|s| Choice {
            name: lang.pick(&s.name_zh, &s.name_en),
            code: s.code,
        })
        .collect();
    let programmes: Vec<Choice> = found
        .programmes
        .iter()
        .map(|(code, zh, en)| Choice {
            code: code.clone(),
            name: lang.pick(zh, en),
        })
        .collect();
    let rows = rows(&state, lang, found.profiles, &orgs, &tiers);
    let user = found.account;
    let levels: Vec<Choice> = SkillLevel::ALL
        .iter()
        .map(|l| Choice {
            code: l.code().to_string(),
            name: state.catalog.get(lang, &format!("level_{}", l.code())),
        })
        .collect();
    let mut csv = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &values {
        if !v.is_empty() {
            csv.append_pair(k, v);
        }
    }
    let csv = csv.finish();
    let mut ctx = tera::Context::new();
    ctx.insert("values", &values);
    ctx.insert("skills", &skills);
    ctx.insert("tiers", &tiers);
    ctx.insert("levels", &levels);
    ctx.insert("programmes", &programmes);
    ctx.insert("rows", &rows);
    ctx.insert(
        "csv_url",
        &if csv.is_empty() {
            "/api/v1/talent.csv".to_string()
        } else {
            format!("/api/v1/talent.csv?{csv}")
        },
    );
    render(&state, &req, "public/talent.html", ctx, user)
}
