//! LISTEN/NOTIFY for several servers on one PostgreSQL database: each
//! change is sent to the other processes with
//! `NOTIFY jiangxin_changes, '<contest id>'`, and one listener per process
//! (a dedicated connection) passes the changes it hears on. Both
//! connections are re-established when they drop. On SQLite (one process)
//! changes stay in the process.

use crate::engine::model::ContestId;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

pub const CHANNEL: &str = "jiangxin_changes";

/// How often the listener looks for notifications.
const POLL: Duration = Duration::from_millis(50);
/// How often the listener checks that its connection is alive.
const PING: Duration = Duration::from_secs(15);
/// How long to wait before connecting again after a failure.
const RETRY: Duration = Duration::from_secs(1);

/// Where the listener delivers what it hears: the process's own viewers.
pub trait Changes: Send + Sync + 'static {
    /// Another process changed the contest.
    fn changed_elsewhere(&self, contest: ContestId);
    /// Changes may have been missed (the listener was away).
    fn everything_changed(&self);
}

/// Starts the sender and the listener of a process on PostgreSQL; the
/// changes sent to the returned sender go to the other processes. Both
/// threads end once `hub` is dropped.
pub fn start<H: Changes>(hub: &Arc<H>, url: &str) -> std::io::Result<Sender<i64>> {
    let (tx, rx) = std::sync::mpsc::channel::<i64>();
    // The sender's own backend, whose notifications this process already
    // delivered locally.
    let own = Arc::new(AtomicI32::new(0));
    let (u, o) = (url.to_string(), own.clone());
    std::thread::Builder::new()
        .name("live-notify".into())
        .spawn(move || send_loop(&u, &o, &rx))?;
    let (u, weak) = (url.to_string(), Arc::downgrade(hub));
    std::thread::Builder::new()
        .name("live-listen".into())
        .spawn(move || listen_loop(&u, &own, &weak))?;
    Ok(tx)
}

fn send_loop(url: &str, own: &AtomicI32, changes: &Receiver<i64>) {
    let mut conn: Option<PgConnection> = None;
    while let Ok(first) = changes.recv() {
        let mut batch = std::collections::BTreeSet::from([first]);
        while let Ok(more) = changes.try_recv() {
            batch.insert(more);
        }
        for contest in batch {
            for _ in 0..2 {
                if conn.is_none() {
                    conn = connect(url).ok();
                    if let Some(c) = conn.as_mut() {
                        if let Ok(pid) = backend_pid(c) {
                            own.store(pid, Ordering::SeqCst);
                        }
                    }
                }
                let Some(c) = conn.as_mut() else {
                    break;
                };
                let sent = diesel::sql_query("SELECT pg_notify($1, $2)")
                    .bind::<diesel::sql_types::Text, _>(CHANNEL)
                    .bind::<diesel::sql_types::Text, _>(contest.to_string())
                    .execute(c);
                match sent {
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!("live: NOTIFY failed, reconnecting: {e}");
                        conn = None;
                    }
                }
            }
        }
    }
}

fn connect(url: &str) -> ConnectionResult<PgConnection> {
    PgConnection::establish(url)
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

fn backend_pid(conn: &mut PgConnection) -> QueryResult<i32> {
    diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result::<Pid>(conn)
        .map(|p| p.pid)
}

fn listen_loop<H: Changes>(url: &str, own: &AtomicI32, hub: &Weak<H>) {
    while hub.strong_count() > 0 {
        let mut conn = match connect(url) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("live: cannot connect the listener: {e}");
                std::thread::sleep(RETRY);
                continue;
            }
        };
        if let Err(e) = diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn) {
            tracing::warn!("live: LISTEN failed: {e}");
            std::thread::sleep(RETRY);
            continue;
        }
        // Changes missed while the listener was away: every viewer recomputes.
        if let Some(h) = hub.upgrade() {
            h.everything_changed();
        }
        let mut pinged = Instant::now();
        'heard: loop {
            let Some(h) = hub.upgrade() else {
                return;
            };
            for n in conn.notifications_iter() {
                match n {
                    Ok(n) => {
                        if n.process_id == own.load(Ordering::SeqCst) {
                            continue;
                        }
                        if let Ok(id) = n.payload.trim().parse::<i64>() {
                            h.changed_elsewhere(ContestId(id));
                        }
                    }
                    Err(e) => {
                        tracing::warn!("live: the listener's connection failed: {e}");
                        break 'heard;
                    }
                }
            }
            drop(h);
            if pinged.elapsed() >= PING {
                if let Err(e) = diesel::sql_query("SELECT 1").execute(&mut conn) {
                    tracing::warn!("live: the listener's connection failed: {e}");
                    break 'heard;
                }
                pinged = Instant::now();
            }
            std::thread::sleep(POLL);
        }
        std::thread::sleep(RETRY);
    }
}
