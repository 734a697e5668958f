//! Answers shared by every anonymous viewer, and conditional requests.
//!
//! When results come out, thousands of people load the same ranking again
//! and again. The public contest page and the published results in JSON are
//! the same for every anonymous viewer (per language), so the process builds
//! each at most once per change and shares it:
//!
//! - an answer is reused while the contest's generation (see
//!   [`crate::web::live::Hub`]) is unchanged and it is younger than
//!   [`FRESH_FOR`], so a change made through another process is seen within
//!   about that time even if its notification is late;
//! - after a change, the requests wanting the answer wait for one of them
//!   to build it instead of building it too; when an answer is merely old,
//!   one request builds it again and the others keep the old one meanwhile;
//! - every answer carries a strong `ETag` (a hash of its body), and a
//!   request whose `If-None-Match` names it gets `304 Not Modified` with no
//!   body;
//! - a shared answer is also kept compressed with gzip, made once, for the
//!   browsers that accept it (each encoding has its own `ETag`).
//!
//! Nothing is shared with signed-in callers, whose pages show who they are;
//! their answers still carry an `ETag` and get `304` the same way.

use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::web::live::Hub;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The longest an anonymous viewer's answer is reused without a change
/// being heard of.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Shared answers kept at most; the cache starts again when full.
const KEPT: usize = 1024;

/// One answer, with its validator.
#[derive(Clone)]
pub struct Answer {
    pub etag: String,
    pub content_type: &'static str,
    pub body: actix_web::web::Bytes,
    /// The body compressed with gzip, and its tag (shared answers only).
    gzip: Option<(String, actix_web::web::Bytes)>,
    generation: u64,
    made: Instant,
}

/// Bodies shorter than this are not worth compressing.
const COMPRESS_FROM: usize = 1024;

impl Answer {
    pub fn new(content_type: &'static str, body: Vec<u8>) -> Answer {
        let digest = Sha256::digest(&body);
        Answer {
            etag: format!("\"{}\"", hex::encode(&digest[..16])),
            content_type,
            body: body.into(),
            gzip: None,
            generation: 0,
            made: Instant::now(),
        }
    }

    /// Keeps a gzip copy of the body beside it.
    fn compress(&mut self) {
        use std::io::Write;
        if self.body.len() < COMPRESS_FROM {
            return;
        }
        let mut z = flate2::write::GzEncoder::new(
            Vec::with_capacity(self.body.len() / 4),
            flate2::Compression::default(),
        );
        // Writing to memory cannot fail.
        if z.write_all(&self.body).is_ok() {
            if let Ok(packed) = z.finish() {
                let tag = format!("{}-gzip\"", self.etag.trim_end_matches('"'));
                self.gzip = Some((tag, packed.into()));
            }
        }
    }

    /// `304 Not Modified` when the request already has this answer,
    /// otherwise `200` with the body. `extra` adds headers both get.
    pub fn respond(
        &self,
        req: &HttpRequest,
        extra: impl FnOnce(&mut HttpResponseBuilder),
    ) -> HttpResponse {
        let gzip = self.gzip.as_ref().filter(|_| {
            req.headers()
                .get(header::ACCEPT_ENCODING)
                .is_some_and(accepts_gzip)
        });
        let (etag, body) = match gzip {
            Some((tag, packed)) => (tag, packed),
            None => (&self.etag, &self.body),
        };
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| matches(v, etag));
        let mut resp = if fresh {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        resp.insert_header((header::ETAG, etag.clone()))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((
                header::VARY,
                "Accept-Encoding, Accept-Language, Cookie, Authorization",
            ));
        if gzip.is_some() {
            resp.insert_header((header::CONTENT_ENCODING, "gzip"));
        }
        extra(&mut resp);
        if fresh {
            resp.finish()
        } else {
            resp.content_type(self.content_type).body(body.clone())
        }
    }
}

