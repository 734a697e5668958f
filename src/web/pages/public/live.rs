//! A contest's live ranking while marking runs: the current table (a reload
//! refreshes it), and a stream of server-sent events that replaces it as
//! marks arrive. Shown to everyone who may view the contest once its
//! organiser has made it public; its organisers and chief judges always.

use crate::engine::access::Denied;
use crate::engine::model::{ContestId, ContestStatus};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::{forms::FormData, render};
use crate::web::routes;
use crate::web::State;
use crate::workflow::allow;
use crate::workflow::running;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A comment sent when nothing else was, so that proxies keep the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests/{id}/live").get(page))
        .service(routes::path("/contests/{id}/live/events").get(events))
        .service(routes::path("/contests/{id}/live/visibility").post(visibility));
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let running::LivePage {
        access,
        account: user,
    } = state
        .db(move |conn| running::live_page(conn, &actor, id))
        .await?;
    let c = &access.contest.contest;
    let mut ctx = tera::Context::new();
    ctx.insert("id", &id.0);
    ctx.insert("contest_name", &lang.pick(&c.name_zh, &c.name_en));
    ctx.insert("code", &c.code);
    ctx.insert(
        "status",
        &state.catalog.get(lang, &format!("status_{}", c.status)),
    );
    ctx.insert("public", &access.public);
    ctx.insert("manages", &access.manages);
    ctx.insert("may_see", &access.may_see());
    ctx.insert("begun", &access.begun());
    ctx.insert("published", &(c.status == ContestStatus::Published));
    ctx.insert("signed_in", &user.is_some());
    let mut rows = String::new();
    let mut counts = (0, 0);
    if access.may_see() && access.begun() {
        let (_, table) = state.live.current(&state, id).await?;
        rows = table.rows(lang).to_string();
        counts = (table.ranked, table.entries);
    }
    ctx.insert("rows", &rows);
    ctx.insert("ranked", &counts.0);
    ctx.insert("entries", &counts.1);
    ctx.insert("lang", if lang == Lang::Zh { "zh" } else { "en" });
    render(&state, &req, "public/live.html", ctx, user)
}

/// The live ranking as server-sent events: `table` events carry the rows
/// (HTML, in the visitor's language), comments keep the stream alive, and
/// a `closed` event ends it when the ranking stops being public.
async fn events(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let (lang, _) = Lang::of_request(&req);
    let (actor, token) = (caller.actor, caller.token_id);
    let signed_in = actor.is_signed_in();
    let access = state
        .db(move |conn| running::live_access(conn, &actor, id))
        .await?;
    if !access.may_see() {
        let why = state.catalog.get(lang, "live_not_public");
        allow(signed_in, Err(Denied(why.into())))?;
    }
    let stream = Stream {
        rx: state.live.subscribe(),
        state: state.clone(),
        id,
        lang,
        supervises: access.supervises,
        token,
        sent: None,
        done: false,
    };
    let body = futures_util::stream::unfold(stream, |mut s| async move {
        let chunk = s.next().await?;
        Some((Ok::<_, actix_web::Error>(web::Bytes::from(chunk)), s))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// One viewer's stream of events.
struct Stream {
    rx: tokio::sync::broadcast::Receiver<i64>,
    state: State,
    id: ContestId,
    lang: Lang,
    supervises: bool,
    /// The token the stream was opened with: a supervisor's stream ends
    /// when it is revoked (signed out, or its judge's link revoked).
    token: Option<i64>,
    /// The generation last sent.
    sent: Option<u64>,
    done: bool,
}

impl Stream {
    /// The next chunk to send; `None` ends the stream.
    async fn next(&mut self) -> Option<String> {
        if self.done {
            return None;
        }
        if self.sent.is_none() {
            return Some(match self.table().await {
                Some(ev) => format!("retry: 3000\n\n{ev}"),
                None => "retry: 3000\n\n".to_string(),
            });
        }
        loop {
            match tokio::time::timeout(KEEP_ALIVE, self.changed()).await {
                Err(_) => {
                    if !self.still_signed_in().await {
                        return Some(self.close());
                    }
                    return Some(": keep-alive\n\n".to_string());
                }
                Ok(false) => return None,
                Ok(true) => {
                    if let Some(ev) = self.table().await {
                        return Some(ev);
                    }
                }
            }
        }
    }

    /// Waits for a change of this contest; `false` when the hub is gone.
    async fn changed(&mut self) -> bool {
        loop {
            match self.rx.recv().await {
                Ok(c) if c == self.id.0 => break,
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return false,
            }
        }
        // Changes that arrived meanwhile are served by the same computation.
        while !self.rx.is_empty() {
            if self.rx.try_recv().is_err() {
                break;
            }
        }
        true
    }

    /// Whether a supervisor's stream may go on: the token it was opened
    /// with is still live. Other streams show only what anyone may see.
    async fn still_signed_in(&self) -> bool {
        let Some(id) = self.token.filter(|_| self.supervises) else {
            return true;
        };
        let live = self
            .state
            .db(move |conn| crate::workflow::accounts::token_is_live(conn, id))
            .await;
        live.unwrap_or_else(|e| {
            tracing::warn!("live ranking of contest {}: {}", self.id, e.message);
            false
        })
    }

    /// The `closed` event, after which the stream ends.
    fn close(&mut self) -> String {
        self.done = true;
        "event: closed\ndata: \n\n".to_string()
    }

    /// A `table` event, or `None` when nothing new is to be sent.
    async fn table(&mut self) -> Option<String> {
        let (generation, table) = match self.state.live.current(&self.state, self.id).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("live ranking of contest {}: {}", self.id, e.message);
                self.sent.get_or_insert(0);
                return None;
            }
        };
        if !table.public && (!self.supervises || !self.still_signed_in().await) {
            return Some(self.close());
        }
        if self.sent == Some(generation) {
            return None;
        }
        self.sent = Some(generation);
        let mut ev = format!("event: table\nid: {generation}\n");
        for line in table.rows(self.lang).lines() {
            ev.push_str("data: ");
            ev.push_str(line);
            ev.push('\n');
        }
        ev.push('\n');
        Some(ev)
    }
}

/// Makes the live ranking public or private (the contest's organisers).
async fn visibility(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let public = match form.get("public").as_str() {
        "1" | "true" | "on" => true,
        "0" | "false" | "off" => false,
        other => {
            return Err(AppError::invalid(
                "public",
                format!("`{other}` is neither 1 nor 0"),
            ))
        }
    };
    let actor = caller.actor;
    state
        .db(move |conn| running::set_live_visibility(conn, &actor, id, public))
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/contests/{id}/live")))
        .finish())
}
