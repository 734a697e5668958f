//! Judge analytics: a contest's judges' report (JSON and CSV), its flag
//! threshold, and one judge's figures across contests by season. Who sees
//! what: `Actor::judge_analytics_reach` and `Actor::may_view_judge_history`.

use crate::engine::model::{ContestId, UserId};
use crate::error::{AppError, AppResult};
use crate::io::analytics_csv::report_table;
use crate::io::results_csv::OutputEncoding;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::judges::{self, FlagSettings};
use actix_web::{web, HttpResponse};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

/// Registered before the contests' `/contests/{id}/judges/{user}`, which
/// would take `analytics` for a user.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests/{id}/judges/analytics").get(report))
        .service(routes::path("/contests/{id}/judges/analytics.csv").get(report_csv))
        .service(
            routes::path("/contests/{id}/judges/analytics/threshold")
                .get(get_threshold)
                .put(put_threshold),
        )
        .service(routes::path("/judges/{user}/analytics").get(history));
}

/// A contest's flag threshold, as sent and answered.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mad_share": "0.25", "min_marks": 6}))]
pub struct ThresholdBody {
    /// A judge is flagged when their mean absolute deviation from the rest
    /// of the panel, as a share of each mark's scale, is more than this
    /// (a decimal string above 0 and at most 1, with at most 4 decimals).
    #[schema(value_type = String, example = "0.25")]
    #[serde(with = "rust_decimal::serde::str")]
    mad_share: Decimal,
    /// …over at least this many compared marks (1 to 100000).
    #[schema(minimum = 1, maximum = 100000)]
    min_marks: u32,
}

/// A contest's judges' report: each judge's number of compared marks,
/// bias, mean absolute deviation and its share of the scale per class of
/// marks (`judgement`, `score`, `measurement`) and per aspect, marks
/// outside the allowed spread, severity where estimated, whether the
/// threshold flags them, and the flags with the aspects behind them.
/// Organisers of the contest and its chief judge see every judge
/// (`every: true`); a judge or trainee judge of the contest sees only their
/// own figures. Decimals are strings, rounded half away from zero to 4
/// places. No entry is named.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/judges/analytics",
    tag = "judges",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The report", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn report(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let r = state
        .db(move |conn| judges::contest_report(conn, &schemes, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvQuery {
    /// utf-8, utf-8-bom (the default, for Excel) or gbk.
    encoding: Option<String>,
}

/// The report as CSV, one row per judge and class of marks and per judge
/// and aspect (columns in docs/judges.md).
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/judges/analytics.csv",
    tag = "judges",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("encoding" = Option<super::openapi::CsvEncoding>, Query, description = "utf-8, utf-8-bom (the default, for Excel) or gbk")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn report_csv(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<CsvQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let encoding = match &q.encoding {
        Some(e) => OutputEncoding::parse(e).map_err(|m| AppError::invalid("encoding", m))?,
        None => OutputEncoding::Utf8Bom,
    };
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let r = state
        .db(move |conn| judges::contest_report(conn, &schemes, &actor, id))
        .await?;
    let bytes = report_table(&r)
        .write(encoding)
        .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(format!("text/csv; charset={}", encoding.charset()))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}-judges.csv\"", r.code),
        ))
        .body(bytes))
}

/// A contest's flag threshold (the defaults, 0.25 over 6 marks, when never
/// set): for whoever may read the contest's report.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/judges/analytics/threshold",
    tag = "judges",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The threshold", body = ThresholdBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn get_threshold(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let s = state
        .db(move |conn| judges::read_flag_settings(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// Sets a contest's flag threshold, by its organisers; recorded in the
/// audit trail with what it was before.
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/judges/analytics/threshold",
    tag = "judges",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    request_body(content = ThresholdBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The threshold now", body = ThresholdBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn put_threshold(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<ThresholdBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let b = body.into_inner();
    let new = FlagSettings {
        mad_share: b.mad_share,
        min_marks: b.min_marks,
    };
    let s = state
        .db(move |conn| judges::put_flag_settings(conn, &actor, id, &new))
        .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// One judge's figures in every contest they judged that the caller may
/// see, grouped by season (the year a contest starts), newest first: all
/// of a judge's own; for an organiser, the contests they manage (a judge
/// of their scope, or one who judged there). A judge asking for another
/// judge's figures gets 403.
#[utoipa::path(
    get,
    path = "/api/v1/judges/{user}/analytics",
    tag = "judges",
    params(("user" = i64, Path, description = "A judge's account id", example = 1)),
    responses(
        (status = 200, description = "The judge's figures by season", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn history(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let user = UserId(path.into_inner());
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let h = state
        .db(move |conn| judges::judge_history(conn, &schemes, &actor, user))
        .await?;
    Ok(HttpResponse::Ok().json(h))
}
