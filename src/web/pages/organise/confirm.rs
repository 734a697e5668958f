//! Confirmation before an action that cannot be undone or that makes
//! something public: a page (reached by a link or a GET form, so without
//! JavaScript) that says what will happen, with a form that sends the action
//! with `confirm=yes` and a way back. Each action's handler refuses a form
//! without that field by showing this page again (422), so an old-style
//! one-click post changes nothing.

use super::Heading;
use crate::error::AppResult;
use crate::web::pages::forms::FormData;
use crate::web::pages::render_status;
use crate::web::State;
use crate::workflow::accounts::User;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

/// What a confirmation page says and where its form goes.
#[derive(Serialize, Default)]
pub(super) struct Confirmation {
    /// The page's heading: the action's name.
    pub title: String,
    /// What will happen, one sentence each.
    pub facts: Vec<String>,
    /// Why the action may fail as things stand (it is still offered).
    pub problems: Vec<String>,
    /// What cannot be undone or becomes public.
    pub warning: String,
    /// Where the confirmed form is posted (a path made of ids only: shown unescaped).
    pub action: String,
    /// The action's own fields, sent again as hidden fields.
    pub fields: Vec<(String, String)>,
    /// The confirm button's words.
    pub button: String,
    /// Where "cancel" leads (a path made of ids only: shown unescaped).
    pub back: String,
}

/// Whether the form carries the confirmation.
pub(super) fn given(form: &FormData) -> bool {
    form.get("confirm") == "yes"
}

/// The confirmation page; `unconfirmed` when an action came without its
/// confirmation (then with 422 and a line asking to confirm).
pub(super) fn page(
    state: &State,
    req: &HttpRequest,
    head: &Heading,
    section: &str,
    c: &Confirmation,
    user: User,
    unconfirmed: bool,
) -> AppResult<HttpResponse> {
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("section", section);
    ctx.insert("c", c);
    ctx.insert("unconfirmed", &unconfirmed);
    let status = if unconfirmed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(state, req, "organise/confirm.html", ctx, Some(user), status)
}
