//! Setting a contest up: what it is (tier, skill, dates), who may enter,
//! and the award policy it starts with.

use super::{form_again, managed, organiser, see_other};
use crate::engine::model::{ContestId, Group};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{FieldErrors, FormData};
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::User;
use crate::workflow::contests::{contest_form, ContestChoices, ContestInput, EligibilityInput};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/new")
            .get(new_form)
            .post(create),
    )
    .service(
        routes::path("/organise/contests/{id}/edit")
            .get(edit_form)
            .post(update),
    );
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// The lists a contest form chooses from.
#[derive(Serialize)]
struct Choices {
    tiers: Vec<Choice>,
    skills: Vec<Choice>,
    organisations: Vec<Choice>,
    contests: Vec<Choice>,
    policies: Vec<Choice>,
    groups: Vec<Choice>,
}

fn choices(c: ContestChoices, lang: Lang, state: &State) -> AppResult<Choices> {
    let tiers = c
        .tiers
        .into_iter()
        .map(|t| Choice {
            value: t.id.0.to_string(),
            label: lang.pick(&t.name_zh, &t.name_en),
        })
        .collect();
    let skills = c
        .skills
        .into_iter()
        .map(|s| Choice {
            value: s.id.0.to_string(),
            label: format!("{} ({})", lang.pick(&s.name_zh, &s.name_en), s.code),
        })
        .collect();
    let organisations = c
        .organisations
        .into_iter()
        .map(|o| Choice {
            value: o.id.0.to_string(),
            label: format!("{} ({})", lang.pick(&o.name_zh, &o.name_en), o.code),
        })
        .collect();
    let contests = c
        .contests
        .into_iter()
        .map(|c| Choice {
            value: c.id.0.to_string(),
            label: format!("{} ({})", lang.pick(&c.name_zh, &c.name_en), c.code),
        })
        .collect();
    let mut policies = Vec::new();
    for (name, text) in crate::workflow::results::POLICIES.iter() {
        let p = crate::workflow::results::check_policy(text)?.policy;
        policies.push(Choice {
            value: name.to_string(),
            label: lang.pick(&p.name_zh, &p.name_en),
        });
    }
    let groups = ["employee", "student"]
        .iter()
        .map(|g| Choice {
            value: g.to_string(),
            label: state.catalog.get(lang, &format!("group_{g}")),
        })
        .collect();
    Ok(Choices {
        tiers,
        skills,
        organisations,
        contests,
        policies,
        groups,
    })
}

/// Reads the form into a contest body; what cannot be read is an error
/// beside its field, in the visitor's language.
fn read(form: &FormData, state: &State, lang: Lang) -> Result<ContestInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = |name: &str, errors: &mut FieldErrors| {
        let v = form.get(name);
        if v.is_empty() {
            errors.add(&state.catalog, lang, name, "field_required");
        }
        v
    };
    let code = text("code", &mut errors);
    let name_zh = text("name_zh", &mut errors);
    let name_en = text("name_en", &mut errors);
    let id = |name: &str, errors: &mut FieldErrors| -> i64 {
        let v = form.get(name);
        if v.is_empty() {
            errors.add(&state.catalog, lang, name, "field_required");
            return 0;
        }
        v.parse().unwrap_or_else(|_| {
            errors.add(&state.catalog, lang, name, "field_choose");
            0
        })
    };
    let skill_id = id("skill_id", &mut errors);
    let tier_id = id("tier_id", &mut errors);
    let organiser_org_id = id("organiser_org_id", &mut errors);
    let date = |name: &str, errors: &mut FieldErrors| {
        let v = form.get(name);
        if v.is_empty() {
            errors.add(&state.catalog, lang, name, "field_required");
            return chrono::NaiveDate::default();
        }
        chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").unwrap_or_else(|_| {
            errors.add(&state.catalog, lang, name, "field_date");
            chrono::NaiveDate::default()
        })
    };
    let starts_on = date("starts_on", &mut errors);
    let ends_on = date("ends_on", &mut errors);
    let reference_date = if form.get("reference_date").is_empty() {
        starts_on
    } else {
        date("reference_date", &mut errors)
    };
    let age = |name: &str, errors: &mut FieldErrors| -> Option<i32> {
        let v = form.get(name);
        if v.is_empty() {
            return None;
        }
        match v.parse::<i32>() {
            Ok(n) if (0..=120).contains(&n) => Some(n),
            _ => {
                errors.add(&state.catalog, lang, name, "field_age");
                None
            }
        }
    };
    let min_age = age("eligibility_min_age", &mut errors);
    let max_age = age("eligibility_max_age", &mut errors);
    let group = match form.get("eligibility_group").as_str() {
        "" => None,
        g => match g.parse::<Group>() {
            Ok(g) => Some(g),
            Err(_) => {
                errors.add(&state.catalog, lang, "eligibility_group", "field_choose");
                None
            }
        },
    };
    let within_organisation = match form.get("eligibility_within_organisation").as_str() {
        "" => None,
        v => v.parse().ok().or_else(|| {
            errors.add(
                &state.catalog,
                lang,
                "eligibility_within_organisation",
                "field_choose",
            );
            None
        }),
    };
    let mut qualified_from = Vec::new();
    for v in form.all("eligibility_qualified_from") {
        match v.parse() {
            Ok(n) => qualified_from.push(n),
            Err(_) => errors.add(
                &state.catalog,
                lang,
                "eligibility_qualified_from",
                "field_choose",
            ),
        }
    }
    let time_zone = match form.get("time_zone").trim() {
        "" => None,
        z => match crate::config::parse_time_zone(z) {
            Ok(tz) => Some(tz.name().to_string()),
            Err(_) => {
                errors.add(&state.catalog, lang, "time_zone", "field_time_zone");
                None
            }
        },
    };
    if errors.is_empty() && ends_on < starts_on {
        errors.add(&state.catalog, lang, "ends_on", "field_ends_before_start");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ContestInput {
        code,
        name_zh,
        name_en,
        skill_id,
        tier_id,
        organiser_org_id,
        starts_on,
        ends_on,
        reference_date,
        eligibility: EligibilityInput {
            min_age,
            max_age,
            group,
            within_organisation,
            qualified_from,
        },
        time_zone,
    })
}

