//! The marking workflow shared by the API, the command line and the
//! benchmarks: storing scheme versions, recording judges' marks with every
//! rule checked, signing off modules, and keeping each entry's running score.

use crate::engine::access::Actor;
use crate::engine::model::{
    ContestId, ContestStatus, EntryId, EntryStatus, JudgeRole, UserId, Vocabulary,
};
use crate::engine::scheme::{check_scheme, parse_scheme, Scheme, SchemeError};
use crate::engine::scoring::{
    check_mark, lock_blockers, outcome, EntryScore, Layout, Outcome, Recorded, Slot,
};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::store::marking::{self as store, NewMark, StoredMark, StoredScore};
use crate::store::{contests, entries, organisations, DbConnection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---- schemes ----------------------------------------------------------------

/// Reads and checks a scheme file; errors name the line and the field.
pub fn read_scheme(text: &str) -> AppResult<Scheme> {
    let scheme = parse_scheme(text).map_err(scheme_error)?;
    check_scheme(&scheme).map_err(|errs| {
        AppError::new(
            ErrorKind::Invalid,
            "invalid_scheme",
            format!("the scheme has {} problem(s)", errs.len()),
        )
        .with_details(
            errs.into_iter()
                .map(|e| match e.split_once(": ") {
                    Some((path, msg)) => ErrorDetail::field(path, msg),
                    None => ErrorDetail::field("scheme", e),
                })
                .collect(),
        )
    })?;
    Ok(scheme)
}

fn scheme_error(e: SchemeError) -> AppError {
    document_error("invalid_scheme", "scheme", e)
}

/// A TOML document (scheme or policy) that could not be read: the message
/// and the detail name the line and the field.
pub(crate) fn document_error(code: &'static str, what: &str, e: SchemeError) -> AppError {
    let mut detail = ErrorDetail::field(
        if e.path.is_empty() { what } else { &e.path },
        e.message.clone(),
    );
    if e.line > 0 {
        detail.row = Some(e.line);
    }
    AppError::new(ErrorKind::Invalid, code, e.to_string()).with_details(vec![detail])
}

/// Checked, flattened schemes by contest and version. A stored version
/// never changes, so entries never go stale.
#[derive(Default)]
pub struct Schemes {
    cache: Mutex<HashMap<(i64, i32), Arc<Layout>>>,
}

impl Schemes {
    /// The latest version of a contest's scheme, if it has one.
    pub fn current(
        &self,
        conn: &mut DbConnection,
        contest: ContestId,
    ) -> AppResult<Option<(i32, Arc<Layout>)>> {
        let version = store::current_version(conn, contest)?;
        if version == 0 {
            return Ok(None);
        }
        self.version(conn, contest, version)
            .map(|l| Some((version, l)))
    }

    pub fn version(
        &self,
        conn: &mut DbConnection,
        contest: ContestId,
        version: i32,
    ) -> AppResult<Arc<Layout>> {
        if let Some(l) = self.lock().get(&(contest.0, version)) {
            return Ok(l.clone());
        }
        let stored = store::scheme_version(conn, contest, version)?.ok_or_else(|| {
            AppError::not_found(format!("contest {contest} has no scheme version {version}"))
        })?;
        let scheme = read_scheme(&stored.body)
            .map_err(|e| AppError::internal(format!("stored scheme does not read: {e}")))?;
        let layout = Arc::new(
            Layout::new(scheme)
                .map_err(|e| AppError::internal(format!("stored scheme does not check: {e:?}")))?,
        );
        self.lock().insert((contest.0, version), layout.clone());
        Ok(layout)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, i32), Arc<Layout>>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Stores a new version of a contest's scheme. Before the first mark any
/// change is a new version; afterwards a change needs a reason.
pub fn put_scheme(
    conn: &mut DbConnection,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<i32> {
    let mut scheme = read_scheme(text)?;
    if store::contest_has_marks(conn, contest)? && reason.is_none() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "scheme_frozen",
            "the scheme is frozen: marks have been recorded; \
             a new version needs a reason (?reason=…)",
        ));
    }
    let version = store::current_version(conn, contest)? + 1;
    scheme.version = u32::try_from(version).unwrap_or(u32::MAX);
    // Stored as written by the engine, so that the stored text and the
    // version number always agree.
    let body = toml::to_string(&scheme)
        .map_err(|e| AppError::internal(format!("cannot write the scheme: {e}")))?;
    let stored = store::insert_scheme(conn, contest, &body, reason, by)?;
    Ok(stored)
}

/// Stores a scheme as the contest's next version and audits it, in one
/// transaction: the one way the API and the pages change a scheme.
pub fn store_scheme(
    conn: &mut DbConnection,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<i32> {
    crate::store::write_tx(conn, |conn| {
        let version = put_scheme(conn, contest, text, reason, by)?;
        crate::store::audit::record(
            conn,
            by,
            "contest.scheme.put",
            ("contest", Some(contest.0)),
            serde_json::json!({"version": version, "reason": reason}),
        )?;
        Ok(version)
    })
}

// ---- marks --------------------------------------------------------------------

/// What a recorded value stands for, as a client says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A judge's level or mark, or the value of a measurement.
    #[default]
    Mark,
    /// An entry's declared factor (degree of difficulty).
    Factor,
    /// The chief judge's level overruling a judgement panel.
    Overrule,
}

