//! Accounts and the tokens that sign them in: sessions (behind a signed cookie),
//! API bearer tokens, and judges' private links. Only hashes of tokens are stored.

use super::schema::{auth_tokens, users};
use super::{allocate_id, corrupt, now, DbConnection, IdTable};
use crate::engine::model::{CompetitorId, ContestId, OrganisationId, UserId, UserKind, Vocabulary};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub kind: UserKind,
    pub organisation_id: OrganisationId,
    pub competitor_id: Option<CompetitorId>,
    pub disabled: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    password_hash: String,
    kind: String,
    organisation_id: i64,
    competitor_id: Option<i64>,
    disabled: bool,
}

impl TryFrom<UserRow> for User {
    type Error = diesel::result::Error;
    fn try_from(r: UserRow) -> QueryResult<Self> {
        Ok(User {
            id: UserId(r.id),
            kind: UserKind::parse(&r.kind).map_err(corrupt)?,
            username: r.username,
            display_name: r.display_name,
            password_hash: r.password_hash,
            organisation_id: OrganisationId(r.organisation_id),
            competitor_id: r.competitor_id.map(CompetitorId),
            disabled: r.disabled,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub kind: UserKind,
    pub organisation_id: OrganisationId,
    pub competitor_id: Option<CompetitorId>,
}

pub fn insert(conn: &mut DbConnection, u: &NewUser) -> QueryResult<User> {
    let id = allocate_id(conn, IdTable::Users)?;
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::username.eq(&u.username),
            users::display_name.eq(&u.display_name),
            users::password_hash.eq(&u.password_hash),
            users::kind.eq(u.kind.code()),
            users::organisation_id.eq(u.organisation_id.0),
            users::competitor_id.eq(u.competitor_id.map(|c| c.0)),
            users::disabled.eq(false),
            users::created_at.eq(now()),
        ))
        .execute(conn)?;
    get(conn, UserId(id))
}

pub fn get(conn: &mut DbConnection, id: UserId) -> QueryResult<User> {
    crate::on_backend!(conn, |c| users::table
        .find(id.0)
        .select(UserRow::as_select())
        .first::<UserRow>(c))?
    .try_into()
}

pub fn find(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<User>> {
    users::table
        .find(id.0)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

pub fn by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// Accounts belonging to organisations whose path starts with `path_prefix`.
pub fn in_subtree(conn: &mut DbConnection, path_prefix: &str) -> QueryResult<Vec<User>> {
    use super::schema::organisations;
    users::table
        .inner_join(organisations::table)
        .filter(organisations::path.like(format!("{path_prefix}%")))
        .order(users::username)
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

pub fn set_disabled(conn: &mut DbConnection, id: UserId, disabled: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(id.0))
        .set(users::disabled.eq(disabled))
        .execute(conn)
}

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A page session, carried in a signed cookie.
    Session,
    /// A bearer token for the JSON API.
    Api,
    /// A judge's private sign-in link.
    JudgeLink,
}

impl TokenKind {
    fn code(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
            TokenKind::JudgeLink => "judge_link",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = auth_tokens)]
pub struct TokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    #[serde(skip)]
    pub token_hash: String,
    pub contest_id: Option<i64>,
    pub created_by: Option<i64>,
    /// The judge's link a session was opened with.
    pub issued_from: Option<i64>,
    #[serde(with = "crate::io::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::io::utc")]
    pub expires_at: NaiveDateTime,
    #[serde(with = "crate::io::utc::option")]
    pub revoked_at: Option<NaiveDateTime>,
}

pub struct NewToken<'a> {
    pub user: UserId,
    pub kind: TokenKind,
    pub token_hash: &'a str,
    pub contest: Option<ContestId>,
    pub created_by: Option<UserId>,
    pub issued_from: Option<i64>,
    pub expires_at: NaiveDateTime,
}

pub fn insert_token(conn: &mut DbConnection, t: &NewToken<'_>) -> QueryResult<i64> {
    let id = allocate_id(conn, IdTable::AuthTokens)?;
    diesel::insert_into(auth_tokens::table)
        .values((
            auth_tokens::id.eq(id),
            auth_tokens::user_id.eq(t.user.0),
            auth_tokens::kind.eq(t.kind.code()),
            auth_tokens::token_hash.eq(t.token_hash),
            auth_tokens::contest_id.eq(t.contest.map(|c| c.0)),
            auth_tokens::created_by.eq(t.created_by.map(|u| u.0)),
            auth_tokens::issued_from.eq(t.issued_from),
            auth_tokens::created_at.eq(now()),
            auth_tokens::expires_at.eq(t.expires_at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A live (unrevoked, unexpired) token of the given kinds, by hash.
pub fn live_token(
    conn: &mut DbConnection,
    token_hash: &str,
    kinds: &[TokenKind],
) -> QueryResult<Option<TokenRecord>> {
    // A fixed query (no IN list), so that its prepared statement is reused.
    let at = now();
    let found: Option<TokenRecord> = crate::on_backend!(conn, |c| auth_tokens::table
        .filter(auth_tokens::token_hash.eq(token_hash))
        .filter(auth_tokens::revoked_at.is_null())
        .filter(auth_tokens::expires_at.gt(at))
        .select(TokenRecord::as_select())
        .first(c)
        .optional())?;
    Ok(found.filter(|t| kinds.iter().any(|k| k.code() == t.kind)))
}

pub fn token(conn: &mut DbConnection, id: i64) -> QueryResult<Option<TokenRecord>> {
    auth_tokens::table
        .find(id)
        .select(TokenRecord::as_select())
        .first(conn)
        .optional()
}

pub fn revoke_token(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(
        auth_tokens::table
            .find(id)
            .filter(auth_tokens::revoked_at.is_null()),
    )
    .set(auth_tokens::revoked_at.eq(now()))
    .execute(conn)
}

pub fn judge_links_of_contest(
    conn: &mut DbConnection,
    contest: ContestId,
) -> QueryResult<Vec<TokenRecord>> {
    auth_tokens::table
        .filter(auth_tokens::contest_id.eq(contest.0))
        .filter(auth_tokens::kind.eq(TokenKind::JudgeLink.code()))
        .order(auth_tokens::id)
        .select(TokenRecord::as_select())
        .load(conn)
}

/// Revokes every token opened with the judge's link `link` (its page
/// sessions and API tokens) that is still unrevoked; returns how many.
pub fn revoke_issued_from(conn: &mut DbConnection, link: i64) -> QueryResult<usize> {
    diesel::update(
        auth_tokens::table
            .filter(auth_tokens::issued_from.eq(link))
            .filter(auth_tokens::revoked_at.is_null()),
    )
    .set(auth_tokens::revoked_at.eq(now()))
    .execute(conn)
}
