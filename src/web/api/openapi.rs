//! The OpenAPI 3 document of the JSON API, generated from the handlers'
//! `#[utoipa::path]` annotations, and the schemas of the values the API sends
//! that are defined outside the web layer (the engine stays free of HTTP).
//!
//! Served at `GET /api/v1/openapi.json`; the page `/api/docs` shows it.

use crate::engine::model::{
    ContestRole, ContestStatus, EntryStatus, Gender, Group, IdKind, OrganisationKind, SkillLevel,
    UserKind, Vocabulary,
};
use crate::error::{AppError, AppResult};
use actix_web::{web, HttpResponse};
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use super::draws;
use super::paper;
use super::recheck;
use super::{
    advancement, appeals, auth, blind, brackets, certificates, check_in, contests, documents,
    entries, honours, judges, marking, organisations, people, reference, results, talent,
};

/// Where every path of the document starts.
pub const PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "jiangxin API",
        description = "The JSON API of jiangxin, a scoring engine for tiered skills competitions: \
organisations, contests, registration, marking, results, advancement, brackets and the talent \
database. Send a bearer token from `POST /api/v1/auth/login` as `Authorization: Bearer TOKEN`; \
pages use a signed session cookie instead. Errors have the shape \
`{\"error\": {\"code\", \"message\", \"details\"}}`. See docs/api.md."
    ),
    paths(
        document,
        auth::login, auth::link, auth::logout, auth::me,
        organisations::list, organisations::create, organisations::show, organisations::update,
        reference::tiers, reference::create_tier, reference::skills, reference::create_skill,
        contests::list, contests::create, contests::show, contests::update, contests::set_status,
        contests::judges, contests::assign, contests::unassign, contests::create_link,
        contests::links, contests::revoke_link,
        entries::list, entries::register_json, entries::export, entries::import, entries::withdraw,
        marking::get_scheme, marking::put_scheme, marking::versions, marking::list_panels,
        marking::put_panel, marking::delete_panel, marking::post_mark, marking::post_batch,
        marking::scores, marking::entry_score, marking::entry_marks, marking::lock,
        results::policies, results::across, results::get_policy, results::put_policy,
        results::policy_versions, results::post_measure, results::standings, results::publish,
        results::get_results, results::results_csv, results::awards_csv,
        results::recommendations_csv, results::sheet, results::sheet_csv,
        advancement::get_rules, advancement::put_rules, advancement::proposal,
        advancement::confirm, advancement::provenance,
        brackets::list, brackets::create, brackets::get, brackets::history, brackets::placings,
        brackets::record,
        talent::list, talent::export, talent::one,
        people::list_competitors, people::show_competitor, people::list_users,
        people::create_user, people::disable_user,
        blind::get_settings, blind::put_settings, blind::status, blind::draw, blind::mapping,
        blind::decrypt,
        draws::list, draws::create, draws::show, draws::replay,
        recheck::list, recheck::post_check, recheck::get_signatures, recheck::sign,
        appeals::file_appeal, appeals::list_appeals, appeals::get_appeal,
        appeals::appeal_attachment, appeals::appeal_note, appeals::appeal_decision,
        check_in::list, check_in::record,
        judges::report, judges::report_csv, judges::get_threshold, judges::put_threshold,
        judges::history,
        documents::document,
        certificates::list, certificates::issue, certificates::verify,
        paper::list, paper::get_form, paper::put_typing, paper::get_differences,
        paper::post_resolutions,
        honours::list, honours::put_programme, honours::show, honours::files, honours::quotas,
        honours::eligibility, honours::list_nominations, honours::nominate,
        honours::get_nomination, honours::withdraw, honours::nomination_attachment,
        honours::open_review, honours::proposal, honours::confirm, honours::notice_list,
        honours::list_objections, honours::lodge, honours::decide, honours::close,
        honours::get_attributes, honours::put_attributes,
    ),
    components(schemas(
        ErrorBody, ErrorObject, crate::error::ErrorDetail, Organisation, Tier, Skill, Contest,
        Eligibility, User, Competitor, CsvEncoding,
        draws::DrawBody, draws::DrawView, draws::PlaceView, draws::DrawPlacesView, draws::ReplayView,
    )),
    modifiers(&Security, &CommonResponses),
    tags(
        (name = "document", description = "This document"),
        (name = "auth", description = "Signing in and out of the API"),
        (name = "organisations", description = "The tree every competitor, judge and organiser belongs to"),
        (name = "reference", description = "Tiers of the ladder and skills"),
        (name = "contests", description = "Contests: set-up, lifecycle, judges and judges' private links"),
        (name = "entries", description = "A contest's entries: registration by JSON or CSV, export, withdrawal"),
        (name = "marking", description = "Marking schemes, panels, judges' marks, sign-off and scores"),
        (name = "results", description = "Award policies, measures, standings, publication and exports"),
        (name = "advancement", description = "Qualification rules between tiers, proposals and confirmation"),
        (name = "brackets", description = "Head-to-head brackets, match results and placings"),
        (name = "talent", description = "Profiles across contests from published results"),
        (name = "people", description = "Competitors' records and accounts"),
        (name = "blind", description = "Fair-play settings, blind numbers (加密) drawn by the encryption officer, and decryption (解密) by the chief judge and a supervisor"),
        (name = "draws", description = "Draws by lot (抽签) of workstations and running order, from recorded seeds"),
        (name = "recheck", description = "Re-check (复核) of every entry's score sheet and the signatures that release results"),
        (name = "appeals", description = "Appeals (申诉) within a contest's window and the arbitration group's (仲裁) notes and decisions"),
        (name = "judges", description = "Judge analytics: each judge's deviation from the rest of the panel, the flag threshold, a judge's figures across contests and seasons"),
        (name = "documents", description = "Printed documents as PDF: marking forms, score registers, result and score sheets, certificates, the advancement list, draw sheets"),
        (name = "certificates", description = "Award certificates (获奖证书) issued to a publication's award holders, and the public verification of their codes"),
        (name = "paper", description = "Paper forms (纸质评分表) typed in twice by two different people; marks recorded when both agree or the chief judge resolved every difference"),
        (name = "honours", description = "Honours programmes (劳动模范, 工匠, 技术能手): nominations within quotas, the review, selection with category shares, the public notice (公示) and its objections, and persons' attributes"),
        (name = "check-in", description = "Check-in (检录) at the door: present, absent or withdrawn, against the identity number"),
    )
)]
pub struct ApiDoc;

