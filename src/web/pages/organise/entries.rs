//! Registration: the contest's entries, and importing a registration file
//! with its row-by-row report shown before anything is saved.

use super::{managed, see_other};
use crate::engine::model::ContestId;
use crate::engine::registration::RegistrationRow;
use crate::error::{AppError, AppResult};
use crate::io::encoding::TextEncoding;
use crate::web::auth::Caller;
use crate::web::pages::forms::{read_multipart, FormData, Upload};
use crate::web::pages::i18n::Lang;
use crate::web::pages::render_status;
use crate::web::routes;
use crate::web::State;
use crate::workflow::registration::{self as workflow, Applied};
use crate::workflow::Connection;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organise/contests/{id}/entries").get(page))
        .service(routes::path("/organise/contests/{id}/entries/import").post(import));
}

/// A registration file may not exceed this (some 20,000 rows).
const FILE_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Serialize)]
struct EntryRow {
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

#[derive(Deserialize)]
struct Imported {
    imported: Option<usize>,
}

/// The page's contest and its entries, with the organiser's account.
struct Listing {
    head: super::Heading,
    user: crate::workflow::accounts::User,
    entries: Vec<EntryRow>,
    open: bool,
}

/// The contest's entries, for an organiser who may manage it.
fn listing(
    conn: &mut Connection,
    state: &State,
    actor: &crate::engine::access::Actor,
    id: ContestId,
    lang: Lang,
) -> AppResult<Listing> {
    let (c, user) = managed(conn, actor, id)?;
    let head = super::heading(conn, lang, state, &c.contest)?;
    let entries = workflow::contest_entries(conn, id)?
        .into_iter()
        .map(|v| {
            let names = v
                .members
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join("、");
            EntryRow {
                start_number: v.entry.start_number.clone(),
                names: match &v.entry.team_name {
                    Some(t) => format!("{t}（{names}）"),
                    None => names,
                },
                organisation: super::pick(lang, &v.organisation_name_zh, &v.organisation_name_en),
                group: v
                    .members
                    .first()
                    .map(|m| state.catalog.get(lang, &format!("group_{}", m.group)))
                    .unwrap_or_default(),
                withdrawn: v.entry.status == crate::engine::model::EntryStatus::Withdrawn,
            }
        })
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
    imported: Option<usize>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &l.head);
    ctx.insert("section", "entries");
    ctx.insert("entries", &l.entries);
    ctx.insert("open", &l.open);
    ctx.insert("report", &report);
    ctx.insert("imported", &imported);
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
    let l = state
        .db(move |conn| listing(conn, &st, &actor, id, lang))
        .await?;
    show(&state, &req, l, None, query.imported, StatusCode::OK)
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
            let l = listing(conn, &st, &actor, id, lang)?;
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
        (Some(_), false) => show(&state, &req, l, Some(report), None, StatusCode::OK),
        (None, _) => show(
            &state,
            &req,
            l,
            Some(report),
            None,
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
