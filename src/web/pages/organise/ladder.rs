//! After results: who advances to this contest from its feeders (review,
//! then confirm), and the contest's brackets.

use super::confirm::{self as confirmation, Confirmation};
use super::{managed, see_other};
use crate::engine::advancement::Outcome;
use crate::engine::bracket::Options;
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{FieldErrors, FormData};
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::advancement::{self, ProposalView};
use crate::workflow::brackets::{self, BracketsPage, NewBracketInput, Seeding, SeedingInput};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/advancement")
            .get(advancement)
            .post(confirm),
    )
    .service(routes::path("/organise/contests/{id}/advancement/confirm").get(confirm_page))
    .service(
        routes::path("/organise/contests/{id}/brackets")
            .get(brackets)
            .post(create_bracket),
    );
}

#[derive(Serialize)]
pub(super) struct LineRow {
    from: String,
    start_number: String,
    name: String,
    organisation: String,
    place: usize,
    score: String,
    outcome: String,
    pub(super) qualifies: bool,
    why: String,
}

#[derive(Deserialize)]
struct Done {
    confirmed: Option<usize>,
}

/// The advancement page's context: the proposal, or why there is none.
fn advancement_ctx(
    state: &State,
    lang: Lang,
    head: &super::Heading,
    open: bool,
    proposal: AppResult<ProposalView>,
) -> AppResult<tera::Context> {
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("section", "advancement");
    ctx.insert("open", &open);
    match proposal {
        Ok(view) => {
            let lines = proposal_rows(state, lang, &view);
            let qualifying = lines.iter().filter(|l| l.qualifies).count();
            ctx.insert("rules_version", &view.rules_version);
            ctx.insert("lines", &lines);
            ctx.insert("qualifying", &qualifying);
            ctx.insert("warnings", &view.warnings);
        }
        Err(e) if e.kind.status().is_client_error() => {
            ctx.insert("no_rules", &e.message.render(&state.catalog, lang));
        }
        Err(e) => return Err(e),
    }
    Ok(ctx)
}

/// A proposal's lines as the pages show them.
pub(super) fn proposal_rows(state: &State, lang: Lang, view: &ProposalView) -> Vec<LineRow> {
    view.proposal
        .lines
        .iter()
        .map(|l| LineRow {
            from: l.contest.clone(),
            start_number: l.key.clone(),
            name: l.name.clone(),
            organisation: l.organisation.clone(),
            place: l.place,
            score: l.score.normalize().to_string(),
            outcome: state.catalog.get(
                lang,
                match l.outcome {
                    Outcome::Qualifies => "outcome_qualifies",
                    Outcome::Reserve => "outcome_reserve",
                    Outcome::NotQualified => "outcome_not_qualified",
                },
            ),
            qualifies: l.outcome == Outcome::Qualifies,
            why: l.why.render(&state.catalog, lang),
        })
        .collect()
}

async fn advancement(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Done>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let open = c.contest.status.accepts_registrations();
            let proposal = advancement::proposal_for(conn, &actor, id);
            Ok((advancement_ctx(&st, lang, &head, open, proposal)?, user))
        })
        .await?;
    ctx.insert("confirmed", &query.confirmed);
    render(&state, &req, "organise/advancement.html", ctx, Some(user))
}

/// What confirming the proposal would do now.
fn advancement_confirmation(
    state: &State,
    lang: Lang,
    id: ContestId,
    open: bool,
    proposal: AppResult<ProposalView>,
) -> AppResult<Confirmation> {
    let cat = &state.catalog;
    let mut facts = Vec::new();
    let mut problems = Vec::new();
    match proposal {
        Ok(view) => {
            let p = &view.proposal;
            let qualifying = p.qualifiers().count().to_string();
            facts.push(cat.fill(
                lang,
                "cf_advance_fact",
                &[
                    ("added", &p.difference.added.len().to_string()),
                    ("qualifying", &qualifying),
                    ("version", &view.rules_version.to_string()),
                ],
            ));
            let added: Vec<String> = p
                .lines
                .iter()
                .filter(|l| {
                    p.difference
                        .added
                        .contains(&format!("{}/{}", l.contest, l.key))
                })
                .map(|l| format!("{} {} ({} {})", l.key, l.name, l.contest, l.place))
                .collect();
            if !added.is_empty() {
                facts.push(cat.fill(lang, "cf_advance_names", &[("names", &added.join("; "))]));
            }
            if !p.difference.no_longer_qualifying.is_empty() {
                facts.push(cat.fill(
                    lang,
                    "cf_advance_kept",
                    &[("names", &p.difference.no_longer_qualifying.join("; "))],
                ));
            }
            problems.extend(view.warnings.iter().cloned());
        }
        Err(e) if e.kind.status().is_client_error() => {
            problems.push(cat.get(lang, "no_rules"));
            problems.push(e.message.render(cat, lang));
        }
        Err(e) => return Err(e),
    }
    if !open {
        problems.push(cat.get(lang, "registration_closed"));
    }
    Ok(Confirmation {
        title: cat.get(lang, "confirm_advancement"),
        facts,
        problems,
        warning: cat.get(lang, "cf_advance_warning"),
        action: format!("/organise/contests/{id}/advancement"),
        fields: Vec::new(),
        button: cat.get(lang, "confirm_advancement"),
        back: format!("/organise/contests/{id}/advancement"),
    })
}