/// The document as JSON, built once.
pub fn json() -> AppResult<&'static str> {
    static DOC: OnceLock<Result<String, String>> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| AppError::internal(format!("building the API document: {e}")))
}

/// The document as a JSON value, for the page that shows it.
pub fn value() -> AppResult<Value> {
    serde_json::from_str(json()?)
        .map_err(|e| AppError::internal(format!("reading the API document: {e}")))
}

/// This document: every endpoint of the JSON API, its parameters, bodies,
/// answers and security.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "document",
    responses(
        (status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object),
    )
)]
pub async fn document() -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(json()?))
}

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::web::routes::path("/openapi.json").get(document));
}

// ---- security and the answers every operation may give ---------------------------

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from POST /api/v1/auth/login or /api/v1/auth/link",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::web::auth::SESSION_COOKIE,
                "The pages' signed session cookie",
            ))),
        );
    }
}

/// Names every operation uniquely (`area_handler`) and adds the error
/// answers that come from the framework rather than the handler: a path that
/// does not parse (404), a query string or JSON body that does not parse
/// (400), a body over the limit (413), a credential that is malformed,
/// expired or revoked (401), and an unreachable database (503).
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if path == "/api/v1/openapi.json" {
                continue;
            }
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let tag = op.tags.as_ref().and_then(|t| t.first()).cloned();
                if let (Some(tag), Some(id)) = (tag, op.operation_id.as_mut()) {
                    *id = format!("{tag}_{id}");
                }
                add_common(path, op);
            }
        }
    }
}

