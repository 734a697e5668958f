//! Contests: set-up, lifecycle, judges and judges' private links.

use super::{allow, check_code, check_text, load_contest, LoadedContest};
use crate::engine::access::Actor;
use crate::engine::model::{
    ContestId, ContestStatus, Eligibility, Group, JudgeRole, OrganisationId, SkillId, TierId,
    UserId, UserKind,
};
use crate::error::{AppError, AppResult};
use crate::store::contests::{self as store, Assignment, ContestFields};
use crate::store::users::{self, TokenKind};
use crate::store::{audit, organisations, reference, write_tx, DbConnection};
use crate::web::auth::{issue_token, Caller, TokenOrigin};
use crate::web::State;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/contests", web::get().to(list))
        .route("/contests", web::post().to(create))
        .route("/contests/{id}", web::get().to(show))
        .route("/contests/{id}", web::put().to(update))
        .route("/contests/{id}/status", web::post().to(set_status))
        .route("/contests/{id}/judges", web::get().to(judges))
        .route("/contests/{id}/judges/{user}", web::put().to(assign))
        .route("/contests/{id}/judges/{user}", web::delete().to(unassign))
        .route(
            "/contests/{id}/judges/{user}/links",
            web::post().to(create_link),
        )
        .route("/contests/{id}/judge-links", web::get().to(links))
        .route(
            "/contests/{id}/judge-links/{link}/revoke",
            web::post().to(revoke_link),
        );
}

/// The contests the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/contests",
    tag = "contests",
    responses(
        (status = 200, description = "The visible contests", body = Vec<super::openapi::Contest>)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller) -> AppResult<HttpResponse> {
    let actor = caller.actor;
    let visible = state
        .db(move |conn| super::visible_contests(conn, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(visible))
}

/// One contest.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The contest", body = super::openapi::Contest),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn show(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let contest = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            Ok(c.contest)
        })
        .await?;
    Ok(HttpResponse::Ok().json(contest))
}

#[derive(Deserialize, Clone, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "ZJ-2027-W", "name_zh": "2027年焊工竞赛", "name_en": "Welding 2027", "skill_id": 1, "tier_id": 3, "organiser_org_id": 2, "starts_on": "2027-10-12", "ends_on": "2027-10-14", "reference_date": "2027-10-12", "eligibility": {"min_age": 16, "max_age": 60}}))]
pub struct ContestBody {
    #[schema(pattern = "^[A-Za-z0-9._-]{1,40}$")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub skill_id: i64,
    pub tier_id: i64,
    pub organiser_org_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reference_date: NaiveDate,
    #[serde(default)]
    pub eligibility: EligibilityBody,
}

#[derive(Deserialize, Clone, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityBody {
    #[schema(minimum = 0, maximum = 120)]
    pub min_age: Option<i32>,
    #[schema(minimum = 0, maximum = 120)]
    pub max_age: Option<i32>,
    #[schema(schema_with = super::openapi::group_or_null)]
    pub group: Option<Group>,
    pub within_organisation: Option<i64>,
    #[serde(default)]
    pub qualified_from: Vec<i64>,
}

