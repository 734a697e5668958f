//! Paper forms typed in twice: the list of a contest's forms with the
//! choice of judge and module; the grid a typist fills in (entries by start
//! or blind number down, the module's aspects across), never showing the
//! other typist's values; and the chief judge's side-by-side list of the
//! cells where the two typings differ, each resolved with a value and a
//! reason. For the contest's organisers, supervisors, chief judge and
//! encryption officers.

use super::super::forms::FormData;
use super::super::render_status;
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts;
use crate::workflow::contests::load_contest;
use crate::workflow::paper::{self, CellValue, FormState, ResolutionInput, Typed, TypingInput};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/judge/contests/{id}/paper-forms").get(list))
        .service(
            routes::path("/judge/contests/{id}/paper-form")
                .get(form_page)
                .post(post_typing),
        )
        .service(
            routes::path("/judge/contests/{id}/paper-form/differences")
                .get(differences_page)
                .post(post_resolutions),
        );
}

/// Which form: the judge who wrote it and the module.
#[derive(Deserialize, Clone)]
struct Which {
    judge: i64,
    module: String,
}

#[derive(Serialize)]
struct Head {
    id: i64,
    code: String,
    name: String,
    status_name: String,
}

fn head(
    conn: &mut crate::workflow::Connection,
    state: &State,
    lang: Lang,
    id: ContestId,
) -> AppResult<Head> {
    let c = load_contest(conn, id)?.contest;
    Ok(Head {
        id: c.id.0,
        code: c.code.clone(),
        name: lang.pick(&c.name_zh, &c.name_en),
        status_name: state.catalog.get(lang, &format!("status_{}", c.status)),
    })
}

fn state_name(state: &State, lang: Lang, s: FormState) -> (String, String) {
    let code = serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let name = state.catalog.get(lang, &format!("paper_state_{code}"));
    (code, name)
}

/// A refusal in the reader's language, with its details.
fn refusal_text(state: &State, lang: Lang, e: &AppError) -> String {
    let mut text = e.message.render(&state.catalog, lang);
    for d in &e.details {
        text.push_str(" · ");
        text.push_str(&d.message.render(&state.catalog, lang));
    }
    text
}

fn user_of(
    conn: &mut crate::workflow::Connection,
    actor: &crate::engine::access::Actor,
) -> AppResult<accounts::User> {
    accounts::account_of(conn, actor)?.ok_or_else(|| AppError::unauthenticated("sign in"))
}

#[derive(Serialize)]
struct ListRow {
    judge: i64,
    judge_name: String,
    module: String,
    state: String,
    state_name: String,
    typings_in: usize,
    open: usize,
}

async fn list(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (l, head, user) = state
        .db(move |conn| {
            let l = paper::list(conn, &st.schemes, &actor, id)?;
            Ok((l, head(conn, &st, lang, id)?, user_of(conn, &actor)?))
        })
        .await?;
    let rows: Vec<ListRow> = l
        .forms
        .iter()
        .map(|f| {
            let (code, name) = state_name(&state, lang, f.state);
            ListRow {
                judge: f.judge,
                judge_name: f.judge_name.clone(),
                module: f.module.clone(),
                state: code,
                state_name: name,
                typings_in: f.typings_in,
                open: f.open_differences,
            }
        })
        .collect();
    let modules: Vec<(String, String)> = l
        .modules
        .iter()
        .map(|m| (m.code.clone(), lang.pick(&m.name_zh, &m.name_en)))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("forms", &rows);
    ctx.insert("judges", &l.judges);
    ctx.insert("modules", &modules);
    ctx.insert("chief", &l.chief);
    ctx.insert("may_print", &l.may_print);
    render_status(
        &state,
        &req,
        "judge/paper_forms.html",
        ctx,
        Some(user),
        StatusCode::OK,
    )
}

#[derive(Serialize)]
struct GridRow {
    entry: i64,
    label: String,
    cells: Vec<GridCell>,
}

#[derive(Serialize)]
struct GridCell {
    name: String,
    aspect: String,
    max: String,
    value: String,
}

