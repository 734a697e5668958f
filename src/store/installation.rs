//! Facts about this installation kept in its database, such as the fingerprint of
//! the key in use, so that a server started with another key is stopped.

use super::schema::installation;
use super::DbConnection;
use diesel::prelude::*;

pub const KEY_FINGERPRINT: &str = "key_fingerprint";

pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    installation::table
        .find(key)
        .select(installation::value)
        .first(conn)
        .optional()
}

pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<()> {
    diesel::delete(installation::table.find(key)).execute(conn)?;
    diesel::insert_into(installation::table)
        .values((installation::key.eq(key), installation::value.eq(value)))
        .execute(conn)?;
    Ok(())
}
