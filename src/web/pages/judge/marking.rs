//! The marking page: one entry at a time, every aspect the judge marks on
//! it, large buttons for levels and the decimal keypad for measurements.
//! Without JavaScript it is a plain form; each mark carries a mark id made
//! here, so sending the form twice stores nothing twice. `static/judge.js`
//! takes over where it runs (see `docs/judging.md`).

use super::super::forms::{FieldErrors, FormData};
use super::super::render_status;
use super::work::{new_mark_id, AspectWork, Input, Work};
use super::{judged, Heading};
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::User;
use crate::workflow::fair_play::blind_views::EntryKey;
use crate::workflow::marking::{MarkInput, MarkKind};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/judge/contests/{id}").get(page))
        .service(routes::path("/judge/contests/{id}/marks").post(post_marks));
}

/// The device name of marks sent by the plain form.
const FORM_DEVICE: &str = "web form";

#[derive(Deserialize)]
struct PageQuery {
    /// An entry id, or its blind number while the contest is blind.
    entry: Option<String>,
    saved: Option<usize>,
}

#[derive(Serialize)]
struct EntryView {
    id: EntryKey,
    start_number: String,
    position: usize,
    count: usize,
    prev: Option<EntryKey>,
    next: Option<EntryKey>,
    done: usize,
    missing: usize,
}

#[derive(Serialize)]
struct AspectView<'a> {
    #[serde(flatten)]
    aspect: &'a AspectWork,
    levels: Vec<String>,
    /// `levels` (buttons) or `number` (the decimal keypad).
    widget: &'static str,
    /// On the current entry: the judge marks this aspect of it.
    shown: bool,
    value: String,
    current_id: String,
    new_id: String,
    locked: bool,
    /// The judge may change it: not signed off, or the chief judge.
    editable: bool,
    error: Option<String>,
    corrections: usize,
}

/// What the script needs: the judge's entries and the current mark of
/// each of their slots, and the strings it shows.
#[derive(Serialize)]
struct ScriptState<'a> {
    contest: i64,
    /// The chief judge changes signed-off marks, with a reason.
    chief: bool,
    /// The contest takes marks from this judge now; if not, the inputs
    /// stay disabled.
    open: bool,
    /// The judge: each judge's unsent marks are kept apart on a shared
    /// tablet, so that a mark is only ever sent as its judge's.
    judge: i64,
    entry: EntryKey,
    entries: Vec<ScriptEntry>,
    t: BTreeMap<&'a str, String>,
}

#[derive(Serialize)]
struct ScriptEntry {
    id: EntryKey,
    start: String,
    slots: BTreeMap<String, ScriptSlot>,
}

#[derive(Serialize)]
struct ScriptSlot {
    id: Option<String>,
    value: Option<String>,
    locked: bool,
}

/// Catalog keys the script shows.
const SCRIPT_STRINGS: &[&str] = &[
    "judge_unsent",
    "judge_all_sent",
    "judge_offline",
    "judge_refused",
    "judge_signed_out",
    "judge_dismiss",
    "judge_entry_of",
    "judge_error_out_of_range",
    "judge_error_stale",
    "judge_error_locked",
    "judge_error_conflict_of_interest",
    "judge_error_not_on_panel",
    "judge_error_contest_not_running",
    "judge_error_unknown_entry",
    "judge_error_unknown_aspect",
    "judge_error_id_reused",
    "judge_error_reason_required",
    "judge_error_scheme_changed",
    "judge_error_other",
    "judge_not_a_number",
];

fn script_state(
    state: &State,
    lang: Lang,
    (contest, judge, entry): (i64, i64, EntryKey),
    head: &Heading,
    w: &Work,
) -> String {
    let entries = w
        .entries
        .iter()
        .map(|e| ScriptEntry {
            id: e.key.clone(),
            start: e.start_number.clone(),
            slots: e
                .slots
                .iter()
                .map(|s| {
                    let cur = s.current();
                    (
                        w.layout.aspect(s.aspect).code.clone(),
                        ScriptSlot {
                            id: cur.map(|m| m.client_id.clone()),
                            value: cur.map(|m| m.value.clone()),
                            locked: s.locked,
                        },
                    )
                })
                .collect(),
        })
        .collect();
    let t = SCRIPT_STRINGS
        .iter()
        .map(|k| (*k, state.catalog.get(lang, k)))
        .collect();
    serde_json::to_string(&ScriptState {
        contest,
        chief: head.chief,
        open: head.marking_open,
        judge,
        entry,
        entries,
        t,
    })
    .unwrap_or_default()
}