/// Renders the grid for the caller, with what a typing came to or why it
/// was refused.
async fn render_form(
    state: State,
    req: HttpRequest,
    actor: crate::engine::access::Actor,
    id: ContestId,
    which: Which,
    result: Option<Result<Typed, AppError>>,
    typed: Option<Vec<CellValue>>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    if let Some(Err(e)) = &result {
        if !e.kind.status().is_client_error() {
            return Err(e.clone());
        }
    }
    let st = state.clone();
    let w = which.clone();
    let (f, head, user) = state
        .db(move |conn| {
            let f = paper::form(conn, &st.schemes, &actor, id, w.judge, &w.module)?;
            Ok((f, head(conn, &st, lang, id)?, user_of(conn, &actor)?))
        })
        .await?;
    // After a refusal the typist's values stay in the boxes; otherwise the
    // boxes show the caller's own standing typing, if any.
    let shown = typed.or_else(|| f.mine.clone()).unwrap_or_default();
    let value_of = |entry: i64, aspect: &str| {
        shown
            .iter()
            .find(|c| c.entry == entry && c.aspect == aspect)
            .and_then(|c| c.value.clone())
            .unwrap_or_default()
    };
    let rows: Vec<GridRow> = f
        .rows
        .iter()
        .map(|r| GridRow {
            entry: r.entry,
            label: r.label.clone(),
            cells: f
                .columns
                .iter()
                .map(|c| GridCell {
                    name: format!("cell-{}-{}", r.entry, c.aspect),
                    aspect: c.aspect.clone(),
                    max: c.max.normalize().to_string(),
                    value: value_of(r.entry, &c.aspect),
                })
                .collect(),
        })
        .collect();
    let columns: Vec<(String, String, String)> = f
        .columns
        .iter()
        .map(|c| {
            let d = match (&c.description_zh, lang) {
                (Some(zh), Lang::Zh) => zh.clone(),
                _ => c.description.clone(),
            };
            (c.aspect.clone(), d, c.max.normalize().to_string())
        })
        .collect();
    let (code, name) = state_name(&state, lang, f.state);
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("judge", &f.judge);
    ctx.insert("judge_name", &f.judge_name);
    ctx.insert("module", &f.module);
    ctx.insert(
        "module_name",
        &lang.pick(&f.module_name_zh, &f.module_name_en),
    );
    ctx.insert("blind", &f.blind);
    ctx.insert("state", &code);
    ctx.insert("state_name", &name);
    ctx.insert("typings_in", &f.typings_in);
    ctx.insert("has_mine", &f.mine.is_some());
    ctx.insert("may_type", &f.may_type);
    ctx.insert("open", &f.open_differences);
    ctx.insert("columns", &columns);
    ctx.insert("rows", &rows);
    let status = match result {
        Some(Ok(t)) => {
            let (code, _) = state_name(&state, lang, t.state);
            ctx.insert("outcome", &code);
            ctx.insert("outcome_marks", &t.marks);
            StatusCode::OK
        }
        Some(Err(e)) => {
            ctx.insert("refused", &refusal_text(&state, lang, &e));
            e.kind.status()
        }
        None => StatusCode::OK,
    };
    render_status(
        &state,
        &req,
        "judge/paper_form.html",
        ctx,
        Some(user),
        status,
    )
}

async fn form_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    which: web::Query<Which>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    render_form(state, req, caller.actor, id, which.into_inner(), None, None).await
}

async fn post_typing(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    which: web::Query<Which>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let which = which.into_inner();
    let actor = caller.actor;
    let replace = form.get("replace") == "1";
    // Every box of the grid is named `cell-{entry}-{aspect}`.
    let mut cells = Vec::new();
    for (name, value) in form.values() {
        let Some(rest) = name.strip_prefix("cell-") else {
            continue;
        };
        let Some((entry, aspect)) = rest.split_once('-') else {
            continue;
        };
        let Ok(entry) = entry.parse::<i64>() else {
            continue;
        };
        let v = value.trim().to_string();
        cells.push(CellValue {
            entry,
            aspect: aspect.to_string(),
            value: (!v.is_empty()).then_some(v),
        });
    }
    let st = state.clone();
    let who = actor.clone();
    let w = which.clone();
    let typed = cells.clone();
    let result = state
        .db(move |conn| {
            Ok(paper::type_form(
                conn,
                &st.schemes,
                &who,
                id,
                w.judge,
                &w.module,
                &TypingInput {
                    cells: typed,
                    replace,
                },
            ))
        })
        .await?;
    if result.as_ref().is_ok_and(|t| t.marks > 0) {
        state.live.changed(id);
    }
    let keep = result.is_err().then_some(cells);
    render_form(state, req, actor, id, which, Some(result), keep).await
}