/// Whether an `If-None-Match` value names `etag`: `*`, or a list of tags
/// (weak ones compared weakly, as RFC 9110 asks for this header).
fn matches(value: &HeaderValue, etag: &str) -> bool {
    let Ok(v) = value.to_str() else {
        return false;
    };
    v.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

/// Whether an `Accept-Encoding` value allows gzip (by name or `*`, with a
/// weight above zero).
fn accepts_gzip(value: &HeaderValue) -> bool {
    let Ok(v) = value.to_str() else {
        return false;
    };
    v.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

/// Which shared answer: a contest and what of it (a page in one language,
/// the JSON of one version …).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub contest: ContestId,
    pub what: String,
}

#[derive(Default)]
struct Slot {
    current: RwLock<Option<Arc<Answer>>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl Slot {
    /// The answer built at this generation, however old.
    fn unchanged(&self, generation: u64) -> Option<Arc<Answer>> {
        let current = match self.current.read() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        current
            .as_ref()
            .filter(|a| a.generation == generation)
            .cloned()
    }

    fn fresh(&self, generation: u64) -> Option<Arc<Answer>> {
        self.unchanged(generation)
            .filter(|a| a.made.elapsed() < FRESH_FOR)
    }

    async fn rebuild<F, Fut>(&self, generation: u64, build: F) -> AppResult<Arc<Answer>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<Answer>>,
    {
        let mut answer = build().await?;
        answer.compress();
        answer.generation = generation;
        answer.made = Instant::now();
        let answer = Arc::new(answer);
        match self.current.write() {
            Ok(mut c) => *c = Some(answer.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(answer.clone()),
        }
        Ok(answer)
    }
}

#[derive(Default)]
pub struct SharedAnswers {
    slots: Mutex<HashMap<Key, Arc<Slot>>>,
}

impl SharedAnswers {
    /// The shared answer for `key`, built by `build` when there is none
    /// current. A failure is not kept: the next request tries again.
    pub async fn get<F, Fut>(&self, hub: &Hub, key: Key, build: F) -> AppResult<Arc<Answer>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<Answer>>,
    {
        let contest = key.contest;
        let slot = self.slot(key);
        // Read the generation before building, so that a change made
        // while building makes the new answer stale at once.
        let generation = hub.generation(contest);
        if let Some(a) = slot.unchanged(generation) {
            if a.made.elapsed() < FRESH_FOR {
                return Ok(a);
            }
            // Old, with no change heard of: one request builds it again
            // while the others keep the old answer meanwhile.
            return match slot.rebuilding.try_lock() {
                Ok(_rebuilding) => slot.rebuild(generation, build).await,
                Err(_) => Ok(a),
            };
        }
        // A change, or no answer yet: everyone waits for the new one.
        let _rebuilding = slot.rebuilding.lock().await;
        let generation = hub.generation(contest);
        if let Some(a) = slot.fresh(generation) {
            return Ok(a);
        }
        slot.rebuild(generation, build).await
    }

    /// Makes the current answer for `key` older than [`FRESH_FOR`], as if
    /// that time had passed.
    #[cfg(test)]
    fn make_old(&self, key: &Key) {
        let slot = self.slot(key.clone());
        let mut current = match slot.current.write() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(a) = current.as_ref() {
            let mut old = Answer::clone(a);
            old.made = Instant::now()
                .checked_sub(FRESH_FOR + Duration::from_millis(1))
                .unwrap_or(old.made);
            *current = Some(Arc::new(old));
        }
    }

    fn slot(&self, key: Key) -> Arc<Slot> {
        let mut slots = match self.slots.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if slots.len() >= KEPT && !slots.contains_key(&key) {
            slots.clear();
        }
        slots.entry(key).or_default().clone()
    }
}

/// The address certificates send their readers to: the installation's
/// public address when set (`JIANGXIN_PUBLIC_URL`), else the address this
/// request came to.
pub fn public_url(state: &crate::web::State, req: &actix_web::HttpRequest) -> String {
    match &state.settings.public_url {
        Some(u) => u.clone(),
        None => origin(&state.settings.trusted_proxies, req),
    }
}

/// The address a request comes from: its peer's, or, when the peer is a
/// trusted proxy, the nearest address in `X-Forwarded-For` that is not a
/// trusted proxy itself (the list is read from its end, where the proxies
/// appended; what a client wrote at its start is never believed).
pub fn client_ip(
    trusted: &[std::net::IpAddr],
    peer: Option<std::net::IpAddr>,
    forwarded_for: Option<&str>,
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let Some(list) = forwarded_for else {
        return Some(peer);
    };
    let mut nearest = peer;
    for hop in list.rsplit(',').map(str::trim) {
        match hop.parse::<std::net::IpAddr>() {
            Ok(a) if trusted.contains(&a) => nearest = a,
            Ok(a) => return Some(a),
            Err(_) => return Some(nearest),
        }
    }
    Some(nearest)
}

/// The client address of a request, as [`client_ip`] reads it.
pub fn client_address(
    trusted: &[std::net::IpAddr],
    req: &actix_web::HttpRequest,
) -> Option<std::net::IpAddr> {
    client_ip(
        trusted,
        req.peer_addr().map(|a| a.ip()),
        forwarded(req.headers(), "x-forwarded-for"),
    )
}

fn forwarded<'a>(headers: &'a actix_web::http::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `scheme://host` as the client addressed this server: from
/// `X-Forwarded-Proto` and `X-Forwarded-Host` when the peer is a trusted
/// proxy, else from the connection and its `Host` header.
pub fn origin(trusted: &[std::net::IpAddr], req: &actix_web::HttpRequest) -> String {
    let via_proxy = req.peer_addr().is_some_and(|a| trusted.contains(&a.ip()));
    let first = |name: &str| {
        forwarded(req.headers(), name)
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let own_scheme = if req.app_config().secure() {
        "https"
    } else {
        "http"
    };
    let own_host = forwarded(req.headers(), "host").unwrap_or_else(|| req.app_config().host());
    let (scheme, host) = if via_proxy {
        (
            first("x-forwarded-proto")
                .filter(|p| matches!(*p, "http" | "https"))
                .unwrap_or(own_scheme),
            first("x-forwarded-host").unwrap_or(own_host),
        )
    } else {
        (own_scheme, own_host)
    };
    format!("{scheme}://{host}")
}

/// Gathers the document on a connection, then typesets it on the blocking
/// pool, so that a large one never holds a request worker or a connection.
pub async fn pdf(
    state: &crate::web::State,
    caller: crate::web::auth::Caller,
    lang: crate::i18n::Lang,
    request: crate::workflow::documents::Request,
) -> crate::error::AppResult<crate::workflow::documents::Pdf> {
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let now = chrono::Utc::now().naive_utc();
    let prepared = state
        .db(move |conn| {
            crate::workflow::documents::gather(conn, &schemes, &actor, lang, &request, now)
        })
        .await?;
    actix_web::web::block(move || crate::workflow::documents::typeset(prepared)).await?
}

/// The PDF as an answer, shown in the browser with its file name.
pub fn pdf_response(pdf: crate::workflow::documents::Pdf) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"{}\"", pdf.filename),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(pdf.bytes)
}

/// A file attached to an appeal or a nomination, as a private download
/// named by what it belongs to and its place (`appeal-7-1.pdf`).
pub fn attachment_download(stem: &str, n: usize, media_type: &str, body: Vec<u8>) -> HttpResponse {
    let ext = match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    };
    HttpResponse::Ok()
        .content_type(media_type.to_string())
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{stem}-{n}.{ext}\""),
        ))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_are_believed_from_trusted_proxies_only() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let proxy = [ip("10.0.0.2"), ip("10.0.0.3")];
        // No proxy configured: the peer, whatever the header says.
        assert_eq!(
            client_ip(&[], Some(ip("10.0.0.2")), Some("1.2.3.4")),
            Some(ip("10.0.0.2"))
        );
        // An untrusted peer cannot claim another address.
        assert_eq!(
            client_ip(&proxy, Some(ip("5.6.7.8")), Some("1.2.3.4")),
            Some(ip("5.6.7.8"))
        );
        // Through the proxy: the address it appended.
        assert_eq!(
            client_ip(&proxy, Some(ip("10.0.0.2")), Some("1.2.3.4")),
            Some(ip("1.2.3.4"))
        );
        // A client's own forged entry at the start is not believed.
        assert_eq!(
            client_ip(&proxy, Some(ip("10.0.0.2")), Some("9.9.9.9, 1.2.3.4")),
            Some(ip("1.2.3.4"))
        );
        // Through two proxies.
        assert_eq!(
            client_ip(&proxy, Some(ip("10.0.0.2")), Some("1.2.3.4, 10.0.0.3")),
            Some(ip("1.2.3.4"))
        );
        // Garbage stops the walk at the nearest proxy.
        assert_eq!(
            client_ip(&proxy, Some(ip("10.0.0.2")), Some("nonsense")),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            client_ip(&proxy, Some(ip("10.0.0.2")), None),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(client_ip(&proxy, None, Some("1.2.3.4")), None);
    }

    #[test]
    fn if_none_match_names_the_tag() {
        let tag = "\"abc\"";
        for (header, expected) in [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("*", true),
            ("\"abd\"", false),
            ("abc", false),
            ("", false),
        ] {
            let v = HeaderValue::from_str(header).unwrap();
            assert_eq!(matches(&v, tag), expected, "{header}");
        }
    }

    #[test]
    fn accept_encoding_allows_gzip() {
        for (header, expected) in [
            ("gzip", true),
            ("gzip, deflate, br", true),
            ("br;q=1.0, GZIP;q=0.5", true),
            ("*", true),
            ("gzip;q=0", false),
            ("deflate, br", false),
            ("", false),
        ] {
            let v = HeaderValue::from_str(header).unwrap();
            assert_eq!(accepts_gzip(&v), expected, "{header}");
        }
    }

    #[test]
    fn a_compressed_answer_unpacks_to_the_body_and_has_its_own_tag() {
        use std::io::Read;
        let mut a = Answer::new("text/plain", "名次 ".repeat(1000).into_bytes());
        a.compress();
        let (tag, packed) = a.gzip.clone().unwrap();
        assert_ne!(tag, a.etag);
        assert!(packed.len() < a.body.len() / 10);
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, a.body);
        let mut small = Answer::new("text/plain", b"ok".to_vec());
        small.compress();
        assert!(small.gzip.is_none());
    }

    #[actix_web::test]
    async fn an_old_answer_is_served_while_one_request_builds_it_again() {
        let hub = Hub::default();
        let cache = SharedAnswers::default();
        let key = Key {
            contest: ContestId(3),
            what: "results:latest".into(),
        };
        let old = || async { Ok(Answer::new("text/plain", b"old".to_vec())) };
        cache.get(&hub, key.clone(), old).await.unwrap();
        cache.make_old(&key);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let slow = cache.get(&hub, key.clone(), || async move {
            let _ = rx.await;
            Ok(Answer::new("text/plain", b"new".to_vec()))
        });
        let meanwhile = async {
            let a = cache
                .get(&hub, key.clone(), || async {
                    Err(crate::error::AppError::internal("only one request builds"))
                })
                .await;
            let _ = tx.send(());
            a
        };
        let both = async { futures_util::join!(slow, meanwhile) };
        let (new, meanwhile) = tokio::time::timeout(Duration::from_secs(10), both)
            .await
            .expect("the other request does not wait for the build");
        assert_eq!(&meanwhile.unwrap().body[..], b"old");
        assert_eq!(&new.unwrap().body[..], b"new");
        // After a change, nobody gets the old answer.
        hub.local(ContestId(3));
        let failed = cache
            .get(&hub, key, || async {
                Err(crate::error::AppError::not_found("gone"))
            })
            .await;
        assert!(failed.is_err());
    }

    #[actix_web::test]
    async fn an_answer_is_rebuilt_after_a_change_and_not_before() {
        let hub = Hub::default();
        let cache = SharedAnswers::default();
        let key = Key {
            contest: ContestId(7),
            what: "page:zh".into(),
        };
        let built = std::sync::atomic::AtomicUsize::new(0);
        let build = || async {
            let n = built.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Answer::new(
                "text/plain",
                format!("answer {n}").into_bytes(),
            ))
        };
        let a = cache.get(&hub, key.clone(), build).await.unwrap();
        let b = cache.get(&hub, key.clone(), build).await.unwrap();
        assert_eq!(a.body, b.body);
        assert_eq!(built.load(std::sync::atomic::Ordering::SeqCst), 1);
        hub.local(ContestId(8));
        let c = cache.get(&hub, key.clone(), build).await.unwrap();
        assert_eq!(c.etag, a.etag, "another contest's change");
        hub.local(ContestId(7));
        let d = cache.get(&hub, key.clone(), build).await.unwrap();
        assert_ne!(d.etag, a.etag);
        assert_eq!(&d.body[..], b"answer 1");
        let failed = cache
            .get(&hub, key.clone(), || async {
                Err(crate::error::AppError::not_found("gone"))
            })
            .await;
        assert!(
            failed.is_ok(),
            "a current answer is reused without building"
        );
        cache.make_old(&key);
        let e = cache.get(&hub, key, build).await.unwrap();
        assert_eq!(&e.body[..], b"answer 2", "an old answer is rebuilt");
    }
}
