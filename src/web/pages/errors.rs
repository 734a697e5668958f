//! Errors on pages: a refused or failed page request gets a page in the
//! visitor's language that says what happened and where to go next, never
//! the API's JSON and never a stack trace.

use super::i18n::Lang;
use crate::web::State;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::HttpRequest;

/// Paths whose errors keep the API's JSON shape.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz"
}

/// Replaces the JSON error of a page request with an error page.
pub fn html_for_pages<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_api(res.request().path()) || !json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    Ok(ErrorHandlerResponse::Future(Box::pin(async move {
        let (req, resp) = res.into_parts();
        let status = resp.status();
        let allow = resp.headers().get(header::ALLOW).cloned();
        let body = actix_web::body::to_bytes(resp.into_body())
            .await
            .unwrap_or_default();
        let error: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let code = error["error"]["code"].as_str().unwrap_or("").to_string();
        let message = error["error"]["message"].as_str().map(str::to_string);
        let mut page = page(&req, status, &code, message);
        if let Some(allow) = allow {
            page.headers_mut().insert(header::ALLOW, allow);
        }
        let page: actix_web::HttpResponse<EitherBody<B, BoxBody>> =
            page.map_body(|_, b| EitherBody::right(b));
        Ok(ServiceResponse::new(req, page))
    })))
}

fn page(
    req: &HttpRequest,
    status: StatusCode,
    code: &str,
    message: Option<String>,
) -> actix_web::HttpResponse {
    let Some(state) = req.app_data::<State>() else {
        return actix_web::HttpResponse::build(status).finish();
    };
    let (lang, _) = Lang::of_request(req);
    let t = |k: &str| state.catalog.get(lang, k);
    let heading = match status.as_u16() {
        401 => t("error_401"),
        403 => t("error_403"),
        404 => t("error_404"),
        413 => t("error_413"),
        500..=599 => t("error_500"),
        _ => t("error_400"),
    };
    let specific = format!("error_{code}");
    let explanation = if state.catalog.messages(lang).contains_key(&specific) {
        t(&specific)
    } else {
        t(&format!("explain_{}", status.as_u16() / 100 * 100))
    };
    let (next_href, next_label) = if status == StatusCode::UNAUTHORIZED {
        ("/signin", t("sign_in"))
    } else {
        ("/", t("back_home"))
    };
    let mut ctx = tera::Context::new();
    ctx.insert("heading", &heading);
    ctx.insert("explanation", &explanation);
    // The English detail says exactly what was wrong; server faults keep theirs to the log.
    ctx.insert(
        "detail",
        &message.filter(|_| !status.is_server_error() && lang == Lang::En),
    );
    ctx.insert("next_href", next_href);
    ctx.insert("next_label", &next_label);
    match super::render_status(state, req, "pages/error.html", ctx, None, status) {
        Ok(r) => r,
        Err(_) => actix_web::HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(heading),
    }
}
