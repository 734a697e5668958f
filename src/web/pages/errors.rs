//! Errors on pages: a refused or failed page request gets a page in the
//! visitor's language that says what happened and where to go next, never
//! the API's JSON and never a stack trace.

use crate::error::AppError;
use crate::i18n::Lang;
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
    // The refusal as the handler gave it, to be said in the reader's language.
    let app = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .cloned();
    if is_api(res.request().path()) && json {
        if let Some(app) = app.as_ref().filter(|a| a.has_words()) {
            return Ok(ErrorHandlerResponse::Response(
                in_request_language(res, app).map_into_right_body(),
            ));
        }
    }
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
        let said = app.filter(|a| !a.message.is_plain()).and_then(|a| {
            let state = req.app_data::<State>()?;
            Some(a.message.render(&state.catalog, Lang::of_request(&req).0))
        });
        let mut page = page(&req, status, &code, message, said);
        if let Some(allow) = allow {
            page.headers_mut().insert(header::ALLOW, allow);
        }
        let page: actix_web::HttpResponse<EitherBody<B, BoxBody>> =
            page.map_body(|_, b| EitherBody::right(b));
        Ok(ServiceResponse::new(req, page))
    })))
}

/// The API's JSON error said in the request's language (English unless the
/// request asks for another), with the same code, details and shape.
fn in_request_language<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    app: &AppError,
) -> ServiceResponse<BoxBody> {
    let Some(state) = res.request().app_data::<State>().cloned() else {
        return res.map_into_boxed_body();
    };
    let lang = Lang::of_api_request(res.request());
    let body = app.body_in(&state.catalog, lang);
    res.map_body(|head, _| {
        head.headers_mut().remove(header::CONTENT_LENGTH);
        BoxBody::new(body.to_string())
    })
}

fn page(
    req: &HttpRequest,
    status: StatusCode,
    code: &str,
    message: Option<String>,
    said: Option<String>,
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
    // A message with words in the catalog is said in the visitor's language.
    let detail = said.or(message.filter(|_| lang == Lang::En));
    ctx.insert("detail", &detail.filter(|_| !status.is_server_error()));
    ctx.insert("next_href", next_href);
    ctx.insert("next_label", &next_label);
    match super::render_status(state, req, "pages/error.html", ctx, None, status) {
        Ok(r) => r,
        Err(_) => actix_web::HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(heading),
    }
}
