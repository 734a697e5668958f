//! Live updates: a change notifier shared by every request of a process, and
//! one shared, rate-limited computation of each contest's live ranking.
//!
//! A change (marks committed, a module signed off, a measure, a publication,
//! the ranking's visibility, the contest's details or status, a new bracket)
//! bumps the contest's generation and is broadcast
//! to the process's subscribers (server-sent event streams). On PostgreSQL the
//! change is also sent to the other processes with `NOTIFY` (the store's notify module, started
//! by `startup`).

mod table;

pub use table::Table;

use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::web::State;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// The shortest time between two computations of one contest's ranking.
pub const MIN_INTERVAL: Duration = Duration::from_millis(500);

/// Changes waiting for slow subscribers; one that falls further behind
/// simply recomputes.
const BACKLOG: usize = 1024;

/// One contest's live ranking: the generation of its latest change, and
/// the latest computation, shared by every viewer.
#[derive(Default)]
struct Slot {
    generation: AtomicU64,
    computed: tokio::sync::Mutex<Option<Computed>>,
}

struct Computed {
    generation: u64,
    at: Instant,
    table: Arc<Table>,
}

pub struct Hub {
    tx: broadcast::Sender<i64>,
    slots: Mutex<HashMap<i64, Arc<Slot>>>,
    /// Sends each change to the other processes (PostgreSQL only).
    remote: Mutex<Option<std::sync::mpsc::Sender<i64>>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(BACKLOG).0,
            slots: Mutex::new(HashMap::new()),
            remote: Mutex::new(None),
        }
    }
}

impl Hub {
    /// Something that changes the contest's ranking was committed: tells this
    /// process's viewers and, on PostgreSQL, the other processes.
    pub fn changed(&self, contest: ContestId) {
        self.local(contest);
        if let Ok(remote) = self.remote.lock() {
            if let Some(r) = remote.as_ref() {
                let _ = r.send(contest.0);
            }
        }
    }

    /// A change made here or reported by another process: this process's
    /// viewers only.
    pub fn local(&self, contest: ContestId) {
        self.slot(contest.0)
            .generation
            .fetch_add(1, Ordering::SeqCst);
        // No subscriber is not an error.
        let _ = self.tx.send(contest.0);
    }

    /// Every contest may have changed (a listener that was away is back).
    pub fn everything_changed(&self) {
        let ids: Vec<i64> = match self.slots.lock() {
            Ok(slots) => slots.keys().copied().collect(),
            Err(_) => Vec::new(),
        };
        for id in ids {
            self.local(ContestId(id));
        }
    }

    /// How many changes of the contest this process has heard of; answers
    /// built from the contest's data are current while it stays the same.
    pub fn generation(&self, contest: ContestId) -> u64 {
        self.slot(contest.0).generation.load(Ordering::SeqCst)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.tx.subscribe()
    }

    pub(crate) fn set_remote(&self, sender: std::sync::mpsc::Sender<i64>) {
        if let Ok(mut r) = self.remote.lock() {
            *r = Some(sender);
        }
    }

    fn slot(&self, contest: i64) -> Arc<Slot> {
        match self.slots.lock() {
            Ok(mut slots) => slots.entry(contest).or_default().clone(),
            Err(poisoned) => poisoned.into_inner().entry(contest).or_default().clone(),
        }
    }

    /// The contest's live ranking as of its latest change, with the
    /// generation it was computed at. Viewers share one computation, and a
    /// contest is computed at most once per [`MIN_INTERVAL`].
    pub async fn current(&self, state: &State, contest: ContestId) -> AppResult<(u64, Arc<Table>)> {
        let slot = self.slot(contest.0);
        let mut computed = slot.computed.lock().await;
        if let Some(c) = computed.as_ref() {
            if c.generation >= slot.generation.load(Ordering::SeqCst) {
                return Ok((c.generation, c.table.clone()));
            }
            let since = c.at.elapsed();
            if since < MIN_INTERVAL {
                tokio::time::sleep(MIN_INTERVAL - since).await;
            }
        }
        let generation = slot.generation.load(Ordering::SeqCst);
        let st = state.clone();
        let table = state
            .db(move |conn| table::compute(&st, conn, contest))
            .await?;
        let table = Arc::new(table);
        *computed = Some(Computed {
            generation,
            at: Instant::now(),
            table: table.clone(),
        });
        Ok((generation, table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reaches_every_subscriber_and_moves_the_generation_on() {
        let hub = Hub::default();
        let (mut a, mut b) = (hub.subscribe(), hub.subscribe());
        let (tx, rx) = std::sync::mpsc::channel();
        hub.set_remote(tx);
        hub.changed(ContestId(7));
        hub.local(ContestId(8));
        assert_eq!((a.try_recv().ok(), a.try_recv().ok()), (Some(7), Some(8)));
        assert_eq!(b.try_recv().ok(), Some(7));
        // Only changes made here go to the other processes.
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec![7]);
        assert_eq!(hub.slot(7).generation.load(Ordering::SeqCst), 1);
        hub.everything_changed();
        assert_eq!(hub.slot(7).generation.load(Ordering::SeqCst), 2);
        assert_eq!(hub.slot(8).generation.load(Ordering::SeqCst), 2);
        drop(b);
        // A change without subscribers is not an error.
        drop(a);
        hub.changed(ContestId(9));
    }
}
