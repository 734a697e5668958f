//! Limits on what clients may send.
//!
//! Sign-in attempts are limited: after too many failures in a window, an
//! account (whatever the address) and an address (whatever the account)
//! must wait. Failures are counted in the process; each server of a
//! deployment counts its own.
//!
//! Slow clients are limited too ([`ClientLimits`]): a request body must
//! arrive in time, and one address may have only so many requests in
//! progress at once, so that a crowd of trickling connections cannot hold
//! every open file of the server.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The largest JSON body the API accepts.
pub const JSON_BODY: usize = 4 * 1024 * 1024;
/// The largest plain form (`application/x-www-form-urlencoded`) a page
/// accepts: signing in and out, a judge's marks, every button that posts.
pub const PLAIN_FORM: usize = 64 * 1024;

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

/// The longest any request body may take, however steadily it arrives.
pub const BODY_AT_MOST: Duration = Duration::from_secs(600);

/// Requests in progress by client address, and the pace a body must keep.
pub struct ClientLimits {
    body_seconds: Duration,
    body_min_rate: u64,
    per_address: usize,
    /// Proxies whose `X-Forwarded-For` names the client.
    trusted: Vec<IpAddr>,
    in_progress: Mutex<HashMap<IpAddr, usize>>,
}

impl ClientLimits {
    pub fn new(settings: &crate::config::Settings) -> Self {
        ClientLimits {
            body_seconds: Duration::from_secs(settings.body_seconds),
            body_min_rate: settings.body_min_rate.max(1),
            per_address: settings.requests_per_address,
            trusted: settings.trusted_proxies.clone(),
            in_progress: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.in_progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a request from `address` until the returned guard is dropped;
    /// `None` when the address already has its share in progress.
    fn enter(self: &std::sync::Arc<Self>, address: Option<IpAddr>) -> Option<InProgress> {
        let Some(address) = address.filter(|_| self.per_address > 0) else {
            return Some(InProgress {
                limits: self.clone(),
                address: None,
            });
        };
        let mut map = self.lock();
        let n = map.entry(address).or_default();
        if *n >= self.per_address {
            return None;
        }
        *n += 1;
        Some(InProgress {
            limits: self.clone(),
            address: Some(address),
        })
    }

    /// When a body that has brought `received` bytes must be complete:
    /// `body_seconds` at any speed, one more second for each `body_min_rate`
    /// bytes, and never more than [`BODY_AT_MOST`].
    fn body_deadline(&self, received: u64) -> Duration {
        let earned = Duration::from_secs_f64(received as f64 / self.body_min_rate as f64);
        (self.body_seconds + earned).min(BODY_AT_MOST.max(self.body_seconds))
    }
}

/// A request being answered, counted against its address.
struct InProgress {
    limits: std::sync::Arc<ClientLimits>,
    address: Option<IpAddr>,
}

impl Drop for InProgress {
    fn drop(&mut self) {
        let Some(address) = self.address else { return };
        let mut map = self.limits.lock();
        if let Some(n) = map.get_mut(&address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&address);
            }
        }
    }
}

/// What a paced body tells the middleware that gave it out.
#[derive(Default)]
struct Pace {
    timed_out: std::cell::Cell<bool>,
    /// The connection's own body, kept unread until the answer is sent so
    /// that the server closes the connection instead of reading the rest.
    unread: std::cell::RefCell<Option<actix_web::dev::Payload>>,
}

/// A request body that fails once it is later than its deadline.
struct PacedBody {
    inner: Option<actix_web::dev::Payload>,
    limits: std::sync::Arc<ClientLimits>,
    started: tokio::time::Instant,
    received: u64,
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
    pace: std::rc::Rc<Pace>,
}

impl PacedBody {
    fn too_slow(&mut self) -> actix_web::error::PayloadError {
        self.pace.timed_out.set(true);
        *self.pace.unread.borrow_mut() = self.inner.take();
        actix_web::error::PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the request body came too slowly",
        ))
    }
}