/// One mark as a client sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    /// Generated by the client (a UUID); a retry with the same id never
    /// stores the mark twice.
    pub id: String,
    pub entry: i64,
    pub aspect: String,
    #[serde(default)]
    pub kind: MarkKind,
    /// A decimal, as a string.
    pub value: String,
    /// The id of the mark this one replaces: the slot's current mark.
    /// Absent for the first mark of a slot.
    #[serde(default)]
    pub replaces: Option<String>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A stored mark as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MarkView {
    pub id: String,
    pub entry: i64,
    pub aspect: String,
    pub slot: String,
    pub value: String,
    pub seq: i32,
    pub replaces: Option<String>,
    pub judge: i64,
    pub device: String,
    pub reason: Option<String>,
    pub scheme_version: i32,
    pub at: chrono::NaiveDateTime,
}

/// The answer to a recorded mark.
#[derive(Debug, Clone, Serialize)]
pub struct MarkReceipt {
    pub mark: MarkView,
    /// True when this id was already stored (a retry); nothing new was stored.
    pub duplicate: bool,
    pub aspect: Outcome,
    pub entry_total: Decimal,
}

/// Is `id` a UUID in its usual text form?
pub fn valid_client_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn view(m: &StoredMark, replaces: Option<String>) -> MarkView {
    MarkView {
        id: m.client_id.clone(),
        entry: m.entry_id,
        aspect: m.aspect.clone(),
        slot: m.slot.clone(),
        value: m.value.clone(),
        seq: m.seq,
        replaces,
        judge: m.judge_id,
        device: m.device.clone(),
        reason: m.reason.clone(),
        scheme_version: m.scheme_version,
        at: m.created_at,
    }
}

fn views(marks: &[StoredMark]) -> Vec<MarkView> {
    let by_id: HashMap<i64, &str> = marks.iter().map(|m| (m.id, m.client_id.as_str())).collect();
    marks
        .iter()
        .map(|m| {
            view(
                m,
                m.replaces
                    .and_then(|r| by_id.get(&r).map(|s| s.to_string())),
            )
        })
        .collect()
}

/// The judge making a request: who, from where, with which role.
struct Marker {
    user: UserId,
    role: JudgeRole,
}

fn marker(actor: &Actor, contest: ContestId) -> AppResult<Marker> {
    match actor {
        Actor::Judge { user, .. } => match actor.judge_role(contest) {
            Some(role) => Ok(Marker { user: *user, role }),
            None => Err(AppError::forbidden(format!(
                "you are not a judge of contest {contest}"
            ))),
        },
        Actor::Anonymous => Err(AppError::unauthenticated("sign in first")),
        _ => Err(AppError::forbidden(
            "only the contest's judges may record marks",
        )),
    }
}

fn field_error(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
    let message: String = message.into();
    AppError::new(ErrorKind::Invalid, code, format!("{field}: {message}"))
        .with_details(vec![ErrorDetail::field(field, message)])
}

/// A mark that passed every check that does not depend on other marks,
/// ready for the writer.
#[derive(Debug, Clone)]
pub struct Prepared {
    contest: ContestId,
    version: i32,
    layout: Arc<Layout>,
    aspect: usize,
    entry: EntryId,
    start_number: String,
    slot: Slot,
    value: Decimal,
    judge: UserId,
    chief: bool,
    reason: Option<String>,
    device: String,
    id: String,
    replaces: Option<String>,
    /// Its position in the request's batch.
    position: usize,
}

/// A mark after its checks: new, or a retry of one already stored.
#[derive(Debug, Clone)]
pub enum Checked {
    New(Box<Prepared>),
    Stored(Box<MarkReceipt>),
}

/// Records one mark after checking every rule; the caller provides the
/// transaction. Nothing is written when a rule is broken.
pub fn record_mark(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    input: &MarkInput,
) -> AppResult<MarkReceipt> {
    match check_input(conn, schemes, actor, contest, input)? {
        Checked::Stored(r) => Ok(*r),
        Checked::New(p) => commit_mark(conn, schemes, &mut GroupState::default(), &p),
    }
}

/// What a mark id stands for: who sent which value for which aspect.
#[derive(Clone, Copy)]
struct Claim<'a> {
    judge: UserId,
    id: &'a str,
    entry: i64,
    aspect: &'a str,
    value: Decimal,
}

