//! Honours programmes (劳动模范, 工匠, 技术能手): the programme file,
//! nominations within quotas, the review, the selection with category
//! shares, the public notice (公示) with its objections, and the
//! attributes persons gain for the shares.

use crate::engine::model::CompetitorId;
use crate::error::{AppError, AppResult};
use crate::web::auth::Caller;
use crate::web::pages::forms::read_multipart;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::appeals::AttachmentInput;
use crate::workflow::honours::nominations::{self, NominationInput};
use crate::workflow::honours::notice::{self, DecisionInput, ObjectionInput};
use crate::workflow::honours::selection::{self, Said};
use crate::workflow::honours::{self as workflow};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The largest nomination form: three attachments of 2 MiB and the statement.
pub const NOMINATION_FORM: usize = 7 * 1024 * 1024;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/honours").get(list).post(put_programme))
        .service(routes::path("/honours/{id}").get(show))
        .service(routes::path("/honours/{id}/files").get(files))
        .service(routes::path("/honours/{id}/quotas").get(quotas))
        .service(routes::path("/honours/{id}/eligibility/{competitor}").get(eligibility))
        .service(
            routes::path("/honours/{id}/nominations")
                .get(list_nominations)
                .post(nominate),
        )
        .service(routes::path("/honours/{id}/nominations/{nomination}").get(get_nomination))
        .service(routes::path("/honours/{id}/nominations/{nomination}/withdrawal").post(withdraw))
        .service(
            routes::path("/honours/{id}/nominations/{nomination}/attachments/{n}")
                .get(nomination_attachment),
        )
        .service(routes::path("/honours/{id}/review").post(open_review))
        .service(routes::path("/honours/{id}/proposal").get(proposal))
        .service(routes::path("/honours/{id}/confirmation").post(confirm))
        .service(routes::path("/honours/{id}/notice").get(notice_list))
        .service(
            routes::path("/honours/{id}/objections")
                .get(list_objections)
                .post(lodge),
        )
        .service(routes::path("/honours/{id}/objections/{objection}/decision").post(decide))
        .service(routes::path("/honours/{id}/close").post(close))
        .service(
            routes::path("/competitors/{competitor}/attributes")
                .get(get_attributes)
                .put(put_attributes),
        );
}

