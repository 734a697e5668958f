//! Registration: the contest's entries, and importing a registration file
//! with its row-by-row report shown before anything is saved.

use super::{managed, see_other};
use crate::engine::model::{ContestId, EntryId};
use crate::engine::registration::RegistrationRow;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::io::encoding::TextEncoding;
use crate::web::auth::Caller;
use crate::web::pages::forms::{read_multipart, FormData, Upload};
use crate::web::pages::render_status;
use crate::web::routes;
use crate::web::State;
use crate::workflow::registration::{self as workflow, Applied, EntryEdit, EntryView};
use crate::workflow::Connection;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organise/contests/{id}/entries").get(page))
        .service(routes::path("/organise/contests/{id}/entries/import").post(import))
        .service(routes::path("/organise/contests/{id}/entries/template.csv").get(template))
        .service(
            routes::path("/organise/contests/{id}/entries/{entry}/edit")
                .get(edit_form)
                .post(edit),
        )
        .service(
            routes::path("/organise/contests/{id}/entries/{entry}/withdraw")
                .get(withdraw_form)
                .post(withdraw),
        );
}

/// A registration file may not exceed this (some 20,000 rows).
const FILE_LIMIT: usize = 4 * 1024 * 1024;

/// Entries shown on one page of the list.
const PAGE_SIZE: usize = 100;

#[derive(Serialize)]
struct EntryRow {
    id: i64,
    start_number: String,
    names: String,
    organisation: String,
    group: String,
    withdrawn: bool,
}

#[derive(Serialize)]
struct RowProblem {
    row: String,
    column: String,
    message: String,
}

#[derive(Serialize)]
struct PlannedRow {
    row: usize,
    start_number: String,
    team: String,
    name: String,
    organisation: String,
    group: String,
}

/// What a checked file would do, or why it cannot be registered.
#[derive(Serialize, Default)]
struct Report {
    file_name: String,
    summary: String,
    problems: Vec<RowProblem>,
    rows: Vec<PlannedRow>,
    applied: Option<Applied>,
    /// The file as checked, to register with one more click.
    data: String,
    encoding: String,
}

/// The list's query: what was imported a moment ago, the search text, the
/// filters and the page, all in the address so that a list can be linked.
#[derive(Deserialize, Serialize, Default, Clone)]
struct Imported {
    imported: Option<usize>,
    #[serde(default)]
    q: String,
    /// `active`, `withdrawn`, or empty for both.
    #[serde(default)]
    status: String,
    /// A group code, or empty for every group.
    #[serde(default)]
    group: String,
    page: Option<usize>,
}

/// The page's contest and its entries, with the organiser's account.
struct Listing {
    head: super::Heading,
    user: crate::workflow::accounts::User,
    entries: Vec<EntryRow>,
    open: bool,
}

/// Whether an entry matches the search text: its start number, team name,
/// a member's name, or its organisation's code or name, ignoring case.
fn matches(v: &EntryView, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let has = |t: &str| t.to_lowercase().contains(&q);
    has(&v.entry.start_number)
        || v.entry.team_name.as_deref().is_some_and(has)
        || v.members.iter().any(|m| has(&m.name))
        || has(&v.organisation_code)
        || has(&v.organisation_name_zh)
        || has(&v.organisation_name_en)
}

/// Whether an entry passes the list's filters.
fn passes(v: &EntryView, query: &Imported) -> bool {
    let withdrawn = v.entry.status == crate::engine::model::EntryStatus::Withdrawn;
    let status = match query.status.as_str() {
        "active" => !withdrawn,
        "withdrawn" => withdrawn,
        _ => true,
    };
    let group =
        query.group.is_empty() || v.members.iter().any(|m| m.group.to_string() == query.group);
    status && group && matches(v, &query.q)
}

/// One entry's row in the list.
fn entry_row(v: &EntryView, state: &State, lang: Lang) -> EntryRow {
    let names = v
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    EntryRow {
        id: v.entry.id.0,
        start_number: v.entry.start_number.clone(),
        names: match &v.entry.team_name {
            Some(t) => format!("{t}（{names}）"),
            None => names,
        },
        organisation: lang.pick(&v.organisation_name_zh, &v.organisation_name_en),
        group: v
            .members
            .first()
            .map(|m| state.catalog.get(lang, &format!("group_{}", m.group)))
            .unwrap_or_default(),
        withdrawn: v.entry.status == crate::engine::model::EntryStatus::Withdrawn,
    }
}

