//! People: competitors' records and the accounts organisers create.

use super::accounts::{check_new_password, hash_password, User};
use super::{allow, check_code, check_text};
use crate::engine::access::Actor;
use crate::engine::model::{
    encode_path, Competitor, CompetitorId, OrganisationId, UserId, UserKind,
};
use crate::error::{AppError, AppResult};
use crate::store::users::{self, NewUser};
use crate::store::{audit, competitors, organisations, write_tx, DbConnection};

/// The organiser's scope, or the refusal anyone else gets.
fn organiser_scope(actor: &Actor) -> AppResult<Vec<OrganisationId>> {
    match actor {
        Actor::Organiser { scope, .. } => Ok(scope.clone()),
        Actor::Anonymous => Err(AppError::unauthenticated("sign in first")),
        _ => Err(AppError::forbidden(crate::i18n::messages::Msg::new(
            "access_organisers_only",
        ))),
    }
}

/// The competitors of the organiser's subtree, `limit` (1 to 1000) at a time
/// after skipping `offset`.
pub fn competitors(
    conn: &mut DbConnection,
    actor: &Actor,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<Competitor>> {
    let scope = organiser_scope(actor)?;
    if !(1..=1000).contains(&limit) || offset < 0 {
        return Err(AppError::invalid(
            "limit",
            "limit must be from 1 to 1000 and offset not negative",
        ));
    }
    Ok(competitors::in_subtree(
        conn,
        &encode_path(&scope),
        limit,
        offset,
    )?)
}

/// One competitor's record, for those who may see it.
pub fn competitor(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CompetitorId,
) -> AppResult<Competitor> {
    // An unknown id and a forbidden one look alike to those who may not look.
    let Some(c) = competitors::find(conn, id)? else {
        allow(actor.is_signed_in(), actor.require_signed_in())?;
        return Err(AppError::not_found(format!(
            "competitor {id} does not exist"
        )));
    };
    let org = organisations::get(conn, c.organisation_id)?;
    allow(
        actor.is_signed_in(),
        actor.may_view_competitor(id, &org.path),
    )?;
    Ok(c)
}

/// The accounts of the organiser's subtree.
pub fn accounts(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<User>> {
    let scope = organiser_scope(actor)?;
    Ok(users::in_subtree(conn, &encode_path(&scope))?)
}

/// A new account as an organiser gives it.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub kind: UserKind,
    pub organisation_id: i64,
    pub competitor_id: Option<i64>,
}

/// A new account checked on its own and with its password hashed, ready to
/// be created by [`create_account`].
#[derive(Debug, Clone)]
pub struct CheckedAccount {
    username: String,
    display_name: String,
    password_hash: String,
    kind: UserKind,
    organisation_id: i64,
    competitor_id: Option<i64>,
}

/// Checks a new account's fields and hashes its password. Runs argon2: call
/// it off the async workers, and before taking a database connection.
pub fn check_account(input: NewAccount) -> AppResult<CheckedAccount> {
    let username = check_code("username", &input.username)?;
    let display_name = check_text("display_name", &input.display_name, 100)?;
    check_new_password(&input.password)?;
    match (input.kind, input.competitor_id) {
        (UserKind::Competitor, None) => {
            return Err(AppError::invalid(
                "competitor_id",
                "a competitor's account must name the competitor",
            ))
        }
        (UserKind::Organiser | UserKind::Judge, Some(_)) => {
            return Err(AppError::invalid(
                "competitor_id",
                "only a competitor's account names a competitor",
            ))
        }
        _ => {}
    }
    Ok(CheckedAccount {
        username,
        display_name,
        password_hash: hash_password(&input.password)?,
        kind: input.kind,
        organisation_id: input.organisation_id,
        competitor_id: input.competitor_id,
    })
}

/// Creates an account in an organisation the actor manages (for a competitor
/// the actor manages, when it is a competitor's account).
pub fn create_account(
    conn: &mut DbConnection,
    actor: &Actor,
    account: CheckedAccount,
) -> AppResult<User> {
    let CheckedAccount {
        username,
        display_name,
        password_hash,
        kind,
        organisation_id,
        competitor_id,
    } = account;
    write_tx(conn, |conn| {
        let org = organisations::find(conn, OrganisationId(organisation_id))?.ok_or_else(|| {
            AppError::invalid(
                "organisation_id",
                format!("organisation {organisation_id} does not exist"),
            )
        })?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&org.path),
        )?;
        if let Some(c) = competitor_id {
            let comp = competitors::find(conn, CompetitorId(c))?.ok_or_else(|| {
                AppError::invalid("competitor_id", format!("competitor {c} does not exist"))
            })?;
            let corg = organisations::get(conn, comp.organisation_id)?;
            allow(
                actor.is_signed_in(),
                actor.may_manage_organisation(&corg.path),
            )?;
        }
        if users::by_username(conn, &username)?.is_some() {
            return Err(AppError::conflict(format!(
                "the username '{username}' is taken"
            )));
        }
        let user = users::insert(
            conn,
            &NewUser {
                username,
                display_name,
                password_hash,
                kind,
                organisation_id: org.id,
                competitor_id: competitor_id.map(CompetitorId),
            },
        )?;
        audit::record(
            conn,
            actor.user(),
            "user.create",
            ("user", Some(user.id.0)),
            serde_json::json!({"username": user.username, "kind": user.kind}),
        )?;
        Ok(user)
    })
}

/// Disables an account the actor manages (never the actor's own).
pub fn disable_account(conn: &mut DbConnection, actor: &Actor, id: UserId) -> AppResult<()> {
    write_tx(conn, |conn| {
        let u = users::find(conn, id)?
            .ok_or_else(|| AppError::not_found(format!("account {id} does not exist")))?;
        let org = organisations::get(conn, u.organisation_id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&org.path),
        )?;
        if actor.user() == Some(id) {
            return Err(AppError::conflict("you cannot disable your own account"));
        }
        users::set_disabled(conn, id, true)?;
        audit::record(
            conn,
            actor.user(),
            "user.disable",
            ("user", Some(id.0)),
            serde_json::json!({}),
        )?;
        Ok(())
    })
}