#[derive(Serialize)]
struct DiffRow {
    entry: i64,
    label: String,
    aspect: String,
    name: String,
    first: String,
    second: String,
    resolved: Option<(String, String, String)>,
}

async fn render_differences(
    state: State,
    req: HttpRequest,
    actor: crate::engine::access::Actor,
    id: ContestId,
    which: Which,
    result: Option<Result<Typed, AppError>>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    if let Some(Err(e)) = &result {
        if !e.kind.status().is_client_error() {
            return Err(e.clone());
        }
    }
    let st = state.clone();
    let w = which.clone();
    let (d, head, user) = state
        .db(move |conn| {
            let d = paper::differences(conn, &st.schemes, &actor, id, w.judge, &w.module)?;
            Ok((d, head(conn, &st, lang, id)?, user_of(conn, &actor)?))
        })
        .await?;
    let blank = state.catalog.get(lang, "paper_blank");
    let show = |v: Option<rust_decimal::Decimal>| {
        v.map(|d| d.to_string()).unwrap_or_else(|| blank.clone())
    };
    let rows: Vec<DiffRow> = d
        .differences
        .iter()
        .map(|x| DiffRow {
            entry: x.entry,
            label: x.label.clone(),
            aspect: x.aspect.clone(),
            name: format!("{}-{}", x.entry, x.aspect),
            first: show(x.first),
            second: show(x.second),
            resolved: x
                .resolved
                .as_ref()
                .map(|r| (show(r.value), r.reason.clone(), r.by.clone())),
        })
        .collect();
    let (code, name) = state_name(&state, lang, d.state);
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("judge", &d.judge);
    ctx.insert("judge_name", &d.judge_name);
    ctx.insert("module", &d.module);
    ctx.insert("state", &code);
    ctx.insert("state_name", &name);
    ctx.insert("first_typist", &d.first_typist);
    ctx.insert("second_typist", &d.second_typist);
    ctx.insert("rows", &rows);
    ctx.insert(
        "open",
        &d.differences
            .iter()
            .filter(|x| x.resolved.is_none())
            .count(),
    );
    let status = match result {
        Some(Ok(t)) => {
            let (code, _) = state_name(&state, lang, t.state);
            ctx.insert("outcome", &code);
            StatusCode::OK
        }
        Some(Err(e)) => {
            ctx.insert("refused", &refusal_text(&state, lang, &e));
            e.kind.status()
        }
        None => StatusCode::OK,
    };
    render_status(
        &state,
        &req,
        "judge/paper_differences.html",
        ctx,
        Some(user),
        status,
    )
}

async fn differences_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    which: web::Query<Which>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    render_differences(state, req, caller.actor, id, which.into_inner(), None).await
}

async fn post_resolutions(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    which: web::Query<Which>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let which = which.into_inner();
    let actor = caller.actor;
    // Each cell's value `value-{entry}-{aspect}` and reason
    // `reason-{entry}-{aspect}`;
    // a cell without a reason is left for later.
    let values = form.values();
    let mut input = Vec::new();
    for (name, reason) in &values {
        let Some(rest) = name.strip_prefix("reason-") else {
            continue;
        };
        let Some((entry, aspect)) = rest.split_once('-') else {
            continue;
        };
        let Ok(entry) = entry.parse::<i64>() else {
            continue;
        };
        if reason.trim().is_empty() {
            continue;
        }
        let v = form.get(&format!("value-{rest}")).trim().to_string();
        input.push(ResolutionInput {
            entry,
            aspect: aspect.to_string(),
            value: (!v.is_empty()).then_some(v),
            reason: reason.clone(),
        });
    }
    let st = state.clone();
    let who = actor.clone();
    let w = which.clone();
    let result = state
        .db(move |conn| {
            Ok(paper::resolve(
                conn,
                &st.schemes,
                &who,
                id,
                w.judge,
                &w.module,
                &input,
            ))
        })
        .await?;
    if result.as_ref().is_ok_and(|t| t.marks > 0) {
        state.live.changed(id);
    }
    render_differences(state, req, actor, id, which, Some(result)).await
}
