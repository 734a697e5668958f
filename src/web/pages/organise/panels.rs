//! The contest's panels of judges: which judges mark which parts of the
//! scheme, the entries each judge may not mark and why, the judges and the
//! modules no panel takes, and the form that forms, changes or removes a
//! panel through the same workflow as the API.

use super::{form_again, managed, see_other};
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::{Catalog, Lang};
use crate::web::auth::Caller;
use crate::web::pages::forms::{FieldErrors, FormData, FORM};
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::marking::panels::{self, PanelInput, PanelsPage};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/panels")
            .get(page)
            .post(save),
    )
    .service(routes::path("/organise/contests/{id}/panels/delete").post(remove));
}

#[derive(Serialize)]
struct JudgeSeat {
    name: String,
    username: String,
    role: String,
    chief: bool,
    organisation: String,
    /// The entries the judge may not mark on this panel, by start number.
    conflicts: Vec<String>,
    conflict_text: String,
}

#[derive(Serialize)]
struct PanelRow {
    code: String,
    name: String,
    covers: Vec<String>,
    conflict_depth: Option<i32>,
    judges: Vec<JudgeSeat>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    note: String,
    level: u8,
    checked: bool,
}

/// What the form shows: typed values, and the judges and parts chosen.
struct Filled {
    values: BTreeMap<String, String>,
    judges: BTreeSet<String>,
    covers: BTreeSet<String>,
}

impl Filled {
    fn from_form(form: &FormData) -> Filled {
        Filled {
            values: form.values(),
            judges: form.all("judges").into_iter().collect(),
            covers: form.all("covers").into_iter().collect(),
        }
    }

    fn empty() -> Filled {
        Filled {
            values: BTreeMap::new(),
            judges: BTreeSet::new(),
            covers: BTreeSet::new(),
        }
    }
}

/// The catalog's words for a refusal of the panel form, beside the field
/// it concerns; a refusal the catalog has no words for keeps the rule's own.
fn refusal(catalog: &Catalog, lang: Lang, err: &AppError) -> FieldErrors {
    let key = |field: &str| -> Option<(&'static str, &'static str)> {
        let base = field.split('[').next().unwrap_or(field);
        Some(match base {
            "code" => ("code", "panel_error_code"),
            "name" => ("name", "panel_error_name"),
            "scheme" => (FORM, "panel_error_no_scheme"),
            "covers" if base != field => ("covers", "panel_error_unknown_part"),
            "covers" => ("covers", "panel_error_covers"),
            "judges" => ("judges", "panel_error_judges"),
            "conflict_depth" => ("conflict_depth", "panel_error_depth"),
            _ => return None,
        })
    };
    let known: Option<Vec<(&str, &str)>> = if err.details.is_empty() {
        None
    } else {
        err.details
            .iter()
            .map(|d| d.field.as_deref().and_then(key))
            .collect()
    };
    match known {
        Some(keys) => {
            let mut out = FieldErrors::default();
            for (field, k) in keys {
                out.add(catalog, lang, field, k);
            }
            out
        }
        None => FieldErrors::from_error(catalog, lang, err),
    }
}

