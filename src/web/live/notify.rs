//! Several servers on one PostgreSQL database: the process's [`Hub`] hears
//! the other processes' changes through the store's LISTEN/NOTIFY
//! connections ([`crate::store::notify`], where the SQL lives).
//!
//! This is the one place under `web/` that names the store: the hub is the
//! web layer's broadcaster, and the dedicated PostgreSQL connections that
//! feed it are neither a workflow nor a request's database work.

use super::Hub;
use crate::engine::model::ContestId;
use crate::store::notify::{self, Changes};
use std::sync::Arc;

pub use notify::CHANNEL;

impl Changes for Hub {
    fn changed_elsewhere(&self, contest: ContestId) {
        self.local(contest);
    }

    fn everything_changed(&self) {
        Hub::everything_changed(self);
    }
}

/// Starts the sender and the listener of a process on PostgreSQL. Both
/// threads end once the hub is dropped.
pub fn start(hub: &Arc<Hub>, url: &str) -> std::io::Result<()> {
    let tx = notify::start(hub, url)?;
    hub.set_remote(tx);
    Ok(())
}
