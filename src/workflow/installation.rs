//! The installation itself: whether its database is ready to serve.

use crate::error::{AppError, AppResult, ErrorKind};
use crate::store::DbConnection;

/// Whether the database answers and every migration this server knows has
/// been applied; a database that cannot be read is unavailable.
pub fn migrations_current(conn: &mut DbConnection) -> AppResult<bool> {
    crate::store::migrations_current(conn)
        .map_err(|e| AppError::new(ErrorKind::Unavailable, "not_ready", e.to_string()))
}