/// The answer for a mark id that is already stored: the stored mark if the
/// retry carries the same mark, 409 if the id was used for another.
fn stored_receipt(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    claim: &Claim<'_>,
) -> AppResult<Option<MarkReceipt>> {
    let Claim {
        judge,
        id,
        entry,
        aspect,
        value,
    } = *claim;
    if !store::client_id_taken(conn, contest, id)? {
        return Ok(None);
    }
    let Some(existing) = store::mark_by_client_id(conn, contest, id)? else {
        return Ok(None);
    };
    let same = existing.entry_id == entry
        && existing.aspect == aspect
        && existing.judge_id == judge.0
        && Decimal::from_str(&existing.value).ok() == Some(value);
    if !same {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "id_reused",
            format!("mark id {id} is already used for a different mark"),
        ));
    }
    let replaces = match existing.replaces {
        Some(r) => store::mark_by_id(conn, r)?.map(|m| m.client_id),
        None => None,
    };
    let (_, layout) = schemes
        .current(conn, contest)?
        .ok_or_else(|| AppError::internal("a marked contest has no scheme"))?;
    let score = entry_score(conn, schemes, contest, EntryId(existing.entry_id))?;
    let outcome = layout
        .find(&existing.aspect)
        .and_then(|i| score.aspects.get(i).cloned())
        .unwrap_or(Outcome::Unmarked);
    Ok(Some(MarkReceipt {
        mark: view(&existing, replaces),
        duplicate: true,
        aspect: outcome,
        entry_total: score.total,
    }))
}

fn not_running(code: &str, status: ContestStatus) -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "contest_not_running",
        format!(
            "contest {code} is '{status}': marks are accepted only while it is running; \
             once marking is closed, only the chief judge amends a mark, with a reason"
        ),
    )
}

/// Whether a contest in `status` takes a mark: any while it is running;
/// once marking is closed (and after publication, for a correction) only
/// the chief judge's amendment with a reason.
fn takes_marks(status: ContestStatus, chief: bool, reason: Option<&str>) -> bool {
    match status {
        ContestStatus::Running => true,
        ContestStatus::MarkingClosed | ContestStatus::Published => chief && reason.is_some(),
        _ => false,
    }
}

/// Every check of a mark that reads only what rarely changes (the contest,
/// its scheme, the entry, the panels): safe to run beside other requests,
/// before the writer.
pub fn check_input(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    input: &MarkInput,
) -> AppResult<Checked> {
    if !valid_client_id(&input.id) {
        return Err(field_error(
            "id",
            "malformed_id",
            format!(
                "`{}` is not a UUID (e.g. 123e4567-e89b-12d3-a456-426614174000)",
                input.id
            ),
        ));
    }
    let value = Decimal::from_str_exact(input.value.trim()).map_err(|_| {
        field_error(
            "value",
            "invalid",
            format!("`{}` is not a decimal number", input.value),
        )
    })?;
    let device = input.device.as_deref().unwrap_or("").trim();
    if device.chars().count() > 80 || device.chars().any(char::is_control) {
        return Err(field_error(
            "device",
            "invalid",
            "at most 80 characters, no control characters",
        ));
    }
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(field_error("reason", "invalid", "at most 500 characters"));
    }
    let who = marker(actor, contest)?;
    // A retry of a stored mark: answer as the first time, store nothing.
    if let Some(r) = stored_receipt(
        conn,
        schemes,
        contest,
        &Claim {
            judge: who.user,
            id: &input.id,
            entry: input.entry,
            aspect: &input.aspect,
            value,
        },
    )? {
        return Ok(Checked::Stored(Box::new(r)));
    }
    let (code, status) = contests::code_and_status(conn, contest)?
        .ok_or_else(|| AppError::not_found(format!("contest {contest} does not exist")))?;
    if !takes_marks(status, who.role == JudgeRole::ChiefJudge, reason) {
        return Err(not_running(&code, status));
    }

    let (version, layout) = schemes.current(conn, contest)?.ok_or_else(|| {
        AppError::new(
            ErrorKind::Conflict,
            "no_scheme",
            format!("contest {code} has no marking scheme yet"),
        )
    })?;
    let i = layout.find(&input.aspect).ok_or_else(|| {
        field_error(
            "aspect",
            "unknown_aspect",
            format!("scheme version {version} has no aspect `{}`", input.aspect),
        )
    })?;
    let (start_number, entry_status, entry_path) =
        store::entry_for_marking(conn, contest, EntryId(input.entry))?.ok_or_else(|| {
            field_error(
                "entry",
                "unknown_entry",
                format!("contest {code} has no entry {}", input.entry),
            )
        })?;
    if entry_status != EntryStatus::Active.code() {
        return Err(AppError::conflict(format!(
            "entry {start_number} is withdrawn and cannot be marked"
        )));
    }
    let entry_path = crate::engine::model::decode_path(&entry_path).map_err(AppError::internal)?;

    // Panels: the judge must sit on a panel that marks this aspect; the
    // chief judge acts for every panel.
    let seats = store::seats_of(conn, contest, who.user)?;
    let covering: Vec<&store::Seat> = seats
        .iter()
        .filter(|s| layout.covers(&s.covers, i))
        .collect();
    let chief = who.role == JudgeRole::ChiefJudge;
    let mine: Vec<&&store::Seat> = covering.iter().filter(|s| s.member).collect();
    if mine.is_empty() && !chief {
        return Err(AppError::new(
            ErrorKind::Forbidden,
            "not_on_panel",
            format!("you are not on a panel that marks aspect {}", input.aspect),
        ));
    }
    // Conflict of interest, at the strictest level of the panels concerned.
    let depth = if mine.is_empty() {
        covering.iter().filter_map(|s| s.conflict_depth).min()
    } else {
        mine.iter().filter_map(|s| s.conflict_depth).min()
    };
    if let Err(denied) =
        actor.may_see_entry_of(&entry_path, depth.map(|d| usize::try_from(d).unwrap_or(0)))
    {
        return Err(AppError::new(
            ErrorKind::Forbidden,
            "conflict_of_interest",
            format!("{} (entry {start_number})", denied.0),
        ));
    }

    let slot = match input.kind {
        MarkKind::Mark if layout.is_judged(i) => Slot::Judge(who.user.0.to_string()),
        MarkKind::Mark => Slot::Value,
        MarkKind::Factor => Slot::Factor,
        MarkKind::Overrule => {
            if !chief {
                return Err(AppError::forbidden(
                    "only the chief judge may overrule a panel",
                ));
            }
            if reason.is_none() {
                return Err(field_error(
                    "reason",
                    "reason_required",
                    "an overrule needs a reason",
                ));
            }
            Slot::Overrule
        }
    };
    check_mark(&layout, i, &slot, value).map_err(|e| field_error("value", "out_of_range", e))?;

    Ok(Checked::New(Box::new(Prepared {
        contest,
        version,
        layout,
        aspect: i,
        entry: EntryId(input.entry),
        start_number,
        slot,
        value,
        judge: who.user,
        chief,
        reason: reason.map(str::to_string),
        device: device.to_string(),
        id: input.id.clone(),
        replaces: input.replaces.clone(),
        position: 0,
    })))
}