/// The fields of the form, each present (empty) on a new form.
const FIELDS: &[&str] = &[
    "code",
    "name_zh",
    "name_en",
    "skill_id",
    "tier_id",
    "organiser_org_id",
    "starts_on",
    "ends_on",
    "reference_date",
    "eligibility_min_age",
    "eligibility_max_age",
    "eligibility_group",
    "eligibility_within_organisation",
    "policy",
    "time_zone",
];

/// The form's values for a contest as stored.
fn values_of(c: &crate::engine::model::Contest) -> BTreeMap<String, String> {
    let e = &c.eligibility;
    let mut v = BTreeMap::new();
    v.insert("code".into(), c.code.clone());
    v.insert("name_zh".into(), c.name_zh.clone());
    v.insert("name_en".into(), c.name_en.clone());
    v.insert("skill_id".into(), c.skill_id.0.to_string());
    v.insert("tier_id".into(), c.tier_id.0.to_string());
    v.insert("organiser_org_id".into(), c.organiser_org_id.0.to_string());
    v.insert("starts_on".into(), c.starts_on.to_string());
    v.insert("ends_on".into(), c.ends_on.to_string());
    v.insert("reference_date".into(), c.reference_date.to_string());
    v.insert("time_zone".into(), c.time_zone.clone());
    let opt = |x: Option<i32>| x.map(|n| n.to_string()).unwrap_or_default();
    v.insert("eligibility_min_age".into(), opt(e.min_age));
    v.insert("eligibility_max_age".into(), opt(e.max_age));
    v.insert(
        "eligibility_group".into(),
        e.group.map(|g| g.to_string()).unwrap_or_default(),
    );
    v.insert(
        "eligibility_within_organisation".into(),
        e.within_organisation
            .map(|o| o.0.to_string())
            .unwrap_or_default(),
    );
    v
}

/// What was sent, with every field of the form present.
fn filled(form: &FormData) -> BTreeMap<String, String> {
    let mut v = form.values();
    for f in FIELDS {
        v.entry(f.to_string()).or_default();
    }
    v
}