fn render_page(
    state: &State,
    req: &HttpRequest,
    lang: Lang,
    page: PanelsPage,
    filled: Filled,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let catalog = &state.catalog;
    let role_of = |user: crate::engine::model::UserId| {
        page.judges
            .iter()
            .find(|j| j.account.id == user)
            .map(|j| j.role)
    };
    let panels: Vec<PanelRow> = page
        .panels
        .iter()
        .map(|p| PanelRow {
            code: p.panel.code.clone(),
            name: p.panel.name.clone(),
            covers: p.panel.covers.clone(),
            conflict_depth: p.panel.conflict_depth,
            judges: p
                .judges
                .iter()
                .map(|j| {
                    let role = role_of(j.user.id);
                    let organisation = page
                        .judges
                        .iter()
                        .find(|c| c.account.id == j.user.id)
                        .map(|c| lang.pick(&c.organisation.name_zh, &c.organisation.name_en))
                        .unwrap_or_default();
                    let conflicts: Vec<String> =
                        j.conflicts.iter().map(|c| c.start_number.clone()).collect();
                    let conflict_text = if conflicts.is_empty() {
                        String::new()
                    } else {
                        catalog.fill(
                            lang,
                            "panel_conflict_same_organisation",
                            &[
                                ("count", &conflicts.len().to_string()),
                                ("organisation", &organisation),
                            ],
                        )
                    };
                    JudgeSeat {
                        name: j.user.display_name.clone(),
                        username: j.user.username.clone(),
                        role: role
                            .map(|r| catalog.get(lang, &format!("role_{r}")))
                            .unwrap_or_default(),
                        chief: role == Some(crate::engine::model::ContestRole::ChiefJudge),
                        organisation,
                        conflicts,
                        conflict_text,
                    }
                })
                .collect(),
        })
        .collect();
    let judges: Vec<Choice> = page
        .judges
        .iter()
        .map(|j| Choice {
            value: j.account.id.0.to_string(),
            label: format!("{} ({})", j.account.display_name, j.account.username),
            note: format!(
                "{} · {}",
                catalog.get(lang, &format!("role_{}", j.role)),
                lang.pick(&j.organisation.name_zh, &j.organisation.name_en)
            ),
            level: 0,
            checked: filled.judges.contains(&j.account.id.0.to_string()),
        })
        .collect();
    let parts: Vec<Choice> = page
        .parts
        .iter()
        .map(|p| Choice {
            value: p.code.clone(),
            label: p.code.clone(),
            note: lang.pick(&p.name_zh, &p.name_en),
            level: p.level,
            checked: filled.covers.contains(&p.code),
        })
        .collect();
    let mut warnings: Vec<String> = page
        .coverage
        .idle_judges
        .iter()
        .map(|u| {
            catalog.fill(
                lang,
                "missing_judge_no_panel",
                &[("judge", &u.display_name)],
            )
        })
        .collect();
    for m in &page.coverage.uncovered {
        warnings.push(if m.whole {
            catalog.fill(lang, "missing_module_no_panel", &[("module", &m.module)])
        } else {
            catalog.fill(
                lang,
                "missing_aspects_no_panel",
                &[("module", &m.module), ("aspects", &m.aspects.join(", "))],
            )
        });
    }
    let failed = !errors.is_empty();
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &super::named_heading(lang, state, &page.contest));
    ctx.insert("section", "panels");
    ctx.insert("panels", &panels);
    ctx.insert("judge_choices", &judges);
    ctx.insert("parts", &parts);
    ctx.insert("has_scheme", &page.has_scheme);
    ctx.insert("warnings", &warnings);
    ctx.insert("v", &filled.values);
    ctx.insert("errors", &errors);
    if failed {
        form_again(state, req, "organise/panels.html", ctx, page.user)
    } else {
        render(state, req, "organise/panels.html", ctx, Some(page.user))
    }
}

#[derive(serde::Deserialize)]
struct PageQuery {
    edit: Option<String>,
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let page = state
        .db(move |conn| panels::panels_page(conn, &st.schemes, &actor, id))
        .await?;
    let mut filled = Filled::empty();
    if let Some(code) = query.into_inner().edit {
        if let Some(p) = page.panels.iter().find(|p| p.panel.code == code) {
            filled.values.insert("code".into(), p.panel.code.clone());
            filled.values.insert("name".into(), p.panel.name.clone());
            if let Some(d) = p.panel.conflict_depth {
                filled.values.insert("conflict_depth".into(), d.to_string());
            }
            filled.covers = p.panel.covers.iter().cloned().collect();
            filled.judges = p.panel.judges.iter().map(|u| u.0.to_string()).collect();
        }
    }
    render_page(&state, &req, lang, page, filled, FieldErrors::default())
}

/// The panel as the form sent it, or the fields it could not read.
fn read(form: &FormData, state: &State, lang: Lang) -> Result<PanelInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut judges = Vec::new();
    for j in form.all("judges") {
        match j.parse::<i64>() {
            Ok(u) => judges.push(u),
            Err(_) => errors.add(&state.catalog, lang, "judges", "panel_error_judges"),
        }
    }
    let depth = form.get("conflict_depth");
    let conflict_depth = if depth.is_empty() {
        None
    } else {
        match depth.parse::<i32>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(&state.catalog, lang, "conflict_depth", "panel_error_depth");
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PanelInput {
        code: form.get("code"),
        name: form.get("name"),
        covers: form.all("covers"),
        conflict_depth,
        judges,
    })
}

/// Forms a panel, or changes the one with the same code.
async fn save(
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
                Ok(input) => match panels::put_panel(conn, &st.schemes, &actor, id, input) {
                    Ok(_) => return Ok(Ok(())),
                    Err(e)
                        if e.kind.status().is_client_error()
                            && !matches!(e.kind, ErrorKind::Forbidden | ErrorKind::NotFound) =>
                    {
                        refusal(&st.catalog, lang, &e)
                    }
                    Err(e) => return Err(e),
                },
            };
            let page = panels::panels_page(conn, &st.schemes, &actor, id)?;
            Ok(Err((page, errors)))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/organise/contests/{id}/panels"))),
        Err((page, errors)) => {
            render_page(&state, &req, lang, page, Filled::from_form(&form), errors)
        }
    }
}

/// Removes a panel.
async fn remove(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let code = form.get("code");
    let actor = caller.actor;
    state
        .db(move |conn| {
            managed(conn, &actor, id)?;
            panels::delete_panel(conn, &actor, id, &code)
        })
        .await?;
    Ok(see_other(&format!("/organise/contests/{id}/panels")))
}