/// The list's page of entries after the search and filters, with the
/// number of entries that passed them.
#[derive(Serialize, Default)]
struct Paging {
    total: usize,
    shown: usize,
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

fn paged(all: Vec<EntryRow>, query: &Imported, id: i64) -> (Vec<EntryRow>, Paging) {
    let total = all.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<EntryRow> = all
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let link = |p: usize| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", query.q.as_str()),
            ("status", query.status.as_str()),
            ("group", query.group.as_str()),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.append_pair("page", &p.to_string());
        format!("/organise/contests/{id}/entries?{}", q.finish())
    };
    let paging = Paging {
        total,
        shown: rows.len(),
        page,
        pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    };
    (rows, paging)
}

/// The contest's entries, for an organiser who may manage it.
fn listing(
    conn: &mut Connection,
    state: &State,
    actor: &crate::engine::access::Actor,
    id: ContestId,
    lang: Lang,
    query: &Imported,
) -> AppResult<Listing> {
    let (c, user) = managed(conn, actor, id)?;
    let head = super::heading(conn, lang, state, &c.contest)?;
    let entries = workflow::contest_entries(conn, id)?
        .iter()
        .filter(|v| passes(v, query))
        .map(|v| entry_row(v, state, lang))
        .collect();
    Ok(Listing {
        head,
        user,
        entries,
        open: c.contest.status.accepts_registrations(),
    })
}