/// What the writer reads once per group: each contest's status and
/// current scheme version; and the running scores it last wrote.
#[derive(Default)]
pub struct GroupState {
    contests: HashMap<ContestId, (String, ContestStatus, i32)>,
    ids: store::MarkIds,
    scores: ScoreCache,
}

/// The running scores the writer last stored, so that the next mark of an
/// entry need not rebuild its score from the stored outcome lines. An entry
/// is taken from the cache only when its stored row is exactly what the
/// writer left there (same scheme version, same outcomes), so a change by
/// another server or a rolled-back group is always seen.
#[derive(Default)]
pub struct ScoreCache {
    scores: HashMap<EntryId, (i32, String, EntryScore)>,
}

impl ScoreCache {
    /// Entries kept at most; the cache is emptied when it is full.
    const CAPACITY: usize = 4096;

    fn take(&mut self, entry: EntryId, stored: &StoredScore) -> Option<EntryScore> {
        match self.scores.remove(&entry) {
            Some((version, detail, score))
                if version == stored.scheme_version && detail == stored.detail =>
            {
                Some(score)
            }
            _ => None,
        }
    }

    fn put(&mut self, entry: EntryId, version: i32, detail: String, score: EntryScore) {
        if self.scores.len() >= Self::CAPACITY {
            self.scores.clear();
        }
        self.scores.insert(entry, (version, detail, score));
    }
}

impl GroupState {
    fn contest(
        &mut self,
        conn: &mut DbConnection,
        id: ContestId,
    ) -> AppResult<(String, ContestStatus, i32)> {
        if let Some(c) = self.contests.get(&id) {
            return Ok(c.clone());
        }
        let (code, status) = contests::code_and_status(conn, id)?
            .ok_or_else(|| AppError::not_found(format!("contest {id} does not exist")))?;
        let v = store::current_version(conn, id)?;
        let state = (code, status, v);
        self.contests.insert(id, state.clone());
        Ok(state)
    }
}