/// Checks a contest body against the rules and the database.
fn contest_fields(
    conn: &mut DbConnection,
    b: ContestBody,
    own_id: Option<ContestId>,
) -> AppResult<ContestFields> {
    let code = check_code("code", &b.code)?;
    let name_zh = check_text("name_zh", &b.name_zh, 200)?;
    let name_en = check_text("name_en", &b.name_en, 300)?;
    if b.ends_on < b.starts_on {
        return Err(AppError::invalid(
            "ends_on",
            format!("{} is before starts_on {}", b.ends_on, b.starts_on),
        ));
    }
    let e = &b.eligibility;
    for (field, age) in [
        ("eligibility.min_age", e.min_age),
        ("eligibility.max_age", e.max_age),
    ] {
        if let Some(a) = age {
            if !(0..=120).contains(&a) {
                return Err(AppError::invalid(
                    field,
                    format!("must be from 0 to 120, is {a}"),
                ));
            }
        }
    }
    if let (Some(min), Some(max)) = (e.min_age, e.max_age) {
        if min > max {
            return Err(AppError::invalid(
                "eligibility.max_age",
                format!("{max} is below min_age {min}"),
            ));
        }
    }
    reference::skill(conn, SkillId(b.skill_id)).map_err(|_| {
        AppError::invalid("skill_id", format!("skill {} does not exist", b.skill_id))
    })?;
    reference::tier(conn, TierId(b.tier_id))
        .map_err(|_| AppError::invalid("tier_id", format!("tier {} does not exist", b.tier_id)))?;
    if organisations::find(conn, OrganisationId(b.organiser_org_id))?.is_none() {
        return Err(AppError::invalid(
            "organiser_org_id",
            format!("organisation {} does not exist", b.organiser_org_id),
        ));
    }
    if let Some(o) = e.within_organisation {
        if organisations::find(conn, OrganisationId(o))?.is_none() {
            return Err(AppError::invalid(
                "eligibility.within_organisation",
                format!("organisation {o} does not exist"),
            ));
        }
    }
    for q in &e.qualified_from {
        if Some(ContestId(*q)) == own_id {
            return Err(AppError::invalid(
                "eligibility.qualified_from",
                "a contest cannot require qualification from itself",
            ));
        }
        if store::find(conn, ContestId(*q))?.is_none() {
            return Err(AppError::invalid(
                "eligibility.qualified_from",
                format!("contest {q} does not exist"),
            ));
        }
    }
    Ok(ContestFields {
        code,
        name_zh,
        name_en,
        skill_id: SkillId(b.skill_id),
        tier_id: TierId(b.tier_id),
        organiser_org_id: OrganisationId(b.organiser_org_id),
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        reference_date: b.reference_date,
        eligibility: Eligibility {
            min_age: e.min_age,
            max_age: e.max_age,
            group: e.group,
            within_organisation: e.within_organisation.map(OrganisationId),
            qualified_from: e.qualified_from.iter().map(|q| ContestId(*q)).collect(),
        },
    })
}

/// Creates a contest in draft.
pub fn create_contest(
    conn: &mut DbConnection,
    actor: &Actor,
    body: ContestBody,
) -> AppResult<crate::engine::model::Contest> {
    write_tx(conn, |conn| {
        let fields = contest_fields(conn, body, None)?;
        let organiser = organisations::get(conn, fields.organiser_org_id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&organiser.path),
        )?;
        if store::by_code(conn, &fields.code)?.is_some() {
            return Err(AppError::conflict(format!(
                "a contest with code '{}' already exists",
                fields.code
            )));
        }
        let c = store::insert(conn, &fields, ContestStatus::Draft)?;
        audit::record(
            conn,
            actor.user(),
            "contest.create",
            ("contest", Some(c.id.0)),
            serde_json::json!({"code": c.code}),
        )?;
        Ok(c)
    })
}

/// Creates a contest in draft.
#[utoipa::path(
    post,
    path = "/api/v1/contests",
    tag = "contests",
    request_body(content = ContestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = super::openapi::Contest),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create(
    state: State,
    caller: Caller,
    body: web::Json<ContestBody>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let actor = caller.actor;
    let contest = state
        .db(move |conn| create_contest(conn, &actor, body))
        .await?;
    Ok(HttpResponse::Created().json(contest))
}

/// Changes a contest's set-up, only in draft or registration.
pub fn update_contest(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    body: ContestBody,
) -> AppResult<crate::engine::model::Contest> {
    write_tx(conn, |conn| {
        let current = load_contest(conn, id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_contest(&current.scope()),
        )?;
        if !current.contest.status.accepts_registrations() {
            return Err(AppError::conflict(format!(
                "the contest is '{}': its set-up can change only in draft or registration",
                current.contest.status
            )));
        }
        let fields = contest_fields(conn, body, Some(id))?;
        let organiser = organisations::get(conn, fields.organiser_org_id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&organiser.path),
        )?;
        if let Some(other) = store::by_code(conn, &fields.code)? {
            if other.id != id {
                return Err(AppError::conflict(format!(
                    "a contest with code '{}' already exists",
                    fields.code
                )));
            }
        }
        let c = store::update_fields(conn, id, &fields)?;
        audit::record(
            conn,
            actor.user(),
            "contest.update",
            ("contest", Some(id.0)),
            serde_json::json!({"code": c.code}),
        )?;
        Ok(c)
    })
}

