//! Live rankings set-up shared by the live tests: the seeded contest with a
//! small scheme, panels, and marking running.

pub use super::marking::SCHEME;
use super::marking::{panels, set_up, Api, Setup};
use super::TestServer;
use serde_json::json;

/// The seeded contest with the scheme, panels, and marking running.
pub fn running(s: &TestServer) -> Setup {
    let api = Api { s };
    let x = set_up(s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(s, &x, None);
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");
    x
}
