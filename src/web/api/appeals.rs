//! Appeals (申诉) and arbitration (仲裁): filing an appeal with its grounds
//! and attachments, the appeals a caller may see, downloading an
//! attachment, the arbitration group's hearing notes and its decision.

use crate::engine::model::{ContestId, EntryId};
use crate::error::{AppError, AppResult};
use crate::web::auth::Caller;
use crate::web::pages::forms::read_multipart;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::appeals::{self as workflow, AttachmentInput, FileInput};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

/// The largest appeal form: three attachments of 2 MiB and the grounds.
pub const APPEAL_FORM: usize = 7 * 1024 * 1024;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/appeals")
            .get(list_appeals)
            .post(file_appeal),
    )
    .service(routes::path("/contests/{id}/appeals/{appeal}").get(get_appeal))
    .service(routes::path("/contests/{id}/appeals/{appeal}/attachments/{n}").get(appeal_attachment))
    .service(routes::path("/contests/{id}/appeals/{appeal}/notes").post(appeal_note))
    .service(routes::path("/contests/{id}/appeals/{appeal}/decision").post(appeal_decision));
}

/// An appeal's attachment as listed.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AppealAttachment {
    /// Its place among the appeal's attachments, from 1 (the download's `n`).
    n: usize,
    file_name: String,
    /// application/pdf, image/jpeg or image/png, read from the file's content.
    media_type: String,
    size_bytes: i64,
    sha256: String,
}

/// A hearing note of the arbitration group.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AppealNote {
    body: String,
    recorded_by: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-15T09:30:00Z")]
    recorded_at: String,
}

/// The arbitration group's decision: final.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AppealDecision {
    /// rejected or upheld
    outcome: String,
    reasons: String,
    decided_by: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-15T09:30:00Z")]
    decided_at: String,
}

/// An appeal. While the contest is blind, the arbitration group, supervisors
/// and organisers know the entry by its blind number only (`entry` is null,
/// `appellant` empty).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Appeal {
    id: i64,
    contest: i64,
    entry: Option<i64>,
    /// The start number, or the blind number while the contest is blind.
    entry_label: String,
    blind: bool,
    appellant: String,
    /// competitor or organisation
    filed_as: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-15T09:30:00Z")]
    filed_at: String,
    grounds: String,
    /// pending, rejected or upheld
    status: String,
    decision: Option<AppealDecision>,
    /// Hearing notes (not shown to the appellant).
    notes: Vec<AppealNote>,
    attachments: Vec<AppealAttachment>,
    /// The publication versions that cite this appeal.
    cited_by: Vec<i32>,
}

/// A new appeal, as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AppealForm {
    /// The entry's id.
    #[schema(example = 1)]
    entry: i64,
    /// Why the result is wrong: 10 to 4000 characters.
    #[schema(
        example = "The practical module's second criterion was marked against the wrong drawing."
    )]
    grounds: String,
    /// Optional: PDF, JPEG or PNG (read from the content), at most 2 MiB.
    #[schema(value_type = Option<String>, format = Binary)]
    attachment1: Option<Vec<u8>>,
    #[schema(value_type = Option<String>, format = Binary)]
    attachment2: Option<Vec<u8>>,
    #[schema(value_type = Option<String>, format = Binary)]
    attachment3: Option<Vec<u8>>,
}

/// Reads an appeal form: the entry, the grounds and the files
/// `attachment1` … `attachment3`.
pub fn appeal_input(
    form: &crate::web::pages::forms::FormData,
    files: std::collections::BTreeMap<String, crate::web::pages::forms::Upload>,
) -> AppResult<FileInput> {
    let raw = form.get("entry");
    let entry = raw.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(
            "entry",
            format!("`{raw}` is not an entry id (a whole number)"),
        )
    })?;
    let mut attachments = Vec::new();
    for (field, upload) in files {
        let Some(n) = field.strip_prefix("attachment") else {
            return Err(AppError::invalid(
                &field,
                "files are sent as attachment1, attachment2 and attachment3",
            ));
        };
        if n.parse::<u32>().is_err() {
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
    Ok(FileInput {
        entry: EntryId(entry),
        grounds: form.get("grounds"),
        attachments,
    })
}

/// Reads a `multipart/form-data` appeal, or refuses another body.
pub async fn read_appeal(
    req: &HttpRequest,
    payload: web::Payload,
) -> AppResult<(crate::web::pages::forms::FormData, FileInput)> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return Err(AppError::bad_request(
            "send an appeal as multipart/form-data with the fields entry and grounds \
             and the files attachment1 to attachment3",
        ));
    }
    let mp = actix_multipart::Multipart::new(req.headers(), payload);
    let (form, files) = read_multipart(mp, APPEAL_FORM).await?;
    let input = appeal_input(&form, files)?;
    Ok((form, input))
}

