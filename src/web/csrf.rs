//! Cross-site request forgery: every page carries a random token that is also
//! kept in a `SameSite=Strict` cookie. A form must send it back as the field
//! `csrf`; a script calling the API with the page session sends it as the
//! `X-CSRF-Token` header. Bearer tokens need neither: browsers never attach
//! them on their own.

use crate::error::{AppError, AppResult, ErrorKind};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

pub const CSRF_COOKIE: &str = "jiangxin_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";
pub const CSRF_FIELD: &str = "csrf";

/// The request's token, and a cookie to set when it had none yet.
pub fn token_of(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    if let Some(c) = req.cookie(CSRF_COOKIE) {
        if well_formed(c.value()) {
            return (c.value().to_string(), None);
        }
    }
    let token = crate::web::auth::new_token();
    let mut cookie = Cookie::new(CSRF_COOKIE, token.clone());
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Strict);
    cookie.set_secure(secure);
    (token, Some(cookie))
}

fn well_formed(v: &str) -> bool {
    v.len() == 43
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn refused() -> AppError {
    AppError::new(
        ErrorKind::Forbidden,
        "csrf",
        "the form's security token is missing or out of date; reload the page and try again",
    )
}

/// Checks a token sent back by a form or a script against the cookie.
pub fn check(req: &HttpRequest, sent: &str) -> AppResult<()> {
    let cookie = req.cookie(CSRF_COOKIE).ok_or_else(refused)?;
    let expected = cookie.value().as_bytes();
    if !well_formed(cookie.value()) || !bool::from(expected.ct_eq(sent.trim().as_bytes())) {
        return Err(refused());
    }
    Ok(())
}

/// An API request that changes something and is authorised by the page
/// session must carry the header.
pub fn check_api(req: &HttpRequest) -> AppResult<()> {
    if req.method().is_safe() {
        return Ok(());
    }
    let sent = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refused)?;
    check(req, sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_must_match_its_cookie() {
        let token = crate::web::auth::new_token();
        let req = actix_web::test::TestRequest::post()
            .cookie(Cookie::new(CSRF_COOKIE, token.clone()))
            .to_http_request();
        assert!(check(&req, &token).is_ok());
        assert_eq!(check(&req, "x").unwrap_err().code, "csrf");
        let other = crate::web::auth::new_token();
        assert!(check(&req, &other).is_err());
        let bare = actix_web::test::TestRequest::post().to_http_request();
        assert!(check(&bare, &token).is_err(), "no cookie, no pass");
        let (kept, set) = token_of(&req, false);
        assert_eq!((kept, set.is_none()), (token, true));
        let (fresh, set) = token_of(&bare, true);
        let set = set.unwrap();
        assert!(well_formed(&fresh) && set.secure() == Some(true));
        assert_eq!(set.same_site(), Some(SameSite::Strict));
    }

    #[test]
    fn the_api_wants_the_header_only_for_changes() {
        let token = crate::web::auth::new_token();
        let get = actix_web::test::TestRequest::get().to_http_request();
        assert!(check_api(&get).is_ok());
        let post = actix_web::test::TestRequest::post()
            .cookie(Cookie::new(CSRF_COOKIE, token.clone()))
            .to_http_request();
        assert!(check_api(&post).is_err());
        let post = actix_web::test::TestRequest::post()
            .cookie(Cookie::new(CSRF_COOKIE, token.clone()))
            .insert_header((CSRF_HEADER, token))
            .to_http_request();
        assert!(check_api(&post).is_ok());
    }
}
