//! The group-committing mark writer: marks from many concurrent requests
//! stored in shared transactions.

use super::*;
use crate::engine::access::Actor;
use crate::engine::marking;
use crate::engine::model::{ContestId, ContestStatus, EntryId};
use crate::engine::scoring::{outcome, EntryScore, Recorded, Slot};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::store::marking::{self as store, NewMark, StoredMark, StoredScore};
use crate::store::{contests, DbConnection};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

    pub(super) fn take(&mut self, entry: EntryId, stored: &StoredScore) -> Option<EntryScore> {
        match self.scores.remove(&entry) {
            Some((version, detail, score))
                if version == stored.scheme_version && detail == stored.detail =>
            {
                Some(score)
            }
            _ => None,
        }
    }

    pub(super) fn put(&mut self, entry: EntryId, version: i32, detail: String, score: EntryScore) {
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
            .ok_or_else(|| AppError::not_found(crate::msg!("contest_missing", contest = id)))?;
        let v = store::current_version(conn, id)?;
        let state = (code, status, v);
        self.contests.insert(id, state.clone());
        Ok(state)
    }
}

/// Stores a checked mark: loads what depends on other marks (the contest
/// now, the module's sign-off, the slot's current mark), asks the engine,
/// and saves the mark and the running score. Runs in the writer's
/// transaction.
pub fn commit_mark(
    conn: &mut DbConnection,
    schemes: &Schemes,
    group: &mut GroupState,
    p: &Prepared,
) -> AppResult<MarkReceipt> {
    let contest = p.contest;
    let layout = &p.layout;
    let aspect_code = &layout.aspect(p.aspect).code;
    let (code, status, version) = group.contest(conn, contest)?;
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
    if !sqlite && takes_marks(status, p.chief, p.reason.as_deref()) && version == p.version {
        if let Some(r) = stored_receipt(conn, schemes, contest, &claim)? {
            return Ok(r);
        }
    }
    let module = &layout.scheme.modules[layout.place(p.aspect).module].code;
    let locked = store::is_locked(conn, p.entry, module)?;
    let storing = marking::Storing {
        status,
        chief: p.chief,
        reason: p.reason.is_some(),
        checked_version: p.version,
        version,
        locked,
        current: p.replaces.as_deref(),
        replaces: p.replaces.as_deref(),
    };
    // Refused before anything is written when the contest, the scheme or
    // the sign-off already decide it.
    if let Err(r) = marking::store(&storing) {
        return Err(commit_refused(r, &code, status, version, module, p));
    }

    // The slot's current mark decides whether `replaces` is stale. It is
    // read before anything is written, so that a refusal writes nothing
    // (a single mark on SQLite has no savepoint to roll back to): on
    // SQLite the writer's transaction holds the database's write lock, so
    // the slot cannot change before the mark is saved. On PostgreSQL only
    // the lock on the entry's score row (below) orders concurrent marks of
    // one entry, so there the slot is read after it, inside the request's
    // savepoint, which a refusal rolls back.
    let slot_text = p.slot.encode();
    let verdict = |conn: &mut DbConnection, history: &[store::SlotMark]| {
        let current = history.iter().rfind(|m| m.slot == slot_text);
        let now = marking::Storing {
            current: current.map(|m| m.client_id.as_str()),
            ..storing
        };
        match marking::store(&now) {
            Ok(()) => Ok(None),
            Err(marking::Refusal::Stale) => {
                // A retry of a mark stored moments ago finds its own first attempt.
                if let Some(r) = stored_receipt(conn, schemes, contest, &claim)? {
                    return Ok(Some(r));
                }
                Err(stale(conn, current)?)
            }
            Err(r) => Err(commit_refused(r, &code, status, version, module, p)),
        }
    };
    let early = if sqlite {
        let history = store::slot_marks(conn, p.entry, aspect_code)?;
        if let Some(r) = verdict(conn, &history)? {
            return Ok(r);
        }
        Some(history)
    } else {
        None
    };
    // The entry's running score; on PostgreSQL its row stays locked until
    // the transaction ends, so concurrent marks of one entry queue here.
    let score = locked_score(conn, contest, p.entry, version, layout, &mut group.scores)?;
    let history = match early {
        Some(history) => history,
        None => {
            let history = store::slot_marks(conn, p.entry, aspect_code)?;
            if let Some(r) = verdict(conn, &history)? {
                return Ok(r);
            }
            history
        }
    };
    let saved = save_mark(conn, group, p, version, &history, score);
    match saved {
        Err(SaveError::IdTaken) => match stored_receipt(conn, schemes, contest, &claim)? {
            Some(r) => Ok(r),
            None => Err(stale_race()),
        },
        Err(SaveError::Taken) => Err(stale_race()),
        Err(SaveError::App(e)) => Err(e),
        Ok(r) => Ok(r),
    }
}