/// Changes a contest's set-up (in draft or registration only).
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = ContestBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Changed", body = super::openapi::Contest),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn update(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<ContestBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let body = body.into_inner();
    let actor = caller.actor;
    let contest = state
        .db(move |conn| update_contest(conn, &actor, id, body))
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Ok().json(contest))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "registration"}))]
struct StatusChange {
    #[schema(schema_with = super::openapi::contest_status)]
    status: ContestStatus,
}

/// Moves a contest one step along its lifecycle (publication excepted).
pub fn change_status(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    to: ContestStatus,
) -> AppResult<crate::engine::model::Contest> {
    write_tx(conn, |conn| {
        let current = load_contest(conn, id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_contest(&current.scope()),
        )?;
        let from = current.contest.status;
        from.check_transition(to).map_err(AppError::conflict)?;
        if to == crate::engine::model::ContestStatus::Published {
            return Err(AppError::conflict(format!(
                "results are published with POST /api/v1/contests/{id}/publish, \
                 which checks every sign-off and stores the results"
            )));
        }
        let c = store::set_status(conn, id, to)?;
        audit::record(
            conn,
            actor.user(),
            "contest.status",
            ("contest", Some(id.0)),
            serde_json::json!({"from": from, "to": to}),
        )?;
        Ok(c)
    })
}

/// Moves a contest one step along its lifecycle.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/status",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = StatusChange, content_type = "application/json"),
    responses(
        (status = 200, description = "Moved", body = super::openapi::Contest),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn set_status(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<StatusChange>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let to = body.status;
    let actor = caller.actor;
    let contest = state
        .db(move |conn| change_status(conn, &actor, id, to))
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Ok().json(contest))
}

#[derive(Serialize, ToSchema)]
struct JudgeView {
    #[schema(value_type = i64)]
    user_id: UserId,
    username: String,
    display_name: String,
    #[schema(value_type = i64)]
    organisation_id: OrganisationId,
    #[schema(schema_with = super::openapi::judge_role)]
    role: JudgeRole,
}

fn manageable(conn: &mut DbConnection, actor: &Actor, id: ContestId) -> AppResult<LoadedContest> {
    let c = load_contest(conn, id)?;
    allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
    Ok(c)
}

/// The contest's judges and their roles.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/judges",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The judges", body = Vec<JudgeView>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn judges(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let list = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            if actor.judge_role(id).is_none() {
                allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
            }
            let mut out = Vec::new();
            for a in store::judges(conn, id)? {
                let u = users::get(conn, a.user_id)?;
                out.push(JudgeView {
                    user_id: u.id,
                    username: u.username,
                    display_name: u.display_name,
                    organisation_id: u.organisation_id,
                    role: a.role,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "judge"}))]
struct AssignBody {
    #[schema(schema_with = super::openapi::judge_role)]
    role: JudgeRole,
}

/// Makes a judge's account a judge or chief judge of the contest.
pub fn assign_judge(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    user: UserId,
    role: JudgeRole,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        manageable(conn, actor, id)?;
        let u = users::find(conn, user)?
            .ok_or_else(|| AppError::invalid("user", format!("account {user} does not exist")))?;
        if u.kind != UserKind::Judge {
            return Err(AppError::invalid(
                "user",
                format!("account '{}' is not a judge's account", u.username),
            ));
        }
        store::assign_judge(
            conn,
            &Assignment {
                contest_id: id,
                user_id: user,
                role,
            },
        )?;
        audit::record(
            conn,
            actor.user(),
            "contest.judge.assign",
            ("contest", Some(id.0)),
            serde_json::json!({"user": user, "role": role}),
        )?;
        Ok(())
    })
}