fn add_common(path: &str, op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_path = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let has_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_body = op.request_body.is_some();
    let signed = op
        .security
        .as_ref()
        .is_some_and(|s| !s.is_empty() && path != "/api/v1/policies");
    let mut add = |status: &str, description: &str| {
        if !op.responses.responses.contains_key(status) {
            op.responses
                .responses
                .insert(status.to_string(), RefOr::T(error_response(description)));
        }
    };
    if has_query || has_body {
        add("400", "The query string or the body does not parse");
    }
    if signed {
        add(
            "401",
            "The credential is malformed, expired or revoked, or one is needed",
        );
    }
    if has_path {
        add("404", "No such resource (or the path does not parse)");
    }
    if has_body {
        add("413", "The body is larger than this endpoint accepts");
    }
    if path != "/api/v1/policies" {
        add("503", "The database is not reachable");
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

// ---- schemas --------------------------------------------------------------------

/// Every error: `{"error": {"code", "message", "details"}}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorObject,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorObject {
    /// A stable machine-readable code, e.g. `invalid_rows`, `forbidden`, `stale`.
    code: String,
    message: String,
    details: Vec<crate::error::ErrorDetail>,
    /// What the request collided with, when that helps (the current mark of a
    /// slot, for a stale change).
    #[schema(value_type = Option<Object>)]
    current: Option<Value>,
}

/// A string from one of the model's closed vocabularies.
fn vocabulary<V: Vocabulary>(nullable: bool) -> Object {
    let mut values: Vec<Value> = V::ALL.iter().map(|v| Value::from(v.code())).collect();
    let ty = if nullable {
        values.push(Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(ty)
        .enum_values(Some(values))
        .description(Some(V::WHAT.to_string()))
        .build()
}

pub fn organisation_kind() -> Object {
    vocabulary::<OrganisationKind>(false)
}
pub fn contest_status() -> Object {
    vocabulary::<ContestStatus>(false)
}
pub fn appeal_from() -> Object {
    vocabulary::<crate::engine::model::AppealFrom>(false)
}
pub fn judge_role() -> Object {
    vocabulary::<ContestRole>(false)
}
pub fn check_in_status() -> Object {
    vocabulary::<crate::engine::model::CheckInStatus>(false)
}
pub fn user_kind() -> Object {
    vocabulary::<UserKind>(false)
}
pub fn entry_status() -> Object {
    vocabulary::<EntryStatus>(false)
}
pub fn id_kind() -> Object {
    vocabulary::<IdKind>(false)
}
pub fn gender() -> Object {
    vocabulary::<Gender>(false)
}
pub fn group() -> Object {
    vocabulary::<Group>(false)
}
pub fn group_or_null() -> Object {
    vocabulary::<Group>(true)
}
pub fn skill_level() -> Object {
    vocabulary::<SkillLevel>(false)
}
pub fn skill_level_or_null() -> Object {
    vocabulary::<SkillLevel>(true)
}

/// An organisation; `path` lists the ids from the root down to it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Organisation {
    id: i64,
    parent_id: Option<i64>,
    code: String,
    name_zh: String,
    name_en: String,
    #[schema(schema_with = organisation_kind)]
    kind: String,
    path: Vec<i64>,
}

/// A tier of the ladder; a higher rank is a higher tier.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Tier {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    rank: i32,
}

/// A skill; `team_size` 1 for an individual skill.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Skill {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    team_size: i32,
}

/// Who may enter a contest.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Eligibility {
    min_age: Option<i32>,
    max_age: Option<i32>,
    #[schema(schema_with = group_or_null)]
    group: Option<String>,
    within_organisation: Option<i64>,
    qualified_from: Vec<i64>,
}

/// A contest. Dates are `YYYY-MM-DD`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Contest {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    skill_id: i64,
    tier_id: i64,
    organiser_org_id: i64,
    #[schema(value_type = String, format = Date)]
    starts_on: String,
    #[schema(value_type = String, format = Date)]
    ends_on: String,
    #[schema(value_type = String, format = Date)]
    reference_date: String,
    #[schema(schema_with = contest_status)]
    status: String,
    eligibility: Eligibility,
    /// The IANA name of the zone the pages show the contest's times in; the
    /// API gives every time in UTC with its offset.
    #[schema(example = "Asia/Shanghai")]
    time_zone: String,
}

/// An account.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct User {
    id: i64,
    username: String,
    display_name: String,
    #[schema(schema_with = user_kind)]
    kind: String,
    organisation_id: i64,
    competitor_id: Option<i64>,
    disabled: bool,
}