/// Every honours programme, newest first: anyone may read them.
#[utoipa::path(
    get,
    path = "/api/v1/honours",
    tag = "honours",
    responses(
        (status = 200, description = "The programmes", body = Vec<Object>)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller) -> AppResult<HttpResponse> {
    let actor = caller.actor;
    let list = state
        .db(move |conn| workflow::programmes(conn, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonQuery {
    reason: Option<String>,
}

/// Stores a programme file (TOML, see docs/honours.md): a new programme, or
/// the next version of the programme with the file's `code` until its list
/// is confirmed. Organisers of the awarding organisation.
#[utoipa::path(
    post,
    path = "/api/v1/honours",
    tag = "honours",
    params(
        ("reason" = Option<String>, Query, description = "Why this version was stored")
    ),
    request_body(description = "The programme file, UTF-8 TOML", content((String = "application/toml"), (String = "text/plain"))),
    responses(
        (status = 201, description = "A new programme", body = Object),
        (status = 200, description = "The programme's next version", body = Object),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 409, description = "The programme's list is confirmed", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is larger than this endpoint accepts", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn put_programme(
    state: State,
    caller: Caller,
    q: web::Query<ReasonQuery>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let actor = caller.actor;
    let reason = q.into_inner().reason;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::bad_request("a programme file must be UTF-8 text"))?;
    let (view, created) = state
        .db(move |conn| workflow::put_programme(conn, &actor, &text, reason.as_deref()))
        .await?;
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// One programme: anyone may read it.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    responses(
        (status = 200, description = "The programme", body = Object),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn show(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let p = state
        .db(move |conn| workflow::programme(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Every version of the programme's file, oldest first: its organisers.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/files",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    responses(
        (status = 200, description = "The versions", body = Vec<Object>),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn files(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let f = state
        .db(move |conn| workflow::files(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(f))
}

/// The nomination quotas: every organisation's for the programme's
/// organisers, their own for a nominating organisation.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/quotas",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    responses(
        (status = 200, description = "The quotas and how many nominations each has made", body = Vec<Object>),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn quotas(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let q = state
        .db(move |conn| nominations::quotas(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(q))
}

/// Whether a person may be nominated, and every reason why not.
#[derive(Serialize, ToSchema)]
struct EligibilityAnswer {
    eligible: bool,
    /// Each reason in both languages.
    #[schema(value_type = Vec<Object>)]
    reasons: Vec<Said>,
}

/// Checks a person against the programme's eligibility before nominating
/// them: organisers of the person's organisation.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/eligibility/{competitor}",
    tag = "honours",
    params(
        ("id" = i64, Path, description = "A programme id", example = 1),
        ("competitor" = i64, Path, description = "A competitor id", example = 1)
    ),
    responses(
        (status = 200, description = "The answer", body = EligibilityAnswer),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn eligibility(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, competitor) = path.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let reasons = state
        .db(move |conn| {
            nominations::check(conn, &st.publications, &actor, id, CompetitorId(competitor))
        })
        .await?;
    Ok(HttpResponse::Ok().json(EligibilityAnswer {
        eligible: reasons.is_empty(),
        reasons: reasons.iter().map(Said::of).collect(),
    }))
}

/// The nominations the caller may see: all for the programme's organisers,
/// their own organisation's for a nominating one.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/nominations",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    responses(
        (status = 200, description = "The nominations, oldest first", body = Vec<Object>),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list_nominations(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let list = state
        .db(move |conn| nominations::list(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// A nomination, as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NominationForm {
    /// The nominee's competitor id.
    #[schema(example = 1)]
    competitor: i64,
    /// Why the person deserves the honour: 1 to 5000 characters.
    #[schema(example = "Led the grid repair team through the 2026 typhoon season.")]
    statement: String,
    /// Optional: PDF, JPEG or PNG (read from the content), at most 2 MiB.
    #[schema(value_type = Option<String>, format = Binary)]
    attachment1: Option<Vec<u8>>,
    #[schema(value_type = Option<String>, format = Binary)]
    attachment2: Option<Vec<u8>>,
    #[schema(value_type = Option<String>, format = Binary)]
    attachment3: Option<Vec<u8>>,
}

/// Reads a nomination form: the competitor, the statement and the files
/// `attachment1` … `attachment3`.
pub fn nomination_input(
    form: &crate::web::pages::forms::FormData,
    files: BTreeMap<String, crate::web::pages::forms::Upload>,
) -> AppResult<NominationInput> {
    let raw = form.get("competitor");
    let competitor = raw.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(
            "competitor",
            format!("`{raw}` is not a competitor id (a whole number)"),
        )
    })?;
    let mut attachments = Vec::new();
    for (field, upload) in files {
        let numbered = field
            .strip_prefix("attachment")
            .is_some_and(|n| n.parse::<u32>().is_ok());
        if !numbered {
            return Err(AppError::invalid(
                &field,
                "files are sent as attachment1, attachment2 and attachment3",
            ));
        }
        attachments.push(AttachmentInput {
            name: upload.name,
            bytes: upload.bytes,
        });
    }
    Ok(NominationInput {
        competitor: CompetitorId(competitor),
        statement: form.get("statement"),
        attachments,
    })
}

/// Nominates a person of the caller's organisation within its quota, while
/// nominations are open. An ineligible person is refused with every reason.
#[utoipa::path(
    post,
    path = "/api/v1/honours/{id}/nominations",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    request_body(content = NominationForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Nominated", body = Object),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Nominations are closed, the quota is used, or the person is already nominated", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is larger than this endpoint accepts", body = super::openapi::ErrorBody),
        (status = 422, description = "Ineligible or breaks a rule; `details` gives every reason", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn nominate(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !content_type.starts_with("multipart/form-data") {
        return Err(AppError::bad_request(
            "send a nomination as multipart/form-data with the fields competitor and statement \
             and the files attachment1 to attachment3",
        ));
    }
    let mp = actix_multipart::Multipart::new(req.headers(), payload);
    let (form, files) = read_multipart(mp, NOMINATION_FORM).await?;
    let input = nomination_input(&form, files)?;
    let actor = caller.actor;
    let st = state.clone();
    let n = state
        .db(move |conn| nominations::nominate(conn, &st.publications, &actor, id, &input))
        .await?;
    Ok(HttpResponse::Created().json(n))
}

/// One nomination, for those who may see it.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/nominations/{nomination}",
    tag = "honours",
    params(
        ("id" = i64, Path, description = "A programme id", example = 1),
        ("nomination" = i64, Path, description = "A nomination id", example = 1)
    ),
    responses(
        (status = 200, description = "The nomination", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_nomination(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, nomination) = path.into_inner();
    let actor = caller.actor;
    let n = state
        .db(move |conn| nominations::get(conn, &actor, id, nomination))
        .await?;
    Ok(HttpResponse::Ok().json(n))
}

/// A reason, for a withdrawal, closing nominations early or a confirmation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    /// 1 to 500 characters.
    #[schema(example = "The nominee retired in November.")]
    reason: Option<String>,
}

/// Withdraws a nomination while nominations are open: its nominating
/// organisation or the programme's organisers.
#[utoipa::path(
    post,
    path = "/api/v1/honours/{id}/nominations/{nomination}/withdrawal",
    tag = "honours",
    params(
        ("id" = i64, Path, description = "A programme id", example = 1),
        ("nomination" = i64, Path, description = "A nomination id", example = 1)
    ),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "Withdrawn", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Nominations are closed or the nomination has ended", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn withdraw(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Json<ReasonBody>,
) -> AppResult<HttpResponse> {
    let (id, nomination) = path.into_inner();
    let reason = body.into_inner().reason.unwrap_or_default();
    let actor = caller.actor;
    let n = state
        .db(move |conn| nominations::withdraw(conn, &actor, id, nomination, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(n))
}

/// Downloads an attachment of a nomination (the same readers as the nomination).
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/nominations/{nomination}/attachments/{n}",
    tag = "honours",
    params(
        ("id" = i64, Path, description = "A programme id", example = 1),
        ("nomination" = i64, Path, description = "A nomination id", example = 1),
        ("n" = usize, Path, description = "The attachment's place, from 1", example = 1)
    ),
    responses(
        (status = 200, description = "The file, as it was sent", content(
            (String = "application/pdf"), (String = "image/jpeg"), (String = "image/png")
        )),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn nomination_attachment(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64, usize)>,
) -> AppResult<HttpResponse> {
    let (id, nomination, n) = path.into_inner();
    let actor = caller.actor;
    let (_, media_type, body) = state
        .db(move |conn| nominations::attachment(conn, &actor, id, nomination, n))
        .await?;
    Ok(crate::web::shared::attachment_download(
        &format!("nomination-{nomination}"),
        n,
        &media_type,
        body,
    ))
}

/// Closes nominations and makes the review contest, whose entrants are the
/// nominees (a reason is required before the window's last day). The
/// review is then set up and marked as any contest.
#[utoipa::path(
    post,
    path = "/api/v1/honours/{id}/review",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "The programme, in review", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Not taking nominations, none made, or early without a reason", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn open_review(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<ReasonBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let actor = caller.actor;
    let st = state.clone();
    let p = state
        .db(move |conn| selection::open_review(conn, &st.schemes, &actor, id, reason.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// The proposal from the review's published ranking: each nominee in, out
/// or moved by a share and why (in both languages), and each share's tally.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/proposal",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    responses(
        (status = 200, description = "The proposal", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "No published review yet, or the shares cannot all be met (the message names them)", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn proposal(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let p = state
        .db(move |conn| selection::proposal(conn, &st.publications, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Confirms the proposal as the list's first version and starts its public notice.
#[utoipa::path(
    post,
    path = "/api/v1/honours/{id}/confirmation",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "The programme, in notice", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Not in review, no published review, or the shares cannot be met", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn confirm(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<ReasonBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let actor = caller.actor;
    let st = state.clone();
    let p = state
        .db(move |conn| selection::confirm(conn, &st.publications, &actor, id, reason.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    version: Option<i32>,
}

/// The list in public notice (the latest version unless one is asked for):
/// anyone may read it.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/notice",
    tag = "honours",
    params(
        ("id" = i64, Path, description = "A programme id", example = 1),
        ("version" = Option<i32>, Query, description = "A list version; the latest when absent")
    ),
    responses(
        (status = 200, description = "The list", body = Object),
        (status = 404, description = "No such programme, no list yet, or no such version", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn notice_list(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let version = q.into_inner().version;
    let actor = caller.actor;
    let n = state
        .db(move |conn| notice::notice(conn, &actor, id, version))
        .await?;
    Ok(HttpResponse::Ok().json(n))
}

/// The objections the caller may see: every one (with who lodged it) for
/// the programme's organisers, their own for anyone else signed in.
#[utoipa::path(
    get,
    path = "/api/v1/honours/{id}/objections",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    responses(
        (status = 200, description = "The objections, oldest first", body = Vec<Object>),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list_objections(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let list = state
        .db(move |conn| notice::objections(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// An objection against a person on the list in notice.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ObjectionBody {
    /// The nomination of the person objected to.
    #[schema(example = 1)]
    nomination: i64,
    /// 10 to 4000 characters.
    #[schema(example = "The nominee's 2025 provincial gold was won by a team, not by him alone.")]
    grounds: String,
}

/// Lodges an objection while the notice runs: anyone signed in.
#[utoipa::path(
    post,
    path = "/api/v1/honours/{id}/objections",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    request_body = ObjectionBody,
    responses(
        (status = 201, description = "Lodged", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The notice is over", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn lodge(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<ObjectionBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let b = body.into_inner();
    let input = ObjectionInput {
        nomination: b.nomination,
        grounds: b.grounds,
    };
    let actor = caller.actor;
    let o = state
        .db(move |conn| notice::lodge(conn, &actor, id, &input))
        .await?;
    Ok(HttpResponse::Created().json(o))
}

/// The decision on an objection.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    /// upheld (the honour is withdrawn and the list's next version made without the person) or dismissed
    #[schema(example = "dismissed")]
    outcome: String,
    /// 10 to 4000 characters.
    #[schema(
        example = "The award records show the nominee led the team and was named individually."
    )]
    reasons: String,
}

/// Decides an objection once, with reasons: the programme's organisers. An
/// upheld objection revokes the nomination and makes the list's next
/// version, selected again without the person (the next in line moves up
/// while the shares hold; otherwise the place is left vacant), whose
/// notice starts again.
#[utoipa::path(
    post,
    path = "/api/v1/honours/{id}/objections/{objection}/decision",
    tag = "honours",
    params(
        ("id" = i64, Path, description = "A programme id", example = 1),
        ("objection" = i64, Path, description = "An objection id", example = 1)
    ),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "Decided", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Already decided, or the programme is closed", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn decide(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Json<DecisionBody>,
) -> AppResult<HttpResponse> {
    let (id, objection) = path.into_inner();
    let b = body.into_inner();
    let upheld = match b.outcome.as_str() {
        "upheld" => true,
        "dismissed" => false,
        other => {
            return Err(AppError::invalid(
                "outcome",
                format!("`{other}` is not an outcome (upheld or dismissed)"),
            ))
        }
    };
    let input = DecisionInput {
        upheld,
        reasons: b.reasons,
    };
    let actor = caller.actor;
    let st = state.clone();
    let o = state
        .db(move |conn| notice::decide(conn, &st.publications, &actor, id, objection, &input))
        .await?;
    Ok(HttpResponse::Ok().json(o))
}

/// Closes the programme once its notice is over and every objection is
/// decided: the honours on the latest list stand.
#[utoipa::path(
    post,
    path = "/api/v1/honours/{id}/close",
    tag = "honours",
    params(("id" = i64, Path, description = "A programme id", example = 1)),
    responses(
        (status = 200, description = "Closed", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The notice is running or objections are pending", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn close(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let p = state
        .db(move |conn| notice::close(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// A person's attributes now (derived and set) and every change: organisers
/// of the person's organisation.
#[utoipa::path(
    get,
    path = "/api/v1/competitors/{competitor}/attributes",
    tag = "honours",
    params(("competitor" = i64, Path, description = "A competitor id", example = 1)),
    responses(
        (status = 200, description = "The attributes", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_attributes(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = CompetitorId(path.into_inner());
    let actor = caller.actor;
    let a = state
        .db(move |conn| workflow::attributes(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

/// Sets or clears some of a person's attributes: `{"frontline": "true",
/// "job": "技师", "service_since": "2012-07-01", "old": null}`. Each change
/// is appended with who and when.
#[utoipa::path(
    put,
    path = "/api/v1/competitors/{competitor}/attributes",
    tag = "honours",
    params(("competitor" = i64, Path, description = "A competitor id", example = 1)),
    request_body(content = Object, description = "Attribute names and values (null clears)"),
    responses(
        (status = 200, description = "The attributes now", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` names each attribute", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn put_attributes(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<BTreeMap<String, Option<String>>>,
) -> AppResult<HttpResponse> {
    let id = CompetitorId(path.into_inner());
    let changes = body.into_inner();
    let actor = caller.actor;
    let a = state
        .db(move |conn| workflow::set_attributes(conn, &actor, id, &changes))
        .await?;
    Ok(HttpResponse::Ok().json(a))
}