/// Makes a judge's account a judge or chief judge of the contest.
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/judges/{user}",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("user" = i64, Path, description = "An account id", example = 1)
    ),
    request_body(content = AssignBody, content_type = "application/json"),
    responses(
        (status = 204, description = "Assigned"),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn assign(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Json<AssignBody>,
) -> AppResult<HttpResponse> {
    let (id, user) = path.into_inner();
    let (id, user) = (ContestId(id), UserId(user));
    let role = body.role;
    let actor = caller.actor;
    state
        .db(move |conn| assign_judge(conn, &actor, id, user, role))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a judge from the contest.
#[utoipa::path(
    delete,
    path = "/api/v1/contests/{id}/judges/{user}",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("user" = i64, Path, description = "An account id", example = 1)
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn unassign(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, user) = path.into_inner();
    let (id, user) = (ContestId(id), UserId(user));
    let actor = caller.actor;
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                manageable(conn, &actor, id)?;
                if store::unassign_judge(conn, id, user)? == 0 {
                    return Err(AppError::not_found(format!(
                        "account {user} is not a judge of contest {id}"
                    )));
                }
                audit::record(
                    conn,
                    actor.user(),
                    "contest.judge.unassign",
                    ("contest", Some(id.0)),
                    serde_json::json!({"user": user}),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct NewLink {
    pub id: i64,
    /// Shown once: the path to open on the tablet (`/signin/link/TOKEN`).
    pub path: String,
    pub token: String,
    #[schema(value_type = String, example = "2027-10-14T23:59:59")]
    pub expires_at: chrono::NaiveDateTime,
}

/// A judge's private sign-in link, valid until the day after the contest ends.
pub fn create_judge_link(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    user: UserId,
) -> AppResult<NewLink> {
    write_tx(conn, |conn| {
        let c = manageable(conn, actor, id)?;
        if !store::judges(conn, id)?.iter().any(|a| a.user_id == user) {
            return Err(AppError::invalid(
                "user",
                format!("account {user} is not a judge of contest {id}"),
            ));
        }
        let u = users::get(conn, user)?;
        let until = c
            .contest
            .ends_on
            .succ_opt()
            .unwrap_or(c.contest.ends_on)
            .and_hms_opt(23, 59, 59)
            .unwrap_or_default();
        let hours = (until - crate::store::now()).num_hours();
        if hours < 1 {
            return Err(AppError::conflict(
                "the contest has ended: its judges' links would already have expired",
            ));
        }
        let (token, expires_at) = issue_token(
            conn,
            &u,
            TokenKind::JudgeLink,
            hours,
            TokenOrigin {
                created_by: actor.user(),
                contest: Some(id),
                issued_from: None,
            },
        )?;
        let record = users::live_token(
            conn,
            &crate::web::auth::token_hash(&token),
            &[TokenKind::JudgeLink],
        )?
        .ok_or_else(|| AppError::internal("the new link was not stored"))?;
        audit::record(
            conn,
            actor.user(),
            "judge_link.create",
            ("contest", Some(id.0)),
            serde_json::json!({"user": user, "link": record.id}),
        )?;
        Ok(NewLink {
            id: record.id,
            path: format!("/signin/link/{token}"),
            token,
            expires_at,
        })
    })
}

/// Issues a judge's private sign-in link, shown once.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/judges/{user}/links",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("user" = i64, Path, description = "An account id", example = 1)
    ),
    responses(
        (status = 201, description = "The link", body = NewLink),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create_link(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, user) = path.into_inner();
    let (id, user) = (ContestId(id), UserId(user));
    let actor = caller.actor;
    let link = state
        .db(move |conn| create_judge_link(conn, &actor, id, user))
        .await?;
    Ok(HttpResponse::Created().json(link))
}

/// The judges' private links of the contest (without their tokens).
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/judge-links",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The links", body = Vec<Object>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn links(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let list = state
        .db(move |conn| {
            manageable(conn, &actor, id)?;
            Ok(users::judge_links_of_contest(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Revokes a judge's private link of the contest.
pub fn revoke_judge_link(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    link: i64,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        manageable(conn, actor, id)?;
        let record = users::token(conn, link)?
            .filter(|t| t.contest_id == Some(id.0) && t.kind == "judge_link")
            .ok_or_else(|| AppError::not_found(format!("contest {id} has no judge link {link}")))?;
        users::revoke_token(conn, record.id)?;
        audit::record(
            conn,
            actor.user(),
            "judge_link.revoke",
            ("contest", Some(id.0)),
            serde_json::json!({"link": link}),
        )?;
        Ok(())
    })
}

/// Revokes a judge's private link.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/judge-links/{link}/revoke",
    tag = "contests",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("link" = i64, Path, description = "A judge link id", example = 1)
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn revoke_link(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, link) = path.into_inner();
    let id = ContestId(id);
    let actor = caller.actor;
    state
        .db(move |conn| revoke_judge_link(conn, &actor, id, link))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