/// A refused mark, in words.
fn commit_refused(
    r: marking::Refusal,
    code: &str,
    status: ContestStatus,
    version: i32,
    module: &str,
    p: &Prepared,
) -> AppError {
    use marking::Refusal;
    match r {
        Refusal::NotRunning => not_running(code, status),
        Refusal::SchemeChanged => AppError::new(
            ErrorKind::Conflict,
            "scheme_changed",
            crate::msg!("mark_scheme_changed", version = version),
        ),
        Refusal::Locked => AppError::new(
            ErrorKind::Conflict,
            "locked",
            crate::msg!("mark_locked", module = module, entry = p.start_number),
        ),
        Refusal::LockedNeedsReason => field_error(
            "reason",
            "reason_required",
            crate::msg!("mark_locked_reason", module = module),
        ),
        other => AppError::internal(format!("a checked mark was refused: {other:?}")),
    }
}

/// The slot's current mark is not the one the mark replaces.
fn stale(conn: &mut DbConnection, current: Option<&store::SlotMark>) -> AppResult<AppError> {
    let now = match current {
        Some(m) => store::mark_by_id(conn, m.id)?.map(|m| view(&m, None)),
        None => None,
    };
    Ok(AppError::new(
        ErrorKind::Conflict,
        "stale",
        match &now {
            Some(m) => crate::msg!("mark_stale", value = m.value, id = m.id),
            None => crate::i18n::messages::Msg::new("mark_stale_none"),
        },
    )
    .with_current(serde_json::to_value(now).unwrap_or_default()))
}

fn stale_race() -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "stale",
        "the mark was changed meanwhile by another request; fetch it and try again",
    )
}

/// Why a decided mark was not saved.
enum SaveError {
    /// Its id is stored already (SQLite: a retry racing its first attempt).
    IdTaken,
    /// Another mark took its place in the slot meanwhile.
    Taken,
    App(AppError),
}

impl From<AppError> for SaveError {
    fn from(e: AppError) -> Self {
        SaveError::App(e)
    }
}

/// Saves a decided mark and the entry's new running score.
fn save_mark(
    conn: &mut DbConnection,
    group: &mut GroupState,
    p: &Prepared,
    version: i32,
    history: &[store::SlotMark],
    mut score: EntryScore,
) -> Result<MarkReceipt, SaveError> {
    let (contest, layout, i) = (p.contest, &p.layout, p.aspect);
    let aspect_code = &layout.aspect(i).code;
    let slot_text = p.slot.encode();
    let current = history.iter().rfind(|m| m.slot == slot_text);
    let value_text = p.value.to_string();
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
        reason: p.reason.as_deref(),
        scheme_version: version,
        at: crate::store::now(),
    };
    let id = group.ids.next(conn).map_err(AppError::from)?;
    match store::insert_mark(conn, id, &new) {
        Ok(()) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            info,
        )) => {
            let sqlite = matches!(conn, DbConnection::Sqlite(_));
            return Err(if sqlite && info.message().contains("client_id") {
                SaveError::IdTaken
            } else {
                SaveError::Taken
            });
        }
        Err(other) => return Err(AppError::from(other).into()),
    }

    // Recompute this aspect from its current marks and update the sums.
    let mut rec = Recorded::default();
    for m in history.iter().filter(|m| m.slot != slot_text) {
        if let (Ok(s), Ok(v)) = (Slot::decode(&m.slot), Decimal::from_str(&m.value)) {
            rec.set(&s, v);
        }
    }
    rec.set(&p.slot, p.value);
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
                e.message = crate::i18n::messages::Msg::at(format!("marks[{k}]"), e.message);
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
                            e.message = crate::i18n::messages::Msg::at(
                                format!("marks[{}]", job.marks[0].position),
                                e.message,
                            );
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
                                e.message = crate::i18n::messages::Msg::at(
                                    format!("marks[{}]", m.position),
                                    e.message,
                                );
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