/// Stores a checked mark: the checks that depend on other marks (a retry,
/// sign-off, a stale change) and the running score. Runs in the writer's
/// transaction.
pub fn commit_mark(
    conn: &mut DbConnection,
    schemes: &Schemes,
    group: &mut GroupState,
    p: &Prepared,
) -> AppResult<MarkReceipt> {
    let contest = p.contest;
    let layout = &p.layout;
    let i = p.aspect;
    let aspect_code = &layout.aspect(i).code;
    let (code, status, version) = group.contest(conn, contest)?;
    if !takes_marks(status, p.chief, p.reason.as_deref()) {
        return Err(not_running(&code, status));
    }
    if version != p.version {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "scheme_changed",
            format!(
                "the marking scheme changed to version {version} meanwhile; send the mark again"
            ),
        ));
    }
    let claim = Claim {
        judge: p.judge,
        id: &p.id,
        entry: p.entry.0,
        aspect: aspect_code,
        value: p.value,
    };
    // A retry racing its first attempt. On SQLite the unique index on the
    // mark id answers this below, at no extra cost; a refused statement
    // leaves a PostgreSQL transaction unusable, so there it is asked first.
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    if !sqlite {
        if let Some(r) = stored_receipt(conn, schemes, contest, &claim)? {
            return Ok(r);
        }
    }
    let (chief, reason, slot, value) = (p.chief, p.reason.as_deref(), &p.slot, p.value);
    let module = &layout.scheme.modules[layout.place(i).module].code;
    if store::is_locked(conn, p.entry, module)? {
        if !chief {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "locked",
                format!(
                    "module {module} of entry {} is signed off: a change needs the chief judge and a reason",
                    p.start_number
                ),
            ));
        }
        if reason.is_none() {
            return Err(field_error(
                "reason",
                "reason_required",
                format!("module {module} is signed off: a change needs a reason"),
            ));
        }
    }

    // The entry's running score; on PostgreSQL its row stays locked until
    // the transaction ends, so concurrent marks of one entry queue here.
    let mut score = locked_score(conn, contest, p.entry, version, layout, &mut group.scores)?;

    let history = store::slot_marks(conn, p.entry, aspect_code)?;
    let slot_text = slot.encode();
    let current = history.iter().rfind(|m| m.slot == slot_text);
    match (current, p.replaces.as_deref()) {
        (None, None) => {}
        (Some(cur), Some(r)) if cur.client_id == r => {}
        (cur, _) => {
            // A retry of a mark stored moments ago finds its own first attempt.
            if let Some(r) = stored_receipt(conn, schemes, contest, &claim)? {
                return Ok(r);
            }
            let now = match cur {
                Some(m) => store::mark_by_id(conn, m.id)?.map(|m| view(&m, None)),
                None => None,
            };
            return Err(AppError::new(
                ErrorKind::Conflict,
                "stale",
                match &now {
                    Some(m) => format!(
                        "the mark was changed meanwhile: the current mark is {} ({}); \
                         send it as `replaces` to change it",
                        m.value, m.id
                    ),
                    None => {
                        "there is no mark to replace in this slot yet; omit `replaces`".to_string()
                    }
                },
            )
            .with_current(serde_json::to_value(now).unwrap_or_default()));
        }
    }

    let value_text = value.to_string();
    let new = NewMark {
        contest,
        entry: p.entry,
        aspect: aspect_code,
        slot: &slot_text,
        seq: current.map_or(1, |m| m.seq + 1),
        value: &value_text,
        client_id: &p.id,
        replaces: current.map(|m| m.id),
        judge: p.judge,
        device: &p.device,
        reason,
        scheme_version: version,
        at: crate::store::now(),
    };
    let id = group.ids.next(conn)?;
    match store::insert_mark(conn, id, &new) {
        Ok(()) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            info,
        )) => {
            if sqlite && info.message().contains("client_id") {
                if let Some(r) = stored_receipt(conn, schemes, contest, &claim)? {
                    return Ok(r);
                }
            }
            return Err(AppError::new(
                ErrorKind::Conflict,
                "stale",
                "the mark was changed meanwhile by another request; fetch it and try again",
            ));
        }
        Err(other) => return Err(other.into()),
    }

    // Recompute this aspect from its current marks and update the sums.
    let mut rec = Recorded::default();
    for m in history.iter().filter(|m| m.slot != slot_text) {
        if let (Ok(s), Ok(v)) = (Slot::decode(&m.slot), Decimal::from_str(&m.value)) {
            rec.set(&s, v);
        }
    }
    rec.set(slot, value);
    let o = outcome(layout, i, &rec);
    score
        .update(layout, i, o.clone())
        .map_err(|e| AppError::internal(e.to_string()))?;
    let detail = save_score(conn, contest, p.entry, version, &score)?;
    let entry_total = score.total;
    group.scores.put(p.entry, version, detail, score);

    let stored = StoredMark {
        id,
        contest_id: contest.0,
        entry_id: p.entry.0,
        aspect: aspect_code.clone(),
        slot: slot_text.clone(),
        seq: new.seq,
        value: value_text.clone(),
        client_id: p.id.clone(),
        replaces: new.replaces,
        judge_id: p.judge.0,
        device: p.device.clone(),
        reason: p.reason.clone(),
        scheme_version: version,
        created_at: new.at,
    };
    Ok(MarkReceipt {
        mark: view(&stored, p.replaces.clone()),
        duplicate: false,
        aspect: o,
        entry_total,
    })
}

/// The current marks of one entry, aspect by aspect, from its history.
fn recorded_of(layout: &Layout, history: &[StoredMark]) -> Vec<Recorded> {
    let mut rec = vec![Recorded::default(); layout.aspect_count()];
    for m in history {
        let Some(i) = layout.find(&m.aspect) else {
            continue;
        };
        if let (Ok(s), Ok(v)) = (Slot::decode(&m.slot), Decimal::from_str(&m.value)) {
            rec[i].set(&s, v);
        }
    }
    rec
}