/// Files an appeal for an entry: its competitor, or an organiser of their
/// organisation, within the contest's appeal window.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/appeals",
    tag = "appeals",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = AppealForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Filed", body = Appeal),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The appeal window is not open; the message gives the deadline", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is larger than this endpoint accepts", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn file_appeal(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let (_, input) = read_appeal(&req, payload).await?;
    let actor = caller.actor;
    let filed = state
        .db(move |conn| workflow::file(conn, &actor, id, &input, &|at| crate::io::utc::text(&at)))
        .await?;
    Ok(HttpResponse::Created().json(filed))
}

/// The appeals of a contest: all of them for its arbitration group,
/// supervisors and organisers; their own for a competitor or the
/// organisers of their organisation.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/appeals",
    tag = "appeals",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The appeals, oldest first", body = [Appeal]),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list_appeals(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let list = state
        .db(move |conn| workflow::list(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One appeal, for those who may see it.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/appeals/{appeal}",
    tag = "appeals",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("appeal" = i64, Path, description = "An appeal id", example = 1)
    ),
    responses(
        (status = 200, description = "The appeal", body = Appeal),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_appeal(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, appeal) = path.into_inner();
    let actor = caller.actor;
    let one = state
        .db(move |conn| workflow::get(conn, &actor, ContestId(id), appeal))
        .await?;
    Ok(HttpResponse::Ok().json(one))
}

/// Downloads an attachment of an appeal (the same readers as the appeal).
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/appeals/{appeal}/attachments/{n}",
    tag = "appeals",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("appeal" = i64, Path, description = "An appeal id", example = 1),
        ("n" = usize, Path, description = "The attachment's place, from 1", example = 1)
    ),
    responses(
        (status = 200, description = "The file, as it was filed", content(
            (String = "application/pdf"), (String = "image/jpeg"), (String = "image/png")
        )),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn appeal_attachment(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64, usize)>,
) -> AppResult<HttpResponse> {
    let (id, appeal, n) = path.into_inner();
    let actor = caller.actor;
    let (_, media_type, body) = state
        .db(move |conn| workflow::attachment(conn, &actor, ContestId(id), appeal, n))
        .await?;
    Ok(crate::web::shared::attachment_download(
        &format!("appeal-{appeal}"),
        n,
        &media_type,
        body,
    ))
}

/// A hearing note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    /// 1 to 4000 characters.
    #[schema(
        example = "Heard the appellant and the chief judge; the drawing in the task paper was revision B."
    )]
    body: String,
}

/// Records a hearing note: the contest's arbitrators, until the decision.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/appeals/{appeal}/notes",
    tag = "appeals",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("appeal" = i64, Path, description = "An appeal id", example = 1)
    ),
    request_body(content = NoteBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded; the appeal", body = Appeal),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The appeal is decided", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn appeal_note(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Json<NoteBody>,
) -> AppResult<HttpResponse> {
    let (id, appeal) = path.into_inner();
    let actor = caller.actor;
    let text = body.into_inner().body;
    let one = state
        .db(move |conn| workflow::note(conn, &actor, ContestId(id), appeal, &text))
        .await?;
    Ok(HttpResponse::Created().json(one))
}

/// The arbitration group's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    /// rejected or upheld
    #[schema(example = "upheld")]
    outcome: String,
    /// 1 to 4000 characters.
    #[schema(
        example = "The task paper in force was revision B; criterion S1 is to be marked again."
    )]
    reasons: String,
}

/// Decides an appeal, once: the contest's arbitrators. The decision is final
/// and recorded in the audit log.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/appeals/{appeal}/decision",
    tag = "appeals",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("appeal" = i64, Path, description = "An appeal id", example = 1)
    ),
    request_body(content = DecisionBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Decided; the appeal", body = Appeal),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The appeal is decided already", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn appeal_decision(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Json<DecisionBody>,
) -> AppResult<HttpResponse> {
    let (id, appeal) = path.into_inner();
    let actor = caller.actor;
    let b = body.into_inner();
    let one = state
        .db(move |conn| {
            workflow::decide(conn, &actor, ContestId(id), appeal, &b.outcome, &b.reasons)
        })
        .await?;
    Ok(HttpResponse::Created().json(one))
}
