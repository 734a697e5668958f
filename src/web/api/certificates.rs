//! Award certificates (获奖证书): issuing them to a publication's award
//! holders, the list issued, and the public verification of a code.

use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::certificates::{
    self, Certificate, Label, Names, State as Standing, Verification,
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/certificates")
            .get(list)
            .post(issue),
    )
    .service(routes::path("/verify/{code}").get(verify));
}

/// A name in both languages.
#[derive(Serialize, ToSchema)]
pub struct NamesView {
    zh: String,
    en: String,
}

impl From<Names> for NamesView {
    fn from(n: Names) -> Self {
        NamesView { zh: n.zh, en: n.en }
    }
}

/// A code with its name in both languages.
#[derive(Serialize, ToSchema)]
pub struct LabelView {
    code: String,
    zh: String,
    en: String,
}

impl From<Label> for LabelView {
    fn from(l: Label) -> Self {
        LabelView {
            code: l.code,
            zh: l.zh,
            en: l.en,
        }
    }
}

/// Everything a printed certificate says.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "7K3Q-M9XD-2RTF-8WHN-C4PA", "verify_path": "/verify/7K3Q-M9XD-2RTF-8WHN-C4PA",
    "holder": "陈静", "team_name": null, "start_number": "001", "contest_code": "ZJ-2027-DG",
    "contest_name": {"zh": "浙江省电工技能竞赛", "en": "Zhejiang Electrician Contest"},
    "tier": {"code": "provincial", "zh": "省级", "en": "Provincial"},
    "skill": {"code": "electrician", "zh": "电工", "en": "Electrician"},
    "award": {"code": "gold", "zh": "金牌", "en": "Gold medal"}, "place": "1",
    "published_on": "2027-05-03", "organiser": {"code": "ZJ-HRSS", "zh": "浙江省人力资源和社会保障厅", "en": "Zhejiang HR and Social Security"},
    "version": 1}))]
pub struct CertificateView {
    /// The verification code as printed: 20 characters of Crockford base32
    /// (100 random bits) in groups of four.
    code: String,
    /// Where the code is verified, from the site's root.
    verify_path: String,
    /// The holder's full name.
    holder: String,
    team_name: Option<String>,
    start_number: String,
    contest_code: String,
    contest_name: NamesView,
    tier: LabelView,
    skill: LabelView,
    /// The award the certificate is for.
    award: LabelView,
    /// The place as written (`2=` when shared).
    place: String,
    /// The publication's date in the contest's time zone.
    #[schema(format = Date, example = "2027-05-03")]
    published_on: String,
    /// The organising organisation.
    organiser: LabelView,
    /// The publication version.
    version: i32,
}

impl From<Certificate> for CertificateView {
    fn from(c: Certificate) -> Self {
        CertificateView {
            code: c.code,
            verify_path: c.verify_path,
            holder: c.holder,
            team_name: c.team_name,
            start_number: c.start_number,
            contest_code: c.contest_code,
            contest_name: c.contest_name.into(),
            tier: c.tier.into(),
            skill: c.skill.into(),
            award: c.award.into(),
            place: c.place,
            published_on: c.published_at,
            organiser: c.organiser.into(),
            version: c.version,
        }
    }
}

/// The publication that withdrew a certificate's award.
#[derive(Serialize, ToSchema)]
pub struct WithdrawalView {
    version: i32,
    reason: Option<String>,
    /// The correction's date in the contest's time zone.
    #[schema(format = Date, example = "2027-05-20")]
    published_on: String,
}

/// What the certificate with a code says and whether it stands.
#[derive(Serialize, ToSchema)]
pub struct VerificationView {
    code: String,
    /// `valid` while the award stands in the contest's latest publication;
    /// `withdrawn` once a later version removed or changed it.
    #[schema(example = "valid")]
    state: String,
    /// The holder's name, partly masked (see docs/certificates.md).
    #[schema(example = "陈*")]
    holder: String,
    contest_code: String,
    contest_name: NamesView,
    tier: LabelView,
    skill: LabelView,
    award: LabelView,
    place: String,
    /// The publication version the certificate was issued for.
    version: i32,
    /// The publication's date in the contest's time zone.
    #[schema(format = Date, example = "2027-05-03")]
    published_on: String,
    organiser: LabelView,
    /// The contest's latest publication version.
    latest_version: i32,
    /// The version that withdrew the award, when it was withdrawn.
    withdrawn: Option<WithdrawalView>,
}

impl From<Verification> for VerificationView {
    fn from(v: Verification) -> Self {
        VerificationView {
            code: v.code,
            state: match v.state {
                Standing::Valid => "valid",
                Standing::Withdrawn => "withdrawn",
            }
            .to_string(),
            holder: v.holder,
            contest_code: v.contest_code,
            contest_name: v.contest_name.into(),
            tier: v.tier.into(),
            skill: v.skill.into(),
            award: v.award.into(),
            place: v.place,
            version: v.version,
            published_on: v.published_at,
            organiser: v.organiser.into(),
            latest_version: v.latest_version,
            withdrawn: v.withdrawn.map(|w| WithdrawalView {
                version: w.version,
                reason: w.reason,
                published_on: w.published_at,
            }),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    version: Option<i32>,
}

/// Which publication to issue certificates for.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// A publication version; the latest when absent.
    #[serde(default)]
    version: Option<i32>,
}

/// The certificates issued for a publication (`?version=N`, the latest when
/// absent), in place order: for the contest's organisers.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/certificates",
    tag = "certificates",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("version" = Option<i32>, Query, description = "A publication version; the latest when absent")
    ),
    responses(
        (status = 200, description = "The certificates issued (none before any is)", body = [CertificateView]),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let version = q.into_inner().version;
    let list = state
        .db(move |conn| certificates::issued(conn, &actor, id, version))
        .await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(CertificateView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Issues a certificate to every award holder of a publication (each member
/// of a team has their own), in place order, and answers with them all.
/// Issuing again for the same publication gives the same codes. For the
/// contest's organisers.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/certificates",
    tag = "certificates",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = Option<IssueBody>, content_type = "application/json"),
    responses(
        (status = 200, description = "The publication's certificates", body = [CertificateView]),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource, or the results are not published", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn issue(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let body = super::optional_json::<IssueBody>(&body)?;
    let list = state
        .db(move |conn| certificates::issue(conn, &actor, id, body.version))
        .await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(CertificateView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Whether the certificate with this code is genuine, for anyone: the
/// holder's name partly masked, the contest, tier, award, place and
/// publication, and `valid` or `withdrawn`. The code may be sent in either
/// case, with or without its dashes.
#[utoipa::path(
    get,
    path = "/api/v1/verify/{code}",
    tag = "certificates",
    params(
        ("code" = String, Path, description = "A certificate's verification code", example = "7K3Q-M9XD-2RTF-8WHN-C4PA")
    ),
    responses(
        (status = 200, description = "The certificate and whether it stands", body = VerificationView),
        (status = 404, description = "No certificate has this code", body = super::openapi::ErrorBody)
    ),
    security(())
)]
async fn verify(state: State, path: web::Path<String>) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let v = state
        .db(move |conn| certificates::verify(conn, &code))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(VerificationView::from(v)))
}