/// An entry's score computed from all its marks.
pub fn recompute_entry(
    conn: &mut DbConnection,
    layout: &Layout,
    entry: EntryId,
) -> AppResult<EntryScore> {
    let history = store::marks_of_entry(conn, entry)?;
    let rec = recorded_of(layout, &history);
    let outcomes = (0..layout.aspect_count())
        .map(|i| outcome(layout, i, &rec[i]))
        .collect();
    EntryScore::compute(layout, outcomes).map_err(|e| AppError::internal(e.to_string()))
}

/// A stored running score, if it belongs to scheme `version` of `layout`.
fn from_store(layout: &Layout, version: i32, s: &StoredScore) -> Option<EntryScore> {
    if s.scheme_version != version {
        return None;
    }
    let outcomes = store::decode_outcomes(&s.detail)?;
    if outcomes.len() != layout.aspect_count() {
        return None;
    }
    EntryScore::compute(layout, outcomes).ok()
}

/// The stored running score of an entry for scheme `version`, locked for
/// update; computed from its marks when missing or of an older version.
fn locked_score(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    version: i32,
    layout: &Layout,
    cache: &mut ScoreCache,
) -> AppResult<EntryScore> {
    if let Some(s) = store::score_for_update(conn, entry)? {
        if let Some(score) = cache.take(entry, &s) {
            if s.scheme_version == version {
                return Ok(score);
            }
        }
        if let Some(score) = from_store(layout, version, &s) {
            return Ok(score);
        }
    } else {
        // Create the row first so that it can be locked.
        save_score(conn, contest, entry, 0, &EntryScore::empty(layout))?;
        store::score_for_update(conn, entry)?;
    }
    recompute_entry(conn, layout, entry)
}

fn save_score(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    version: i32,
    score: &EntryScore,
) -> AppResult<String> {
    let stored = StoredScore {
        entry_id: entry.0,
        contest_id: contest.0,
        scheme_version: version,
        total: score.total.to_string(),
        marked: i32::try_from(score.marked).unwrap_or(i32::MAX),
        flagged: i32::try_from(score.flagged).unwrap_or(i32::MAX),
        detail: store::encode_outcomes(&score.aspects),
    };
    store::put_score(conn, &stored)?;
    Ok(stored.detail)
}

/// An entry's current score under the contest's current scheme.
pub fn entry_score(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    entry: EntryId,
) -> AppResult<EntryScore> {
    let Some((version, layout)) = schemes.current(conn, contest)? else {
        return Err(AppError::conflict("the contest has no marking scheme yet"));
    };
    if let Some(s) = store::score_for_update(conn, entry)? {
        if let Some(score) = from_store(&layout, version, &s) {
            return Ok(score);
        }
    }
    recompute_entry(conn, &layout, entry)
}

/// The scheme version and layout of a contest, with every active entry and its
/// score, highest first.
pub type ContestScores = (
    i32,
    Arc<Layout>,
    Vec<(crate::engine::model::Entry, EntryScore)>,
);

/// Every entry's score in a contest, with its start number, highest first.
pub fn contest_scores(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<ContestScores> {
    let Some((version, layout)) = schemes.current(conn, contest)? else {
        return Err(AppError::conflict("the contest has no marking scheme yet"));
    };
    let stored: HashMap<i64, StoredScore> = store::scores_of_contest(conn, contest)?
        .into_iter()
        .map(|s| (s.entry_id, s))
        .collect();
    let mut out = Vec::new();
    for e in entries::of_contest(conn, contest)? {
        if e.status != EntryStatus::Active {
            continue;
        }
        let cached = stored
            .get(&e.id.0)
            .and_then(|s| from_store(&layout, version, s));
        let score = match cached {
            Some(s) => s,
            None if stored.contains_key(&e.id.0) => recompute_entry(conn, &layout, e.id)?,
            None => EntryScore::empty(&layout),
        };
        out.push((e, score));
    }
    out.sort_by(|a, b| {
        b.1.total
            .cmp(&a.1.total)
            .then(a.0.start_number.cmp(&b.0.start_number))
    });
    Ok((version, layout, out))
}

/// Every mark ever recorded for an entry, and its module sign-offs.
#[derive(Debug, Serialize)]
pub struct AuditTrail {
    pub marks: Vec<MarkView>,
    pub locks: Vec<store::ModuleLock>,
}

pub fn audit_trail(conn: &mut DbConnection, entry: EntryId) -> AppResult<AuditTrail> {
    let marks = store::marks_of_entry(conn, entry)?;
    Ok(AuditTrail {
        marks: views(&marks),
        locks: store::locks_of_entry(conn, entry)?,
    })
}

/// An entry of a contest that the actor is not in conflict with (their own
/// organisation and below): 404 if the contest has no such entry, 403 with
/// the reason otherwise.
pub fn entry_without_conflict(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
) -> AppResult<crate::engine::model::Entry> {
    let e = entries::get(conn, contest, entry).map_err(|e| match e {
        diesel::result::Error::NotFound => {
            AppError::not_found(format!("contest {contest} has no entry {entry}"))
        }
        other => other.into(),
    })?;
    let org = organisations::get(conn, e.organisation_id)?;
    actor
        .may_see_entry_of(&org.path, None)
        .map_err(|d| AppError::new(ErrorKind::Forbidden, "conflict_of_interest", d.0))?;
    Ok(e)
}

/// Signs off one module of an entry: every aspect marked, none flagged.
pub fn lock_module(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
    module: &str,
    reason: Option<&str>,
) -> AppResult<()> {
    let who = marker(actor, contest)?;
    if who.role != JudgeRole::ChiefJudge {
        return Err(AppError::forbidden(
            "only the chief judge may sign off a module",
        ));
    }
    let e = entry_without_conflict(conn, actor, contest, entry)?;
    let (_, layout) = schemes
        .current(conn, contest)?
        .ok_or_else(|| AppError::conflict("the contest has no marking scheme yet"))?;
    let m = layout
        .module_index(module)
        .ok_or_else(|| AppError::not_found(format!("the scheme has no module {module}")))?;
    if store::is_locked(conn, entry, module)? {
        return Err(AppError::conflict(format!(
            "module {module} of entry {} is already signed off",
            e.start_number
        )));
    }
    let score = entry_score(conn, schemes, contest, entry)?;
    let blockers = lock_blockers(&layout, &score, m);
    if !blockers.is_empty() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "not_ready",
            format!(
                "module {module} of entry {} cannot be signed off yet",
                e.start_number
            ),
        )
        .with_details(
            blockers
                .into_iter()
                .map(|b| ErrorDetail::field(module, b))
                .collect(),
        ));
    }
    store::insert_lock(conn, contest, entry, module, who.user, reason)?;
    Ok(())
}

