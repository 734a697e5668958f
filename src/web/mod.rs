//! HTTP: the JSON API under `/api/v1`, server-rendered pages, and sign-in.

pub mod api;
pub mod auth;
pub mod csrf;
pub mod limits;
pub mod live;
pub mod pages;
pub mod routes;
pub mod shared;

use crate::config::Settings;
use crate::engine::identity::IdentityHasher;
use crate::error::{AppError, AppResult};
use crate::workflow::{Connection as DbConnection, Pool};
use actix_web::{web, HttpResponse};
use std::sync::Arc;

/// Everything a request handler needs, built once at start-up.
pub struct AppState {
    pub pool: Pool,
    pub settings: Settings,
    pub hasher: Arc<IdentityHasher>,
    pub cookie_key: actix_web::cookie::Key,
    pub templates: tera::Tera,
    /// Every string the pages show, in both languages.
    pub catalog: crate::i18n::Catalog,
    /// Checked marking schemes by contest and version.
    pub schemes: Arc<crate::workflow::marking::Schemes>,
    /// Writes judges' marks with group commits.
    pub marks: Arc<crate::workflow::marking::MarkWriter>,
    /// Published results, parsed once.
    pub publications: crate::workflow::results::PublicationCache,
    /// Failed sign-ins by account and by address.
    pub sign_in_limits: limits::SignInLimits,
    /// Changes for live rankings, within and across processes.
    pub live: Arc<live::Hub>,
    /// Public answers shared by anonymous viewers.
    pub shared: shared::SharedAnswers,
}

impl AppState {
    /// Runs one unit of database work off the async workers.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        // The work keeps the request's span, so what it logs names the request.
        let span = tracing::Span::current();
        web::block(move || {
            let _request = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}

pub type State = web::Data<AppState>;

/// What pages may load: scripts only from the server's own files (never
/// inline), forms only to the server, and no framing by other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/healthz").get(healthz))
        .service(routes::path("/readyz").get(readyz))
        .service(
            web::scope("/api/v1")
                // Raw JSON bodies read as bytes have the JSON limit.
                .app_data(web::PayloadConfig::new(limits::JSON_BODY))
                .configure(api::config),
        )
        .configure(pages::config)
        .default_service(web::to(unknown_path));
}

/// `404 not_found` for a path nothing answers: in the API's error shape
/// under `/api/`, as an error page elsewhere (see [`pages::errors`]).
async fn unknown_path(req: actix_web::HttpRequest) -> AppResult<HttpResponse> {
    Err(AppError::not_found(if req.path().starts_with("/api/") {
        "no such API endpoint"
    } else {
        "no such page"
    }))
}

/// Ready to serve: the database answers and its migrations are current.
async fn readyz(state: State) -> HttpResponse {
    let checked = state
        .db(crate::workflow::installation::migrations_current)
        .await;
    match checked {
        Ok(true) => HttpResponse::Ok().json(serde_json::json!({"database": "ok", "migrations": "current"})),
        Ok(false) => HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "error": {"code": "not_ready", "message": "the database has migrations this server has not applied", "details": []}
        })),
        Err(e) => HttpResponse::ServiceUnavailable().json(e.body()),
    }
}

/// Traces every request: it gets an id (the caller's `X-Request-Id` when it
/// is a short token, else a new one), sent back as `X-Request-Id`; everything
/// logged while answering it, on the async workers or in database work,
/// belongs to its span (id, method and path); and one line records its
/// status and time once answered.
pub async fn trace_request(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{HeaderName, HeaderValue};
    use tracing::Instrument;
    let given = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string);
    let id = given.unwrap_or_else(|| {
        use rand::RngCore;
        let mut bytes = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    });
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %req.method(),
        path = %req.path()
    );
    let started = std::time::Instant::now();
    span.in_scope(|| tracing::debug!("received"));
    let answered = next.call(req).instrument(span.clone()).await;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let mut res = span.in_scope(|| match answered {
        Ok(res) => {
            let status = res.status().as_u16();
            if res.status().is_server_error() {
                tracing::warn!(status, ms, "answered");
            } else {
                tracing::info!(status, ms, "answered");
            }
            Ok(res)
        }
        Err(e) => {
            tracing::warn!(error = %e, ms, "failed");
            Err(e)
        }
    })?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    Ok(res)
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// Answers malformed JSON, paths and queries with the API's error shape.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let app = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => AppError::new(
            crate::error::ErrorKind::PayloadTooLarge,
            "payload_too_large",
            err.to_string(),
        ),
        E::ContentType => {
            AppError::bad_request("the body must be JSON (Content-Type: application/json)")
        }
        E::Deserialize(e) => AppError::new(
            crate::error::ErrorKind::BadRequest,
            "bad_json",
            format!("the JSON body is not valid: {e}"),
        ),
        other => AppError::bad_request(format!("the body could not be read: {other}")),
    };
    app.into()
}

/// Gives a body that was too large the API's error shape, whichever
/// extractor refused it.
pub fn too_large<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let json = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let (req, _) = res.into_parts();
    let body = actix_web::ResponseError::error_response(&AppError::new(
        crate::error::ErrorKind::PayloadTooLarge,
        "payload_too_large",
        "the request body is larger than this endpoint accepts",
    ));
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, body).map_into_right_body(),
    ))
}

pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    AppError::new(
        crate::error::ErrorKind::NotFound,
        "not_found",
        format!("no such resource: {err}"),
    )
    .into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    AppError::bad_request(format!("the query string is not valid: {err}")).into()
}
