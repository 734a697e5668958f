//! Results: award policies, measures for tie-breaks, live standings for
//! those who supervise a contest, publication, the published results and
//! their exports.

use crate::engine::model::{ContestId, EntryId};
use crate::error::{AppError, AppResult};
use crate::io::results_csv::{
    awards_table, recommendations_table, results_table, sheet_table, OutputEncoding, Table,
};
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::shared::{Answer, Key};
use crate::web::State;
use crate::workflow::contests::{load_contest, may_supervise};
use crate::workflow::results::{self, MeasureInput, PublicationView, PublishedSheet, ResultsView};
use crate::workflow::{allow, check_text};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest policy file accepted.
const MAX_POLICY: usize = 64 * 1024;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/policies").get(policies))
        .service(routes::path("/results/across").get(across))
        .service(
            routes::path("/contests/{id}/policy")
                .app_data(web::PayloadConfig::new(MAX_POLICY))
                .get(get_policy)
                .put(put_policy),
        )
        .service(routes::path("/contests/{id}/policy/versions").get(policy_versions))
        .service(routes::path("/contests/{id}/entries/{entry}/measures").post(post_measure))
        .service(routes::path("/contests/{id}/standings").get(standings))
        .service(routes::path("/contests/{id}/publish").post(publish))
        .service(routes::path("/contests/{id}/results").get(get_results))
        .service(routes::path("/contests/{id}/results.csv").get(results_csv))
        .service(routes::path("/contests/{id}/awards.csv").get(awards_csv))
        .service(routes::path("/contests/{id}/recommendations.csv").get(recommendations_csv))
        .service(routes::path("/contests/{id}/entries/{entry}/sheet").get(sheet))
        .service(routes::path("/contests/{id}/entries/{entry}/sheet.csv").get(sheet_csv));
}

/// The version a file was stored as.
#[derive(Serialize, ToSchema)]
pub struct VersionStored {
    pub version: i32,
}

/// A version of a contest's policy and why it was stored.
#[derive(Serialize, ToSchema)]
struct PolicyVersion {
    version: i32,
    reason: Option<String>,
    created_by: Option<i64>,
    #[schema(value_type = String, format = DateTime, example = "2027-10-14T23:59:59Z")]
    #[serde(with = "crate::io::utc")]
    created_at: chrono::NaiveDateTime,
}

/// The id of a stored measure.
#[derive(Serialize, ToSchema)]
struct MeasureStored {
    id: i64,
}

/// A measure of an entry: `time` (completion time in seconds) or another
/// lower-case name, and its value as a decimal string.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename = "MeasureInput")]
#[schema(example = json!({"name": "time", "value": "3500"}))]
struct MeasureBody {
    name: String,
    value: String,
    #[serde(default)]
    reason: Option<String>,
}

impl From<MeasureBody> for MeasureInput {
    fn from(b: MeasureBody) -> Self {
        MeasureInput {
            name: b.name,
            value: b.value,
            reason: b.reason,
        }
    }
}

/// A policy that comes with jiangxin; `name` is what `?bundled=` takes.
#[derive(Serialize, ToSchema)]
struct PolicyListItem {
    #[schema(value_type = String)]
    name: &'static str,
    name_zh: String,
    name_en: String,
}