fn show(
    state: &State,
    req: &HttpRequest,
    l: Listing,
    report: Option<Report>,
    query: &Imported,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(req);
    let (entries, paging) = paged(l.entries, query, l.head.id);
    let groups: Vec<(String, String)> = ["employee", "student"]
        .iter()
        .map(|g| {
            (
                g.to_string(),
                state.catalog.get(lang, &format!("group_{g}")),
            )
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &l.head);
    ctx.insert("section", "entries");
    ctx.insert("entries", &entries);
    ctx.insert("paging", &paging);
    ctx.insert("query", query);
    ctx.insert("groups", &groups);
    ctx.insert("open", &l.open);
    ctx.insert("report", &report);
    ctx.insert("imported", &query.imported);
    render_status(
        state,
        req,
        "organise/entries.html",
        ctx,
        Some(l.user),
        status,
    )
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Imported>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let query = query.into_inner();
    let q = query.clone();
    let l = state
        .db(move |conn| listing(conn, &st, &actor, id, lang, &q))
        .await?;
    show(&state, &req, l, None, &query, StatusCode::OK)
}

async fn import(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let mp = actix_multipart::Multipart::new(req.headers(), payload);
    let (form, files) = read_multipart(mp, FILE_LIMIT * 2).await?;
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let register = form.get("action") == "register";
    let encoding_name = form.get("encoding");
    let encoding = match encoding_name.as_str() {
        "" | "auto" => None,
        e => Some(
            e.parse::<TextEncoding>()
                .map_err(|m| AppError::invalid("encoding", m))?,
        ),
    };
    let (file_name, bytes) = uploaded(&form, &files)?;
    let actor = caller.actor;
    let hasher = state.hasher.clone();
    let st = state.clone();
    let (l, report) = state
        .db(move |conn| {
            let l = listing(conn, &st, &actor, id, lang, &Imported::default())?;
            let mut report = Report {
                file_name,
                data: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes),
                encoding: encoding.map(|e| e.name().to_string()).unwrap_or_default(),
                ..Report::default()
            };
            if bytes.is_empty() {
                report.summary = st.catalog.get(lang, "choose_a_file");
                return Ok((l, report));
            }
            let outcome = workflow::import_as(
                conn, &hasher, &actor, id, &bytes, encoding, "csv", !register,
            );
            match outcome {
                Ok(imported) => {
                    report.applied = Some(imported.applied);
                    if !register {
                        report.rows = planned(imported.rows, &st, lang);
                    }
                }
                Err(e) if e.kind.status().is_client_error() => {
                    report.summary = e.message.render(&st.catalog, lang);
                    report.problems = problems(&e, &st, lang);
                    report.data.clear();
                }
                Err(e) => return Err(e),
            }
            Ok((l, report))
        })
        .await?;
    match (&report.applied, register) {
        (Some(a), true) => Ok(see_other(&format!(
            "/organise/contests/{id}/entries?imported={}",
            a.entries_created
        ))),
        (Some(_), false) => show(
            &state,
            &req,
            l,
            Some(report),
            &Imported::default(),
            StatusCode::OK,
        ),
        (None, _) => show(
            &state,
            &req,
            l,
            Some(report),
            &Imported::default(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

/// The file's name and bytes, as uploaded or as checked a moment ago.
fn uploaded(form: &FormData, files: &BTreeMap<String, Upload>) -> AppResult<(String, Vec<u8>)> {
    match files.get("file") {
        Some(f) => Ok((f.name.clone(), f.bytes.clone())),
        None => Ok((
            form.get("file_name"),
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(form.get("data"))
                .map_err(|_| {
                    AppError::invalid("data", "the checked file did not come back intact")
                })?,
        )),
    }
}

/// Each row, column and reason of a refused file; the message alone when it
/// names none.
fn problems(e: &AppError, state: &State, lang: Lang) -> Vec<RowProblem> {
    let mut problems: Vec<RowProblem> = e
        .details
        .iter()
        .map(|d| RowProblem {
            row: d.row.map(|r| r.to_string()).unwrap_or_default(),
            column: d.column.clone().or(d.field.clone()).unwrap_or_default(),
            message: d.message.render(&state.catalog, lang),
        })
        .collect();
    if problems.is_empty() {
        problems.push(RowProblem {
            row: String::new(),
            column: String::new(),
            message: e.message.render(&state.catalog, lang),
        });
    }
    problems
}

/// The rows of a file that passed its checks, as they will be registered.
fn planned(rows: Vec<RegistrationRow>, state: &State, lang: Lang) -> Vec<PlannedRow> {
    rows.into_iter()
        .map(|r| PlannedRow {
            row: r.row,
            group: state.catalog.get(lang, &format!("group_{}", r.group)),
            start_number: r.start_number.unwrap_or_default(),
            team: r.team.unwrap_or_default(),
            name: r.name,
            organisation: r.organisation,
        })
        .collect()
}

/// A registration file to fill in, headed in the visitor's language.
async fn template(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let file = state
        .db(move |conn| workflow::registration_template(conn, &actor, id, lang == Lang::Zh))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"{}-registration.csv\"",
                file.contest_code
            ),
        ))
        .body(file.csv))
}

/// What the edit and withdraw pages show of an entry.
#[derive(Serialize)]
struct EntryForm {
    id: i64,
    start_number: String,
    team_name: String,
    names: String,
    organisation: String,
    members: usize,
    withdrawn: bool,
}

/// The contest, the organiser and the entry, for the edit and withdraw pages.
fn entry_page(
    conn: &mut Connection,
    state: &State,
    actor: &crate::engine::access::Actor,
    id: ContestId,
    entry: EntryId,
    lang: Lang,
) -> AppResult<(
    super::Heading,
    crate::workflow::accounts::User,
    EntryForm,
    bool,
)> {
    let (c, user) = managed(conn, actor, id)?;
    let head = super::heading(conn, lang, state, &c.contest)?;
    let v = workflow::managed_entry(conn, actor, id, entry)?;
    let row = entry_row(&v, state, lang);
    let form = EntryForm {
        id: v.entry.id.0,
        start_number: v.entry.start_number.clone(),
        team_name: v.entry.team_name.clone().unwrap_or_default(),
        names: row.names,
        organisation: row.organisation,
        members: v.members.len(),
        withdrawn: row.withdrawn,
    };
    Ok((head, user, form, c.contest.status.accepts_registrations()))
}