/// A form sent back: the values typed by aspect code, the errors by aspect
/// code (and `_form`), the reason typed.
#[derive(Default)]
struct Sent {
    typed: BTreeMap<String, String>,
    errors: Errors,
    reason: String,
}

/// The form of the chosen entry, with what was typed and the errors.
#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &State,
    req: &HttpRequest,
    head: &Heading,
    user: User,
    w: Option<&Work>,
    chosen: Option<EntryKey>,
    sent: &Sent,
    saved: Option<usize>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (typed, errors) = (&sent.typed, &sent.errors);
    let (lang, _) = Lang::of_request(req);
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("section", "mark");
    ctx.insert("saved", &saved);
    ctx.insert("reason", &sent.reason);
    ctx.insert("form_error", &errors.get(super::super::forms::FORM));
    let Some(w) = w.filter(|w| !w.entries.is_empty()) else {
        ctx.insert("has_scheme", &w.is_some());
        ctx.insert("entry", &Option::<EntryView>::None);
        return render_status(state, req, "judge/mark.html", ctx, Some(user), status);
    };
    let k = match chosen {
        Some(id) => w.entries.iter().position(|e| e.key == id).ok_or_else(|| {
            AppError::not_found(format!("entry {id} is not among the entries you mark"))
        })?,
        None => w
            .entries
            .iter()
            .position(|e| e.done() < e.slots.len())
            .unwrap_or(0),
    };
    let e = &w.entries[k];
    let entry = EntryView {
        id: e.key.clone(),
        start_number: e.start_number.clone(),
        position: k + 1,
        count: w.entries.len(),
        prev: k.checked_sub(1).map(|p| w.entries[p].key.clone()),
        next: w.entries.get(k + 1).map(|n| n.key.clone()),
        done: e.done(),
        missing: e.slots.len() - e.done(),
    };
    // Aspects described in the reader's language where the scheme gives it.
    let described: Vec<AspectWork> = w
        .aspects
        .iter()
        .map(|a| AspectWork {
            description: match (&a.description_zh, lang) {
                (Some(zh), Lang::Zh) => zh.clone(),
                _ => a.description.clone(),
            },
            ..a.clone()
        })
        .collect();
    let aspects: Vec<AspectView<'_>> = described
        .iter()
        .map(|a| {
            let slot = e.slots.iter().find(|s| s.aspect == a.index);
            let cur = slot.and_then(|s| s.current());
            AspectView {
                aspect: a,
                levels: match &a.input {
                    Input::Levels { values } => values.clone(),
                    Input::Number => Vec::new(),
                },
                widget: match a.input {
                    Input::Levels { .. } => "levels",
                    Input::Number => "number",
                },
                shown: slot.is_some(),
                value: typed
                    .get(&a.code)
                    .cloned()
                    .or_else(|| cur.map(|m| m.value.clone()))
                    .unwrap_or_default(),
                current_id: cur.map(|m| m.client_id.clone()).unwrap_or_default(),
                new_id: new_mark_id(),
                locked: slot.is_some_and(|s| s.locked),
                editable: head.marking_open && (!slot.is_some_and(|s| s.locked) || head.chief),
                error: errors.get(&a.code).cloned(),
                corrections: slot.map_or(0, |s| s.marks.len().saturating_sub(1)),
            }
        })
        .collect();
    ctx.insert("has_scheme", &true);
    ctx.insert("entry", &entry);
    ctx.insert("aspects", &aspects);
    ctx.insert(
        "script_state",
        &script_state(state, lang, (head.id, user.id.0, e.key.clone()), head, w),
    );
    render_status(state, req, "judge/mark.html", ctx, Some(user), status)
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let q = q.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let (head, user, w) = state
        .db(move |conn| judged(conn, &st, lang, &actor, id))
        .await?;
    form_page(
        &state,
        &req,
        &head,
        user,
        w.as_ref(),
        q.entry.as_deref().map(EntryKey::parse),
        &Sent::default(),
        q.saved,
        StatusCode::OK,
    )
}