/// A competitor's record: the identity number only as a keyed hash and its
/// last four characters.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Competitor {
    id: i64,
    name: String,
    id_hash: String,
    id_last4: String,
    #[schema(schema_with = id_kind)]
    id_kind: String,
    #[schema(value_type = String, format = Date)]
    birth_date: String,
    #[schema(schema_with = gender)]
    gender: String,
    organisation_id: i64,
    #[schema(schema_with = group)]
    group: String,
    #[schema(schema_with = skill_level_or_null)]
    skill_level: Option<String>,
}

/// How a CSV export is encoded: `utf-8-bom` (the default, for Excel),
/// `utf-8` or `gbk`.
pub struct CsvEncoding;

impl utoipa::PartialSchema for CsvEncoding {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["utf-8-bom", "utf-8", "gbk"]))
            .description(Some("utf-8-bom (the default, for Excel), utf-8 or gbk"))
            .into()
    }
}

impl ToSchema for CsvEncoding {}

/// A version of a publication in its history.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PublicationVersion {
    version: i32,
    reason: Option<String>,
    #[schema(value_type = String, format = DateTime, example = "2027-10-15T09:30:00Z")]
    published_at: String,
    /// The upheld appeal this version carries out, if any.
    appeal: Option<i64>,
}

/// Published results: this version, the latest one, why it was published,
/// the seed of its lots, every version, and the results themselves
/// (`body`: groups, standings, awards, entrants).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Publication {
    version: i32,
    latest: i32,
    reason: Option<String>,
    #[schema(value_type = String, format = DateTime, example = "2027-10-15T09:30:00Z")]
    published_at: String,
    #[schema(minimum = 0)]
    seed: u64,
    history: Vec<PublicationVersion>,
    #[schema(value_type = Object)]
    body: Value,
}

/// A new publication: its version and the seed of its lots.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Published {
    version: i32,
    #[schema(minimum = 0)]
    seed: u64,
}

/// An entry's published score sheet.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Sheet {
    version: i32,
    start_number: String,
    #[schema(value_type = Object)]
    sheet: Value,
}

/// The live standings: always a preview; `not_ready` lists what keeps the
/// results from publication.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Standings {
    preview: bool,
    #[schema(value_type = Object)]
    standings: Value,
    not_ready: Vec<crate::error::ErrorDetail>,
}

/// The answer to a recorded mark: the mark as stored, whether it was a
/// retry, the aspect's outcome and the entry's new total.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MarkReceipt {
    /// The stored mark: its `slot` (`judge:KEY`, `value`, `factor`,
    /// `overrule`, or `trainee:KEY` for a trainee judge's) and `counted`
    /// (false for a trainee judge's mark, which no score includes).
    #[schema(value_type = Object)]
    mark: Value,
    duplicate: bool,
    #[schema(value_type = Value)]
    aspect: Value,
    /// A decimal, as a string.
    entry_total: String,
}

/// The answers to a batch of marks, in the order sent.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MarkReceipts {
    marks: Vec<MarkReceipt>,
}