#[allow(clippy::too_many_arguments)]
fn show_entry(
    state: &State,
    req: &HttpRequest,
    template: &str,
    page: (
        super::Heading,
        crate::workflow::accounts::User,
        EntryForm,
        bool,
    ),
    values: BTreeMap<String, String>,
    errors: crate::web::pages::forms::FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (head, user, entry, open) = page;
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "entries");
    ctx.insert("entry", &entry);
    ctx.insert("open", &open);
    ctx.insert("v", &values);
    ctx.insert("errors", &errors);
    render_status(state, req, template, ctx, Some(user), status)
}

async fn edit_form(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let (id, entry) = path.into_inner();
    let (id, entry) = (ContestId(id), EntryId(entry));
    let actor = caller.actor;
    let st = state.clone();
    let page = state
        .db(move |conn| entry_page(conn, &st, &actor, id, entry, lang))
        .await?;
    let mut values = BTreeMap::new();
    values.insert("start_number".to_string(), page.2.start_number.clone());
    values.insert("team_name".to_string(), page.2.team_name.clone());
    show_entry(
        &state,
        &req,
        "organise/entry_edit.html",
        page,
        values,
        Default::default(),
        StatusCode::OK,
    )
}

async fn edit(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, entry) = path.into_inner();
    let (id, entry) = (ContestId(id), EntryId(entry));
    let actor = caller.actor;
    let st = state.clone();
    let change = EntryEdit {
        start_number: form.get("start_number"),
        team_name: Some(form.get("team_name")),
    };
    let outcome = state
        .db(move |conn| {
            let errors = match workflow::edit_entry(conn, &actor, id, entry, &change) {
                Ok(()) => return Ok(None),
                Err(e)
                    if e.kind.status().is_client_error()
                        && e.kind != crate::error::ErrorKind::Forbidden
                        && e.kind != crate::error::ErrorKind::NotFound =>
                {
                    crate::web::pages::forms::FieldErrors::from_error(&st.catalog, lang, &e)
                }
                Err(e) => return Err(e),
            };
            Ok(Some((
                entry_page(conn, &st, &actor, id, entry, lang)?,
                errors,
            )))
        })
        .await?;
    match outcome {
        None => Ok(see_other(&format!("/organise/contests/{id}/entries"))),
        Some((page, errors)) => show_entry(
            &state,
            &req,
            "organise/entry_edit.html",
            page,
            form.values(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

async fn withdraw_form(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let (id, entry) = path.into_inner();
    let (id, entry) = (ContestId(id), EntryId(entry));
    let actor = caller.actor;
    let st = state.clone();
    let page = state
        .db(move |conn| entry_page(conn, &st, &actor, id, entry, lang))
        .await?;
    show_entry(
        &state,
        &req,
        "organise/entry_withdraw.html",
        page,
        BTreeMap::new(),
        Default::default(),
        StatusCode::OK,
    )
}

async fn withdraw(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, entry) = path.into_inner();
    let (id, entry) = (ContestId(id), EntryId(entry));
    let actor = caller.actor;
    let st = state.clone();
    let reason = form.get("reason");
    let outcome = state
        .db(move |conn| {
            let mut errors = crate::web::pages::forms::FieldErrors::default();
            if reason.trim().is_empty() {
                errors.add(&st.catalog, lang, "reason", "field_required");
            } else {
                match workflow::withdraw_because(conn, &actor, id, entry, Some(&reason)) {
                    Ok(()) => return Ok(None),
                    Err(e)
                        if e.kind.status().is_client_error()
                            && e.kind != crate::error::ErrorKind::Forbidden
                            && e.kind != crate::error::ErrorKind::NotFound =>
                    {
                        errors = crate::web::pages::forms::FieldErrors::from_error(
                            &st.catalog,
                            lang,
                            &e,
                        );
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(Some((
                entry_page(conn, &st, &actor, id, entry, lang)?,
                errors,
            )))
        })
        .await?;
    match outcome {
        None => {
            state.live.changed(id);
            Ok(see_other(&format!("/organise/contests/{id}/entries")))
        }
        Some((page, errors)) => show_entry(
            &state,
            &req,
            "organise/entry_withdraw.html",
            page,
            form.values(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}