#[allow(clippy::too_many_arguments)]
fn page(
    state: &State,
    req: &HttpRequest,
    user: User,
    choices: Choices,
    values: BTreeMap<String, String>,
    qualified: Vec<String>,
    errors: FieldErrors,
    editing: Option<super::Heading>,
) -> AppResult<HttpResponse> {
    let mut ctx = tera::Context::new();
    ctx.insert("choices", &choices);
    ctx.insert("v", &values);
    ctx.insert("qualified", &qualified);
    ctx.insert("editing", &editing);
    if let Some(h) = &editing {
        ctx.insert("contest", h);
        ctx.insert("section", "edit");
    }
    let failed = !errors.is_empty();
    ctx.insert("errors", &errors);
    if failed {
        form_again(state, req, "organise/contest_form.html", ctx, user)
    } else {
        render(state, req, "organise/contest_form.html", ctx, Some(user))
    }
}

async fn new_form(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let form = state
        .db(move |conn| contest_form(conn, &actor, None))
        .await?;
    let (user, choices) = (form.user, choices(form.choices, lang, &state)?);
    let mut values: BTreeMap<String, String> = FIELDS
        .iter()
        .map(|f| (f.to_string(), String::new()))
        .collect();
    values.insert("policy".to_string(), "china-national".to_string());
    values.insert(
        "time_zone".to_string(),
        state.settings.time_zone.name().to_string(),
    );
    values.insert(
        "organiser_org_id".into(),
        user.organisation_id.0.to_string(),
    );
    page(
        &state,
        &req,
        user,
        choices,
        values,
        Vec::new(),
        FieldErrors::default(),
        None,
    )
}

async fn create(
    state: State,
    req: HttpRequest,
    caller: Caller,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let read = read(&form, &state, lang);
    let policy = form.get("policy");
    let outcome = state
        .db(move |conn| {
            organiser(conn, &actor)?;
            let errors = match read {
                Err(errors) => errors,
                Ok(input) => match crate::workflow::contests::create_contest_with_policy(
                    conn,
                    &st.schemes,
                    &actor,
                    input,
                    &policy,
                ) {
                    Ok(c) => return Ok(Ok(c.id)),
                    Err(e)
                        if e.kind.status().is_client_error()
                            && e.kind != crate::error::ErrorKind::Forbidden =>
                    {
                        FieldErrors::from_error(&st.catalog, lang, &e)
                    }
                    Err(e) => return Err(e),
                },
            };
            Ok(Err((contest_form(conn, &actor, None)?, errors)))
        })
        .await?;
    match outcome {
        Ok(id) => Ok(see_other(&format!("/organise/contests/{id}"))),
        Err((again, errors)) => {
            let qualified = form.all("eligibility_qualified_from");
            page(
                &state,
                &req,
                again.user,
                choices(again.choices, lang, &state)?,
                filled(&form),
                qualified,
                errors,
                None,
            )
        }
    }
}

async fn edit_form(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let form = state
        .db(move |conn| contest_form(conn, &actor, Some(id)))
        .await?;
    let editing = form
        .editing
        .ok_or_else(|| crate::error::AppError::internal("the contest being edited is missing"))?;
    let head = super::named_heading(lang, &state, &editing);
    let (user, choices, contest) = (
        form.user,
        choices(form.choices, lang, &state)?,
        editing.contest,
    );
    let qualified = contest
        .eligibility
        .qualified_from
        .iter()
        .map(|c| c.0.to_string())
        .collect();
    page(
        &state,
        &req,
        user,
        choices,
        values_of(&contest),
        qualified,
        FieldErrors::default(),
        Some(head),
    )
}

async fn update(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let read = read(&form, &state, lang);
    let outcome = state
        .db(move |conn| {
            managed(conn, &actor, id)?;
            let errors = match read {
                Err(errors) => errors,
                Ok(body) => {
                    match crate::workflow::contests::update_contest(conn, &actor, id, body) {
                        Ok(_) => return Ok(Ok(())),
                        Err(e)
                            if e.kind.status().is_client_error()
                                && e.kind != crate::error::ErrorKind::Forbidden =>
                        {
                            FieldErrors::from_error(&st.catalog, lang, &e)
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            Ok(Err((contest_form(conn, &actor, Some(id))?, errors)))
        })
        .await?;
    match outcome {
        Ok(()) => {
            state.live.changed(id);
            Ok(see_other(&format!("/organise/contests/{id}")))
        }
        Err((again, errors)) => {
            let qualified = form.all("eligibility_qualified_from");
            let head = again
                .editing
                .as_ref()
                .map(|c| super::named_heading(lang, &state, c));
            page(
                &state,
                &req,
                again.user,
                choices(again.choices, lang, &state)?,
                filled(&form),
                qualified,
                errors,
                head,
            )
        }
    }
}