/// The confirmation page of the proposal (`unconfirmed`: a form came without it).
async fn confirmation_page(
    state: State,
    req: HttpRequest,
    actor: crate::engine::access::Actor,
    id: ContestId,
    unconfirmed: bool,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let st = state.clone();
    let (head, conf, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let open = c.contest.status.accepts_registrations();
            let proposal = advancement::proposal_for(conn, &actor, id);
            let conf = advancement_confirmation(&st, lang, id, open, proposal)?;
            Ok((head, conf, user))
        })
        .await?;
    confirmation::page(&state, &req, &head, "advancement", &conf, user, unconfirmed)
}

/// The page that asks to confirm the proposal.
async fn confirm_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    confirmation_page(state, req, caller.actor, id, false).await
}

async fn confirm(
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
    if !confirmation::given(&form) {
        return confirmation_page(state, req, actor, id, true).await;
    }
    let st = state.clone();
    let outcome = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            match advancement::confirm_qualifiers(conn, &actor, id) {
                Ok(list) => Ok(Ok(list.len())),
                Err(e) if e.kind.status().is_client_error() => {
                    let head = super::heading(conn, lang, &st, &c.contest)?;
                    let open = c.contest.status.accepts_registrations();
                    let proposal = advancement::proposal_for(conn, &actor, id);
                    let ctx = advancement_ctx(&st, lang, &head, open, proposal)?;
                    Ok(Err((ctx, user, e)))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(n) => Ok(see_other(&format!(
            "/organise/contests/{id}/advancement?confirmed={n}"
        ))),
        Err((mut ctx, user, e)) => {
            let errors = FieldErrors::from_error(&state.catalog, lang, &e);
            ctx.insert("errors", &errors);
            render_status(
                &state,
                &req,
                "organise/advancement.html",
                ctx,
                Some(user),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Serialize)]
struct BracketRow {
    id: i64,
    code: String,
    format: String,
    seeding: String,
}

/// The brackets page's context: the contest's brackets and the form for a new one.
fn brackets_ctx(
    state: &State,
    lang: Lang,
    head: &super::Heading,
    page: BracketsPage,
) -> tera::Context {
    let rows: Vec<BracketRow> = page
        .brackets
        .into_iter()
        .map(|b| BracketRow {
            id: b.id,
            format: state.catalog.get(lang, &format!("format_{}", b.format)),
            seeding: serde_json::from_value::<Seeding>(b.seeding)
                .map(|s| crate::web::pages::brackets::seeding_text(&state.catalog, lang, &s))
                .unwrap_or_default(),
            code: b.code,
        })
        .collect();
    let feeders: Vec<(String, String)> = page
        .feeders
        .iter()
        .map(|f| (f.code.clone(), lang.pick(&f.name_zh, &f.name_en)))
        .collect();
    let formats: Vec<(&str, String)> = ["single", "double", "round-robin", "groups", "swiss"]
        .iter()
        .map(|f| (*f, state.catalog.get(lang, &format!("format_{f}"))))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("section", "brackets");
    ctx.insert("formats", &formats);
    ctx.insert("brackets", &rows);
    ctx.insert("feeders", &feeders);
    ctx
}

async fn brackets(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let page = brackets::brackets_page(conn, &actor, id)?;
            Ok((brackets_ctx(&st, lang, &head, page), user))
        })
        .await?;
    ctx.insert("v", &FormData::default().values());
    ctx.insert("errors", &FieldErrors::default());
    render(&state, &req, "organise/brackets.html", ctx, Some(user))
}

/// Reads the bracket form; a number that cannot be read is an error beside its field.
fn bracket_input(form: &FormData) -> AppResult<NewBracketInput> {
    let number = |name: &str, default: usize| -> AppResult<usize> {
        let v = form.get(name);
        if v.is_empty() {
            return Ok(default);
        }
        v.parse()
            .map_err(|_| AppError::invalid(name, "must be a whole number"))
    };
    let options = Options {
        third_place: form.get("third_place") == "on",
        group_size: number("group_size", 0)?,
        advance: number("advance", 2)?,
        rounds: number("rounds", 0)?,
        ..Options::default()
    };
    let seeding = match form.get("seeding").as_str() {
        "" | "start_number" => None,
        "contest" => Some(SeedingInput::FromContest(form.get("from_contest"))),
        other => {
            return Err(AppError::invalid(
                "seeding",
                format!("'{other}' is not a way of seeding"),
            ))
        }
    };
    Ok(NewBracketInput {
        code: form.get("code"),
        format: form.get("format"),
        options,
        seeding,
        keep_apart: form.get("keep_apart") == "on",
    })
}

async fn create_bracket(
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
    let input = bracket_input(&form);
    let outcome = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let made = input.and_then(|input| brackets::create_bracket(conn, &actor, id, &input));
            match made {
                Ok(b) => Ok(Ok(b.id)),
                Err(e) if e.kind.status().is_client_error() => {
                    let head = super::heading(conn, lang, &st, &c.contest)?;
                    let page = brackets::brackets_page(conn, &actor, id)?;
                    Ok(Err((brackets_ctx(&st, lang, &head, page), user, e)))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(b) => {
            state.live.changed(id);
            Ok(see_other(&format!("/organise/brackets/{b}")))
        }
        Err((mut ctx, user, e)) => {
            let mut errors = FieldErrors::from_error(&state.catalog, lang, &e);
            if e.code == "code_taken" {
                errors = FieldErrors::default();
                errors.add(&state.catalog, lang, "code", "error_code_taken");
            }
            ctx.insert("errors", &errors);
            ctx.insert("v", &form.values());
            render_status(
                &state,
                &req,
                "organise/brackets.html",
                ctx,
                Some(user),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}
