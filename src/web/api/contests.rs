//! Contests: set-up, lifecycle, judges and judges' private links.

use crate::engine::model::{ContestId, ContestRole, ContestStatus, Group, OrganisationId, UserId};
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::contests::{self, ContestInput, EligibilityInput, IssuedLink, JudgeSeat};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests").get(list).post(create))
        .service(routes::path("/contests/{id}").get(show).put(update))
        .service(routes::path("/contests/{id}/status").post(set_status))
        .service(routes::path("/contests/{id}/judges").get(judges))
        .service(
            routes::path("/contests/{id}/judges/{user}")
                .put(assign)
                .delete(unassign),
        )
        .service(routes::path("/contests/{id}/judges/{user}/links").post(create_link))
        .service(routes::path("/contests/{id}/judge-links").get(links))
        .service(routes::path("/contests/{id}/judge-links/{link}/revoke").post(revoke_link));
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
        .db(move |conn| contests::visible_contests(conn, &actor))
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
        .db(move |conn| contests::contest(conn, &actor, id))
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
    /// The IANA name of the zone the pages show the contest's times in
    /// (e.g. `Asia/Shanghai`). A new contest without one takes the
    /// installation's (`JIANGXIN_TIME_ZONE`); a change without one keeps the
    /// contest's.
    #[serde(default)]
    #[schema(example = "Asia/Shanghai")]
    pub time_zone: Option<String>,
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
    let mut input: ContestInput = body.into_inner().into();
    input
        .time_zone
        .get_or_insert_with(|| state.settings.time_zone.name().to_string());
    let actor = caller.actor;
    let contest = state
        .db(move |conn| contests::create_contest(conn, &actor, input))
        .await?;
    Ok(HttpResponse::Created().json(contest))
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
        .db(move |conn| contests::update_contest(conn, &actor, id, body.into()))
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
        .db(move |conn| contests::change_status(conn, &actor, id, to))
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
    role: ContestRole,
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
            Ok(contests::judges(conn, &actor, id)?
                .into_iter()
                .map(JudgeView::from)
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "judge"}))]
struct AssignBody {
    #[schema(schema_with = super::openapi::judge_role)]
    role: ContestRole,
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
        .db(move |conn| contests::assign_judge(conn, &actor, id, user, role))
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
        .db(move |conn| contests::unassign_judge(conn, &actor, id, user))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct NewLink {
    pub id: i64,
    /// Shown once: the path to open on the tablet (`/signin/link/TOKEN`).
    pub path: String,
    pub token: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-14T23:59:59Z")]
    #[serde(with = "crate::io::utc")]
    pub expires_at: chrono::NaiveDateTime,
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
        .db(move |conn| contests::create_judge_link(conn, &actor, id, user).map(NewLink::from))
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
        .db(move |conn| contests::judge_links(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
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
        .db(move |conn| contests::revoke_judge_link(conn, &actor, id, link))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

impl From<ContestBody> for ContestInput {
    fn from(b: ContestBody) -> Self {
        ContestInput {
            code: b.code,
            name_zh: b.name_zh,
            name_en: b.name_en,
            skill_id: b.skill_id,
            tier_id: b.tier_id,
            organiser_org_id: b.organiser_org_id,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            reference_date: b.reference_date,
            eligibility: EligibilityInput {
                min_age: b.eligibility.min_age,
                max_age: b.eligibility.max_age,
                group: b.eligibility.group,
                within_organisation: b.eligibility.within_organisation,
                qualified_from: b.eligibility.qualified_from,
            },
            time_zone: b.time_zone,
        }
    }
}

impl From<JudgeSeat> for JudgeView {
    fn from(j: JudgeSeat) -> Self {
        JudgeView {
            user_id: j.user_id,
            username: j.username,
            display_name: j.display_name,
            organisation_id: j.organisation_id,
            role: j.role,
        }
    }
}

impl From<IssuedLink> for NewLink {
    fn from(l: IssuedLink) -> Self {
        NewLink {
            id: l.id,
            path: l.path,
            token: l.token,
            expires_at: l.expires_at,
        }
    }
}