// ---- group commit ---------------------------------------------------------------

/// Checked marks from one request: one mark, or a batch stored all or none.
struct Job {
    marks: Vec<Prepared>,
    /// The request was a batch: errors name the mark's position.
    batch: bool,
    reply: std::sync::mpsc::SyncSender<AppResult<Vec<MarkReceipt>>>,
}

/// Writes marks from many concurrent requests in shared transactions: one
/// commit (one flush to disk) acknowledges every mark in it. Each request
/// is written in its own savepoint, so a refused mark never affects
/// another; no request is answered before its commit is durable.
pub struct MarkWriter {
    queue: std::sync::mpsc::SyncSender<Job>,
    pool: crate::store::Pool,
    schemes: Arc<Schemes>,
    committed: Arc<std::sync::OnceLock<CommitHook>>,
}

/// Called with each contest whose marks a group wrote, after its commit.
pub type CommitHook = Box<dyn Fn(ContestId) + Send + Sync>;

/// The most requests written in one transaction.
const GROUP_LIMIT: usize = 256;
/// How long a group waits for more marks: at most this long in all, and
/// no longer than `GROUP_GAP` after the last one arrived.
const GROUP_WAIT: Duration = Duration::from_millis(1);
const GROUP_GAP: Duration = Duration::from_micros(100);

impl MarkWriter {
    /// Starts the writer thread. It ends when the writer is dropped.
    pub fn start(pool: crate::store::Pool, schemes: Arc<Schemes>) -> std::io::Result<MarkWriter> {
        let (queue, jobs) = std::sync::mpsc::sync_channel::<Job>(4096);
        let (p, sc) = (pool.clone(), schemes.clone());
        let committed = Arc::new(std::sync::OnceLock::<CommitHook>::new());
        let hook = committed.clone();
        std::thread::Builder::new()
            .name("mark-writer".into())
            .spawn(move || {
                let mut conn = None;
                let mut scores = ScoreCache::default();
                while let Ok(first) = jobs.recv() {
                    // Gather the marks arriving close together, so that one
                    // flush to disk acknowledges as many as possible.
                    let mut group = vec![first];
                    let deadline = Instant::now() + GROUP_WAIT;
                    while group.len() < GROUP_LIMIT {
                        let left = deadline.saturating_duration_since(Instant::now());
                        match jobs.recv_timeout(left.min(GROUP_GAP)) {
                            Ok(job) => group.push(job),
                            Err(_) => break,
                        }
                    }
                    let mut contests: Vec<i64> = group
                        .iter()
                        .flat_map(|j| j.marks.iter().map(|m| m.contest.0))
                        .collect();
                    contests.sort_unstable();
                    contests.dedup();
                    write_group(&p, &sc, &mut conn, &mut scores, group);
                    if let Some(f) = hook.get() {
                        contests.into_iter().for_each(|c| f(ContestId(c)));
                    }
                }
            })?;
        Ok(MarkWriter {
            queue,
            pool,
            schemes,
            committed,
        })
    }

    /// Sets what to call after each commit (once; a second hook is ignored).
    pub fn on_commit(&self, hook: CommitHook) {
        let _ = self.committed.set(hook);
    }