/// The award policies that come with jiangxin.
#[utoipa::path(
    get,
    path = "/api/v1/policies",
    tag = "results",
    responses(
        (status = 200, description = "The bundled policies", body = Vec<PolicyListItem>)
    )
)]
async fn policies() -> AppResult<HttpResponse> {
    let list: Vec<PolicyListItem> = results::POLICIES
        .iter()
        .map(|(name, text)| {
            let p = results::check_policy(text)?;
            Ok(PolicyListItem {
                name,
                name_zh: p.policy.name_zh,
                name_en: p.policy.name_en,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    version: Option<i32>,
}

/// The contest's policy as TOML: the current version, or `?version=N`.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/policy",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent")
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/toml", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_policy(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let version = q.into_inner().version;
    let body = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            results::policy_text(conn, id, version)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/toml; charset=utf-8")
        .body(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyQuery {
    reason: Option<String>,
    /// The name of a bundled policy, instead of a file in the body.
    bundled: Option<String>,
}

/// Stores a policy file (or a bundled policy) as the contest's next version.
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/policy",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("reason" = Option<String>, Query, description = "Why this version was stored"),
        ("bundled" = Option<String>, Query, description = "The name of a bundled policy, instead of a file in the body")
    ),
    request_body(description = "The policy file, UTF-8 TOML; empty with `?bundled=`", content((String = "application/toml"), (String = "text/plain"))),
    responses(
        (status = 201, description = "Stored as the next version", body = VersionStored),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is larger than this endpoint accepts", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn put_policy(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<PolicyQuery>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let q = q.into_inner();
    let reason = match q.reason {
        Some(r) => Some(check_text("reason", &r, 500)?),
        None => None,
    };
    let text = match q.bundled {
        Some(name) => {
            if !body.is_empty() {
                return Err(AppError::bad_request(
                    "send either a policy file or ?bundled=NAME, not both",
                ));
            }
            results::bundled_policy(&name)
                .ok_or_else(|| {
                    AppError::invalid(
                        "bundled",
                        format!(
                            "there is no bundled policy `{name}`; choose one of {}",
                            results::POLICIES
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?
                .to_string()
        }
        None => String::from_utf8(body.to_vec())
            .map_err(|_| AppError::bad_request("a policy file must be UTF-8 text"))?,
    };
    let schemes = state.schemes.clone();
    let version = state
        .db(move |conn| {
            crate::workflow::contests::load_managed(conn, &actor, id)?;
            results::store_policy(conn, &schemes, id, &text, reason.as_deref(), actor.user())
        })
        .await?;
    Ok(HttpResponse::Created().json(VersionStored { version }))
}

/// The policy's versions and why each was stored.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/policy/versions",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The versions", body = Vec<PolicyVersion>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn policy_versions(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let list = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            Ok(results::policy_versions(conn, id)?
                .into_iter()
                .map(|p| PolicyVersion {
                    version: p.version,
                    reason: p.reason,
                    created_by: p.created_by,
                    created_at: p.created_at,
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Records a measure of an entry (completion time and others).
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/entries/{entry}/measures",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("entry" = i64, Path, description = "An entry id", example = 1)
    ),
    request_body(content = MeasureBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored", body = MeasureStored),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn post_measure(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Json<MeasureBody>,
) -> AppResult<HttpResponse> {
    let (id, entry) = path.into_inner();
    let (id, entry) = (ContestId(id), EntryId(entry));
    let actor = caller.actor;
    let input = MeasureInput::from(body.into_inner());
    let stored = state
        .db(move |conn| results::record_measure_as(conn, &actor, id, entry, &input))
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Created().json(MeasureStored { id: stored }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedQuery {
    seed: Option<u64>,
}

/// The live standings, for those who supervise the contest. Any lot is
/// drawn with `?seed=` (0 when not given); the real draw happens at
/// publication, with a seed stored with the results.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/standings",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("seed" = Option<u64>, Query, description = "The seed of any lot (0 when absent)")
    ),
    responses(
        (status = 200, description = "The live standings and what keeps them from publication", body = super::openapi::Standings),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn standings(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<SeedQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let seed = q.into_inner().seed.unwrap_or(0);
    let schemes = state.schemes.clone();
    let view = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            may_supervise(&actor, &c)?;
            let view = results::compute(conn, &schemes, id, seed)?;
            let blockers = results::blockers(conn, &schemes, id)?;
            Ok(serde_json::json!({
                "preview": true,
                "standings": view,
                "not_ready": blockers,
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    reason: Option<String>,
    /// An upheld appeal of the contest this correction carries out; the
    /// reason then defaults to 'appeal #N upheld'.
    appeal: Option<i64>,
}

/// Publishes the results (version 1), or a correction with a reason; a
/// correction that carries out an upheld appeal cites it (`appeal`).
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/publish",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = Option<PublishBody>, content_type = "application/json"),
    responses(
        (status = 201, description = "Published", body = super::openapi::Published),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn publish(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let body = super::optional_json::<PublishBody>(&body)?;
    let reason = match body.reason {
        Some(r) => Some(check_text("reason", &r, 500)?),
        None => None,
    };
    let schemes = state.schemes.clone();
    let published = state
        .db(move |conn| match body.appeal {
            Some(appeal) => crate::workflow::fair_play::appeals::publish_citing_as(
                conn,
                &schemes,
                &actor,
                id,
                appeal,
                reason.as_deref(),
            ),
            None => results::publish_as(conn, &schemes, &actor, id, reason.as_deref()),
        })
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Created().json(published))
}

/// Loads a publication for someone who may view the contest.
async fn published(
    state: &State,
    caller: Caller,
    id: ContestId,
    version: Option<i32>,
) -> AppResult<(String, PublicationView)> {
    let actor = caller.actor;
    state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            Ok((c.contest.code, results::publication(conn, id, version)?))
        })
        .await
}

/// The published results (the latest version, or `?version=N`), with the
/// list of versions and why each correction was made.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/results",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag of an earlier answer")
    ),
    responses(
        (status = 200, description = "The published results", body = super::openapi::Publication, headers(("ETag" = String, description = "The version of this answer, for If-None-Match"))),
        (status = 304, description = "Not modified since the ETag given", headers(("ETag" = String, description = "The version of this answer"))),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_results(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let version = q.into_inner().version;
    let signed_in = caller.actor.is_signed_in();
    let build = || async {
        let (_, p) = published(&state, caller, id, version).await?;
        let body = serde_json::to_vec(&results::public_view(p))
            .map_err(|e| AppError::internal(format!("writing results: {e}")))?;
        Ok(Answer::new("application/json", body))
    };
    let answer = if signed_in {
        std::sync::Arc::new(build().await?)
    } else {
        let what = match version {
            Some(v) => format!("results:{v}"),
            None => "results:latest".to_string(),
        };
        let key = Key { contest: id, what };
        state.shared.get(&state.live, key, build).await?
    };
    Ok(answer.respond(&req, |_| {}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvQuery {
    version: Option<i32>,
    /// utf-8, utf-8-bom (the default, for Excel) or gbk.
    encoding: Option<String>,
}

impl CsvQuery {
    fn encoding(&self) -> AppResult<OutputEncoding> {
        match &self.encoding {
            Some(e) => OutputEncoding::parse(e).map_err(|m| AppError::invalid("encoding", m)),
            None => Ok(OutputEncoding::Utf8Bom),
        }
    }
}

fn csv_response(name: String, table: &Table, encoding: OutputEncoding) -> AppResult<HttpResponse> {
    let bytes = table
        .write(encoding)
        .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(format!("text/csv; charset={}", encoding.charset()))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// A publication for the CSV exports, read through the typed view.
async fn published_view(
    state: &State,
    caller: Caller,
    id: ContestId,
    version: Option<i32>,
) -> AppResult<(String, i32, ResultsView)> {
    let (code, p) = published(state, caller, id, version).await?;
    let view = p.view()?;
    Ok((code, p.version, view))
}

/// The published ranking as CSV.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/results.csv",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent"),
        ("encoding" = Option<super::openapi::CsvEncoding>, Query, description = "utf-8, utf-8-bom (the default, for Excel) or gbk")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn results_csv(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<CsvQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let q = q.into_inner();
    let encoding = q.encoding()?;
    let (code, version, view) = published_view(&state, caller, id, q.version).await?;
    csv_response(
        format!("{code}-results-v{version}.csv"),
        &results_table(&view),
        encoding,
    )
}

/// Every award given, one row per award.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/awards.csv",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent"),
        ("encoding" = Option<super::openapi::CsvEncoding>, Query, description = "utf-8, utf-8-bom (the default, for Excel) or gbk")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn awards_csv(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<CsvQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let q = q.into_inner();
    let encoding = q.encoding()?;
    let (code, version, view) = published_view(&state, caller, id, q.version).await?;
    csv_response(
        format!("{code}-awards-v{version}.csv"),
        &awards_table(&view),
        encoding,
    )
}

/// Titles and promotions recommended, one row per member; for organisers,
/// since it shows each member's current skill level.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/recommendations.csv",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent"),
        ("encoding" = Option<super::openapi::CsvEncoding>, Query, description = "utf-8, utf-8-bom (the default, for Excel) or gbk")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn recommendations_csv(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<CsvQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let q = q.into_inner();
    let encoding = q.encoding()?;
    let actor = caller.actor.clone();
    state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))
        })
        .await?;
    let (code, version, view) = published_view(&state, caller, id, q.version).await?;
    csv_response(
        format!("{code}-recommendations-v{version}.csv"),
        &recommendations_table(&view),
        encoding,
    )
}

/// Loads an entry's published score sheet for its own competitors and for
/// those who supervise the contest.
async fn published_sheet(
    state: &State,
    caller: Caller,
    id: ContestId,
    entry: EntryId,
    version: Option<i32>,
) -> AppResult<PublishedSheet> {
    let actor = caller.actor;
    state
        .db(move |conn| results::published_sheet(conn, &actor, id, entry, version))
        .await
}

/// An entry's detailed marks from the published results.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/entries/{entry}/sheet",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("entry" = i64, Path, description = "An entry id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent")
    ),
    responses(
        (status = 200, description = "The score sheet", body = super::openapi::Sheet),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn sheet(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    q: web::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let (id, entry) = path.into_inner();
    let body = published_sheet(
        &state,
        caller,
        ContestId(id),
        EntryId(entry),
        q.into_inner().version,
    )
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// An entry's score sheet as CSV: modules, criteria and aspects.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/entries/{entry}/sheet.csv",
    tag = "results",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("entry" = i64, Path, description = "An entry id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent"),
        ("encoding" = Option<super::openapi::CsvEncoding>, Query, description = "utf-8, utf-8-bom (the default, for Excel) or gbk")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn sheet_csv(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    q: web::Query<CsvQuery>,
) -> AppResult<HttpResponse> {
    let (id, entry) = path.into_inner();
    let q = q.into_inner();
    let encoding = q.encoding()?;
    let p = published_sheet(&state, caller, ContestId(id), EntryId(entry), q.version).await?;
    csv_response(
        format!("{}-{}-sheet.csv", p.contest_code, p.start_number),
        &sheet_table(&p.sheet),
        encoding,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcrossQuery {
    tier: String,
    /// The organisation kind to find the best of (default: nation).
    level: Option<String>,
}

/// The best of each organisation and the top score overall across every
/// published contest of a tier (public).
#[utoipa::path(
    get,
    path = "/api/v1/results/across",
    tag = "results",
    params(
        ("tier" = String, Query, description = "A tier code"),
        ("level" = Option<String>, Query, description = "The organisation kind to find the best of (default: nation)")
    ),
    responses(
        (status = 200, description = "The best of each organisation and the top score", body = Object),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    )
)]
async fn across(state: State, q: web::Query<AcrossQuery>) -> AppResult<HttpResponse> {
    use crate::engine::model::{OrganisationKind, Vocabulary};
    let q = q.into_inner();
    let level = match q.level.as_deref() {
        Some(l) => OrganisationKind::parse(l).map_err(|m| AppError::invalid("level", m))?,
        None => OrganisationKind::Nation,
    };
    let view = state
        .db(move |conn| results::across_contests(conn, &q.tier, level))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