/// An entry's current score at every level.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EntryScore {
    entry: i64,
    start_number: String,
    scheme_version: i32,
    /// A decimal, as a string.
    total: String,
    complete: bool,
    marked: i64,
    flagged: i64,
    modules: Vec<Object>,
    criteria: Vec<Object>,
    sub_criteria: Vec<Object>,
    aspects: Vec<Object>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The `config` functions of the API's areas, as written.
    const SOURCES: &[(&str, &str)] = &[
        ("advancement.rs", include_str!("advancement.rs")),
        ("appeals.rs", include_str!("appeals.rs")),
        ("auth.rs", include_str!("auth.rs")),
        ("blind.rs", include_str!("blind.rs")),
        ("brackets.rs", include_str!("brackets.rs")),
        ("certificates.rs", include_str!("certificates.rs")),
        ("check_in.rs", include_str!("check_in.rs")),
        ("contests.rs", include_str!("contests.rs")),
        ("documents.rs", include_str!("documents.rs")),
        ("draws.rs", include_str!("draws.rs")),
        ("entries.rs", include_str!("entries.rs")),
        ("honours.rs", include_str!("honours.rs")),
        ("judges.rs", include_str!("judges.rs")),
        ("marking.rs", include_str!("marking.rs")),
        ("openapi.rs", include_str!("openapi.rs")),
        ("organisations.rs", include_str!("organisations.rs")),
        ("paper.rs", include_str!("paper.rs")),
        ("people.rs", include_str!("people.rs")),
        ("recheck.rs", include_str!("recheck.rs")),
        ("reference.rs", include_str!("reference.rs")),
        ("results.rs", include_str!("results.rs")),
        ("talent.rs", include_str!("talent.rs")),
    ];

    /// Every area module of `api/` is read above, so a new area is not missed.
    #[test]
    fn every_area_is_read() {
        let mut mods: Vec<String> = include_str!("mod.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("pub mod "))
            .map(|m| format!("{}.rs", m.trim_end_matches(';')))
            .collect();
        mods.sort();
        let read: Vec<String> = SOURCES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(mods, read);
    }

    /// The `(METHOD, path)` pairs a `config` function registers, as
    /// `routes::path("/p").get(…).put(…)`.
    fn registered(source: &str) -> BTreeSet<(String, String)> {
        let start = source
            .find("pub fn config(")
            .expect("an area has a config function");
        let body = &source[start..];
        let end = body.find("\n}\n").expect("the config function ends");
        let code: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        let quoted = |s: &str| -> String { s.split('"').nth(1).unwrap_or_default().to_string() };
        let mut out = BTreeSet::new();
        let mut resource = String::new();
        let mut rest = code.as_str();
        while let Some(i) = rest.find(['.', '(']) {
            let after_dot = rest.as_bytes()[i] == b'.';
            rest = &rest[i + 1..];
            let unqualified = rest.strip_prefix("crate::web::").unwrap_or(rest);
            if let Some(r) = unqualified.strip_prefix("routes::path(") {
                resource = quoted(r);
            } else if after_dot {
                for m in ["get", "post", "put", "patch", "delete"] {
                    if rest.starts_with(&format!("{m}(")) {
                        out.insert((m.to_uppercase(), resource.clone()));
                    }
                }
            }
        }
        out
    }

    fn documented() -> BTreeSet<(String, String)> {
        let doc = value().expect("the document");
        let mut out = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for m in ["get", "post", "put", "patch", "delete", "head", "options"] {
                if !item[m].is_null() {
                    let p = path
                        .strip_prefix(PREFIX)
                        .expect("every path is under /api/v1");
                    out.insert((m.to_uppercase(), p.to_string()));
                }
            }
        }
        out
    }

    #[test]
    fn the_reader_sees_every_method_of_a_path() {
        let src = "pub fn config(cfg: &mut web::ServiceConfig) {\n    cfg.service(routes::path(\"/a\").get(a))\n        .service(\n            routes::path(\"/b/{id}\")\n                .app_data(web::PayloadConfig::new(X))\n                .get(b)\n                .put(c),\n        )\n        .service(crate::web::routes::path(\"/c\").delete(d));\n}\n";
        let found: Vec<(String, String)> = registered(src).into_iter().collect();
        let want: Vec<(String, String)> = [
            ("DELETE", "/c"),
            ("GET", "/a"),
            ("GET", "/b/{id}"),
            ("PUT", "/b/{id}"),
        ]
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
        assert_eq!(found, want);
    }

    /// Every route of the API is in the document, and the document has no
    /// operation the API does not route.
    #[test]
    fn the_document_covers_every_route() {
        let mut routes = BTreeSet::new();
        for (name, src) in SOURCES {
            let found = registered(src);
            assert!(!found.is_empty(), "{name} registers no route");
            routes.extend(found);
        }
        assert!(routes.len() >= 70, "only {} routes read", routes.len());
        let doc = documented();
        let undocumented: Vec<_> = routes.difference(&doc).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from the OpenAPI document: {undocumented:?}"
        );
        let unrouted: Vec<_> = doc.difference(&routes).collect();
        assert!(
            unrouted.is_empty(),
            "operations in the document that no config function routes: {unrouted:?}"
        );
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = value().expect("the document");
        let mut seen = BTreeSet::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("a path item").values() {
                if let Some(id) = op["operationId"].as_str() {
                    assert!(seen.insert(id.to_string()), "operationId {id} twice");
                }
            }
        }
    }
}