impl futures_util::Stream for PacedBody {
    type Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::future::Future;
        use std::task::Poll;
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        match std::pin::Pin::new(inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                this.received += bytes.len() as u64;
                let deadline = this.started + this.limits.body_deadline(this.received);
                if tokio::time::Instant::now() > deadline {
                    return Poll::Ready(Some(Err(this.too_slow())));
                }
                this.timer.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(end) => Poll::Ready(end),
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(this.too_slow()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Answers a request only when its address has fewer than its share in
/// progress, and gives its body a deadline. A request refused here (`429`)
/// or whose body came too slowly (`408`) gets the error shape (an error
/// page on pages) and its connection is closed.
pub async fn pace_clients(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use crate::error::{AppError, ErrorKind};
    use actix_web::dev::Payload;
    use actix_web::HttpMessage as _;
    let Some(limits) = req
        .app_data::<actix_web::web::Data<ClientLimits>>()
        .map(|d| d.clone().into_inner())
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let address = crate::web::shared::client_ip(
        &limits.trusted,
        req.peer_addr().map(|a| a.ip()),
        req.headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok()),
    );
    let Some(_counted) = limits.enter(address) else {
        let unread = req.take_payload();
        let (req, _) = req.into_parts();
        let err = AppError::new(
            ErrorKind::TooManyRequests,
            "too_many_requests",
            "too many requests from this address are in progress; try again shortly",
        );
        let mut resp = actix_web::ResponseError::error_response(&err);
        resp.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from_static("1"),
        );
        let res = actix_web::dev::ServiceResponse::new(req, resp);
        return closing(res, Some(unread)).await;
    };
    let pace = std::rc::Rc::new(Pace::default());
    match req.take_payload() {
        Payload::None => {}
        body => {
            let started = tokio::time::Instant::now();
            let paced = PacedBody {
                inner: Some(body),
                started,
                received: 0,
                timer: Box::pin(tokio::time::sleep_until(started + limits.body_deadline(0))),
                limits: limits.clone(),
                pace: pace.clone(),
            };
            req.set_payload(Payload::Stream {
                payload: Box::pin(paced),
            });
        }
    }
    let res = next.call(req).await?;
    if !pace.timed_out.get() {
        return Ok(res.map_into_boxed_body());
    }
    let (req, _) = res.into_parts();
    let err = AppError::new(
        ErrorKind::RequestTimeout,
        "request_timeout",
        format!(
            "the request body came too slowly: it may take {} s, then must average {} bytes a second",
            limits.body_seconds.as_secs(),
            limits.body_min_rate
        ),
    );
    let res =
        actix_web::dev::ServiceResponse::new(req, actix_web::ResponseError::error_response(&err));
    let unread = pace.unread.borrow_mut().take();
    closing(res, unread).await
}

/// An error answer after which the connection is closed: as a page on
/// pages, marked to close, and holding the body nobody will read so that
/// the server does not wait for the rest of it.
async fn closing(
    res: actix_web::dev::ServiceResponse,
    unread: Option<actix_web::dev::Payload>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::middleware::ErrorHandlerResponse;
    let mut res = match crate::web::pages::errors::html_for_pages(res)? {
        ErrorHandlerResponse::Response(r) => r.map_into_boxed_body(),
        ErrorHandlerResponse::Future(f) => f.await?.map_into_boxed_body(),
    };
    let resp = res.response_mut();
    resp.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    if let Some(unread) = unread {
        resp.extensions_mut().insert(Unread(unread));
    }
    Ok(res)
}

/// The unread body of a request whose connection is being closed.
struct Unread(#[allow(dead_code)] actix_web::dev::Payload);

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

    fn client_limits(per_address: usize) -> std::sync::Arc<ClientLimits> {
        let settings = crate::config::Settings {
            body_seconds: 30,
            body_min_rate: 1024,
            requests_per_address: per_address,
            ..Default::default()
        };
        std::sync::Arc::new(ClientLimits::new(&settings))
    }

    #[test]
    fn an_address_has_its_share_of_requests_in_progress() {
        let l = client_limits(2);
        let a: Option<IpAddr> = "10.0.0.1".parse().ok();
        let b: Option<IpAddr> = "10.0.0.2".parse().ok();
        let first = l.enter(a).expect("first");
        let _second = l.enter(a).expect("second");
        assert!(l.enter(a).is_none(), "a third at once is refused");
        assert!(l.enter(b).is_some(), "another address has its own share");
        drop(first);
        assert!(l.enter(a).is_some(), "a finished request frees its place");
        let unlimited = client_limits(0);
        let held: Vec<_> = (0..1000).filter_map(|_| unlimited.enter(a)).collect();
        assert_eq!(held.len(), 1000, "0 means no share");
        drop(held);
        assert!(unlimited.lock().is_empty() && l.lock().len() == 1);
    }

    #[test]
    fn a_body_earns_time_by_arriving() {
        let l = client_limits(1);
        assert_eq!(l.body_deadline(0), Duration::from_secs(30));
        assert_eq!(l.body_deadline(10 * 1024), Duration::from_secs(40));
        assert_eq!(l.body_deadline(64 * 1024 * 1024), BODY_AT_MOST);
    }
}