/// Why the writer refused a mark, in the judge's language: the judges'
/// own text for the refusal's code, or the site's.
pub(super) fn refusal_text(state: &State, lang: Lang, e: &AppError) -> String {
    let key = format!("judge_error_{}", e.code);
    if state.catalog.messages(lang).contains_key(&key) {
        return state.catalog.get(lang, &key);
    }
    let text = FieldErrors::from_error(&state.catalog, lang, e);
    let all: Vec<String> = ["value", "id", "reason", super::super::forms::FORM]
        .iter()
        .filter_map(|f| text.get(f).map(str::to_string))
        .collect();
    all.join("\n")
}

/// Errors by aspect code.
type Errors = BTreeMap<String, String>;

/// The marks a sent form asks for, and the errors found before sending
/// any: a value that is not a number, a signed-off module (which only the
/// chief judge changes, with the form's reason).
fn marks_of_form(
    state: &State,
    lang: Lang,
    chief: bool,
    w: &Work,
    entry: &EntryKey,
    form: &FormData,
) -> AppResult<(Vec<(String, MarkInput)>, Errors)> {
    let e = w.keyed(entry).ok_or_else(|| {
        AppError::not_found(format!("entry {entry} is not among the entries you mark"))
    })?;
    let mut inputs = Vec::new();
    let mut errors = BTreeMap::new();
    for s in &e.slots {
        let code = &w.layout.aspect(s.aspect).code;
        let typed = form.get(&format!("value:{code}"));
        if typed.is_empty() {
            continue;
        }
        let Ok(value) = Decimal::from_str_exact(&typed) else {
            errors.insert(code.clone(), state.catalog.get(lang, "judge_not_a_number"));
            continue;
        };
        let current = s.current();
        if current.and_then(|m| Decimal::from_str_exact(&m.value).ok()) == Some(value) {
            continue;
        }
        if s.locked && !chief {
            errors.insert(code.clone(), state.catalog.get(lang, "judge_error_locked"));
            continue;
        }
        let reason = Some(form.get("reason")).filter(|r| s.locked && !r.is_empty());
        let replaces = form.get(&format!("replaces:{code}"));
        inputs.push((
            code.clone(),
            MarkInput {
                id: form.get(&format!("id:{code}")),
                entry: e.id.0,
                aspect: code.clone(),
                kind: MarkKind::Mark,
                value: typed,
                replaces: Some(replaces).filter(|r| !r.is_empty()),
                device: Some(FORM_DEVICE.to_string()),
                reason,
            },
        ));
    }
    Ok((inputs, errors))
}

/// The plain form: each mark goes through the same writer as the API's;
/// a refused mark comes back beside its field with what was typed.
async fn post_marks(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let entry = Some(form.get("entry"))
        .filter(|e| !e.trim().is_empty())
        .map(|e| EntryKey::parse(&e))
        .ok_or_else(|| AppError::invalid("entry", "choose an entry"))?;
    let actor = caller.actor;
    let (st, a) = (state.clone(), actor.clone());
    let (head, _, w) = state
        .db(move |conn| judged(conn, &st, lang, &a, id))
        .await?;
    let w =
        w.ok_or_else(|| AppError::conflict(crate::i18n::messages::Msg::new("scheme_missing")))?;
    let (inputs, mut errors) = marks_of_form(&state, lang, head.chief, &w, &entry, &form)?;
    let writer = state.marks.clone();
    let again = actor.clone();
    let outcomes = web::block(move || {
        inputs
            .into_iter()
            .map(|(code, m)| {
                let who = actor.clone();
                let r = writer.submit(move |_| Ok(who), id, std::slice::from_ref(&m));
                (code, r)
            })
            .collect::<Vec<_>>()
    })
    .await?;
    let mut stored = 0;
    for (code, r) in outcomes {
        match r {
            Ok(_) => stored += 1,
            Err(e) => {
                errors.insert(code, refusal_text(&state, lang, &e));
            }
        }
    }
    if errors.is_empty() {
        return Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/judge/contests/{id}?entry={entry}&saved={stored}"),
            ))
            .finish());
    }
    // Fresh marks: those of the form that were accepted are now current.
    let st = state.clone();
    let (head, user, w) = state
        .db(move |conn| judged(conn, &st, lang, &again, id))
        .await?;
    let typed: BTreeMap<String, String> = form
        .values()
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("value:").map(|c| (c.to_string(), v)))
        .collect();
    form_page(
        &state,
        &req,
        &head,
        user,
        w.as_ref(),
        Some(entry),
        &Sent {
            typed,
            errors,
            reason: form.get("reason"),
        },
        (stored > 0).then_some(stored),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}
