//! Scheme versions: reading and checking a scheme file, storing a new
//! version, and the cache of checked, flattened schemes.

use crate::engine::model::{ContestId, UserId};
use crate::engine::scheme::{check_scheme, parse_scheme, Scheme, SchemeError};
use crate::engine::scoring::Layout;
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::marking as store;
use crate::store::DbConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Reads and checks a scheme file; errors name the line and the field.
pub fn read_scheme(text: &str) -> AppResult<Scheme> {
    let scheme = parse_scheme(text).map_err(scheme_error)?;
    check_scheme(&scheme).map_err(|errs| {
        AppError::new(
            ErrorKind::Invalid,
            "invalid_scheme",
            crate::msg!("scheme_problems", count = errs.len()),
        )
        .with_details(errs.into_iter().map(problem_detail).collect())
    })?;
    Ok(scheme)
}

/// A problem of a scheme as a detail: its path as the field; a problem
/// that names its aspect in its words has no field.
fn problem_detail(problem: Msg) -> ErrorDetail {
    match problem.place() {
        Some((path, what)) => ErrorDetail::field(path, what.clone()),
        None => ErrorDetail {
            row: None,
            column: None,
            field: None,
            message: problem,
        },
    }
}

fn scheme_error(e: SchemeError) -> AppError {
    document_error("invalid_scheme", "scheme", e)
}

/// A TOML document (scheme or policy) that could not be read: the message
/// and the detail name the line and the field.
pub(crate) fn document_error(code: &'static str, what: &str, e: SchemeError) -> AppError {
    let mut detail = ErrorDetail::field(
        if e.path.is_empty() { what } else { &e.path },
        e.message.clone(),
    );
    if e.line > 0 {
        detail.row = Some(e.line);
    }
    let message = if e.line > 0 {
        let path = if e.path.is_empty() {
            String::new()
        } else {
            format!(" ({})", e.path)
        };
        crate::msg!("scheme_at", line = e.line, column = e.column, path = path)
            .part("what", e.message.clone())
    } else {
        e.message.clone()
    };
    AppError::new(ErrorKind::Invalid, code, message).with_details(vec![detail])
}

/// Checked, flattened schemes by contest and version. A stored version
/// never changes, so entries never go stale.
#[derive(Default)]
pub struct Schemes {
    cache: Mutex<HashMap<(i64, i32), Arc<Layout>>>,
}

impl Schemes {
    /// The latest version of a contest's scheme, if it has one.
    pub fn current(
        &self,
        conn: &mut DbConnection,
        contest: ContestId,
    ) -> AppResult<Option<(i32, Arc<Layout>)>> {
        let version = store::current_version(conn, contest)?;
        if version == 0 {
            return Ok(None);
        }
        self.version(conn, contest, version)
            .map(|l| Some((version, l)))
    }

    pub fn version(
        &self,
        conn: &mut DbConnection,
        contest: ContestId,
        version: i32,
    ) -> AppResult<Arc<Layout>> {
        if let Some(l) = self.lock().get(&(contest.0, version)) {
            return Ok(l.clone());
        }
        let stored = store::scheme_version(conn, contest, version)?.ok_or_else(|| {
            AppError::not_found(format!("contest {contest} has no scheme version {version}"))
        })?;
        let scheme = read_scheme(&stored.body)
            .map_err(|e| AppError::internal(format!("stored scheme does not read: {e}")))?;
        let layout = Arc::new(
            Layout::new(scheme)
                .map_err(|e| AppError::internal(format!("stored scheme does not check: {e:?}")))?,
        );
        self.lock().insert((contest.0, version), layout.clone());
        Ok(layout)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, i32), Arc<Layout>>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Stores a new version of a contest's scheme. Before the first mark any
/// change is a new version; afterwards a change needs a reason.
pub fn put_scheme(
    conn: &mut DbConnection,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<i32> {
    let mut scheme = read_scheme(text)?;
    if let Some((_, policy)) = crate::workflow::results::current_policy(conn, contest)? {
        policy
            .check_scheme(&scheme)
            .map_err(crate::workflow::results::module_ratio_refused)?;
    }
    if store::contest_has_marks(conn, contest)? && reason.is_none() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "scheme_frozen",
            "the scheme is frozen: marks have been recorded; \
             a new version needs a reason",
        ));
    }
    let version = store::current_version(conn, contest)? + 1;
    scheme.version = u32::try_from(version).unwrap_or(u32::MAX);
    // Stored as written by the engine, so that the stored text and the
    // version number always agree.
    let body = toml::to_string(&scheme)
        .map_err(|e| AppError::internal(format!("cannot write the scheme: {e}")))?;
    let stored = store::insert_scheme(conn, contest, &body, reason, by)?;
    Ok(stored)
}

/// Stores a scheme as the contest's next version and audits it, in one
/// transaction: the one way the API and the pages change a scheme.
pub fn store_scheme(
    conn: &mut DbConnection,
    contest: ContestId,
    text: &str,
    reason: Option<&str>,
    by: Option<UserId>,
) -> AppResult<i32> {
    crate::store::write_tx(conn, |conn| {
        let version = put_scheme(conn, contest, text, reason, by)?;
        crate::store::audit::record(
            conn,
            by,
            "contest.scheme.put",
            ("contest", Some(contest.0)),
            serde_json::json!({"version": version, "reason": reason}),
        )?;
        Ok(version)
    })
}
