//! Sign-in attempts are limited: after too many failures in a window, an
//! account (whatever the address) and an address (whatever the account)
//! must wait. Failures are counted in the process; each server of a
//! deployment counts its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per account in the window.
pub const PER_ACCOUNT: usize = 10;
/// Failures allowed per address in the window.
pub const PER_ADDRESS: usize = 30;

#[derive(Default)]
pub struct SignInLimits {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

fn account_key(username: &str) -> String {
    format!("account:{}", username.trim().to_lowercase())
}

fn address_key(address: Option<IpAddr>) -> Option<String> {
    address.map(|a| format!("address:{a}"))
}

impl SignInLimits {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(wait)` when the account or the address has failed too often.
    pub fn check(&self, username: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.lock();
        let mut wait = Duration::ZERO;
        let keys = [
            (Some(account_key(username)), PER_ACCOUNT),
            (address_key(address), PER_ADDRESS),
        ];
        for (key, limit) in keys {
            let Some(key) = key else { continue };
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() >= limit {
                    if let Some(oldest) = times.first() {
                        wait = wait.max(WINDOW.saturating_sub(now.duration_since(*oldest)));
                    }
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    pub fn failed(&self, username: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut map = self.lock();
        for key in [Some(account_key(username)), address_key(address)]
            .into_iter()
            .flatten()
        {
            map.entry(key).or_default().push(now);
        }
        // Keep the map small under a flood of made-up names.
        if map.len() > 100_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
    }

    /// A success clears the account's failures (not the address's).
    pub fn succeeded(&self, username: &str) {
        self.lock().remove(&account_key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_addresses_are_limited_apart() {
        let l = SignInLimits::default();
        let a: Option<IpAddr> = "10.0.0.1".parse().ok();
        let b: Option<IpAddr> = "10.0.0.2".parse().ok();
        for _ in 0..PER_ACCOUNT {
            assert!(l.check("wang", a).is_ok());
            l.failed("wang", a);
        }
        assert!(l.check("wang", a).is_err());
        assert!(l.check("Wang", b).is_err(), "the account, from any address");
        assert!(l.check("li", b).is_ok());
        l.succeeded("li");
        for i in 0..PER_ADDRESS {
            l.failed(&format!("name{i}"), b);
        }
        assert!(l.check("zhao", b).is_err(), "the address, for any account");
        let wait = l.check("zhao", b).unwrap_err();
        assert!(wait <= WINDOW && wait > Duration::from_secs(60));
    }
}