    /// Checks marks sent by `who` (the actor, found on the same
    /// connection), then records them and waits until they are durable (or
    /// refused). A batch is stored all or none; errors name the position of
    /// the mark in the batch. Blocks: call it off the async workers.
    pub fn submit(
        &self,
        who: impl FnOnce(&mut DbConnection) -> AppResult<Actor>,
        contest: ContestId,
        marks: &[MarkInput],
    ) -> AppResult<Vec<MarkReceipt>> {
        let batch = marks.len() > 1;
        let named = |k: usize, mut e: AppError| {
            if batch {
                e.message = format!("marks[{k}]: {}", e.message);
            }
            e
        };
        // The caller and the checks read one snapshot of the database, in
        // one read transaction.
        let checked = {
            let mut conn = self.pool.get()?;
            diesel::Connection::transaction(&mut *conn, |conn| {
                let actor = &who(conn)?;
                marks
                    .iter()
                    .enumerate()
                    .map(|(k, m)| {
                        check_input(conn, &self.schemes, actor, contest, m).map_err(|e| named(k, e))
                    })
                    .collect::<AppResult<Vec<Checked>>>()
            })?
        };
        let fresh: Vec<Prepared> = checked
            .iter()
            .enumerate()
            .filter_map(|(k, c)| match c {
                Checked::New(p) => Some(Prepared {
                    position: k,
                    ..(**p).clone()
                }),
                Checked::Stored(_) => None,
            })
            .collect();
        let mut written = if fresh.is_empty() {
            Vec::new()
        } else {
            let (reply, answer) = std::sync::mpsc::sync_channel(1);
            self.queue
                .send(Job {
                    marks: fresh,
                    batch,
                    reply,
                })
                .map_err(|_| AppError::internal("the mark writer has stopped"))?;
            answer
                .recv()
                .map_err(|_| AppError::internal("the mark writer has stopped"))??
        }
        .into_iter();
        // Receipts in the order of the request.
        checked
            .into_iter()
            .map(|c| match c {
                Checked::Stored(r) => Ok(*r),
                Checked::New(_) => written
                    .next()
                    .ok_or_else(|| AppError::internal("a mark has no receipt")),
            })
            .collect()
    }
}

fn write_group(
    pool: &crate::store::Pool,
    schemes: &Schemes,
    held: &mut Option<crate::store::PooledConnection>,
    scores: &mut ScoreCache,
    group: Vec<Job>,
) {
    // The writer keeps its connection, so that its page cache stays warm
    // between groups; it takes a new one after a database error.
    let conn = match held {
        Some(c) => c,
        None => match pool.get() {
            Ok(c) => held.insert(c),
            Err(e) => {
                let err = AppError::from(e);
                for job in group {
                    let _ = job.reply.send(Err(err.clone()));
                }
                return;
            }
        },
    };
    let mut results: Vec<AppResult<Vec<MarkReceipt>>> = Vec::with_capacity(group.len());
    let mut state = GroupState {
        scores: std::mem::take(scores),
        ..GroupState::default()
    };
    let committed = crate::store::write_tx(conn, |conn| -> AppResult<()> {
        let sqlite = matches!(conn, DbConnection::Sqlite(_));
        for job in &group {
            let batch = job.batch;
            if sqlite && job.marks.len() == 1 {
                // One mark on SQLite needs no savepoint: every rule is
                // checked before its first write, and a refused statement
                // leaves the transaction intact. A failure after a write
                // (a database error) abandons the whole group instead.
                let r = commit_mark(conn, schemes, &mut state, &job.marks[0])
                    .map(|r| vec![r])
                    .map_err(|mut e| {
                        if batch {
                            e.message = format!("marks[{}]: {}", job.marks[0].position, e.message);
                        }
                        e
                    });
                if let Err(e) = &r {
                    if matches!(e.kind, ErrorKind::Internal | ErrorKind::Unavailable) {
                        return Err(e.clone());
                    }
                }
                results.push(r);
                continue;
            }
            let r = crate::store::write_tx(conn, |conn| {
                let mut out = Vec::with_capacity(job.marks.len());
                for m in &job.marks {
                    match commit_mark(conn, schemes, &mut state, m) {
                        Ok(r) => out.push(r),
                        Err(mut e) => {
                            if batch {
                                e.message = format!("marks[{}]: {}", m.position, e.message);
                            }
                            return Err(e);
                        }
                    }
                }
                Ok(out)
            });
            results.push(r);
        }
        Ok(())
    });
    *scores = state.scores;
    match committed {
        Ok(()) => {
            for (job, r) in group.into_iter().zip(results) {
                let _ = job.reply.send(r);
            }
        }
        Err(e) => {
            if matches!(e.kind, ErrorKind::Internal | ErrorKind::Unavailable) {
                *held = None;
            }
            for job in group {
                let _ = job.reply.send(Err(e.clone()));
            }
        }
    }
}
