//! Moving an installation from SQLite to PostgreSQL: every table copied into
//! an empty PostgreSQL database migrated to the same version, in one
//! transaction on the target, keeping ids, audit rows, publications and the
//! installation key's fingerprint; each sequence set past the largest id;
//! and every table's row count and checksum compared on both sides before
//! the transaction commits.
//!
//! Rows travel as JSON: SQLite writes each chunk of a table with
//! `json_object` (binary columns as `\x` hex), and PostgreSQL reads it with
//! `json_populate_recordset` into the table's own row type, so every value
//! is read by PostgreSQL's input function for its column's type. The
//! checksum is a SHA-256 over the rows in key order, each value put in one
//! canonical form first (times to the microsecond, booleans as true/false,
//! bytes as lower-case hex), so that both sides can be compared.

use super::DbConnection;
use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Rows read and written at a time.
pub const CHUNK: usize = 5_000;

/// Tables the migrations fill with reference rows; a target that has only
/// those rows counts as empty, and they are replaced by the source's.
const SEEDED: &[&str] = &["tiers"];

/// What was copied of one table, and how both sides compare.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableReport {
    pub table: String,
    pub rows: i64,
    /// The checksum on the source; equal on the target.
    pub checksum: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub migration: String,
    pub tables: Vec<TableReport>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Pair {
    #[diesel(sql_type = Text)]
    a: String,
    #[diesel(sql_type = Text)]
    b: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Json {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    rows: Option<String>,
}

/// A column of a table, with the kind of value it holds.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Boolean,
    Timestamp,
    Bytes,
    Other,
}

fn migrations(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let rows: Vec<Name> = diesel::sql_query(
        "SELECT version AS name FROM __diesel_schema_migrations ORDER BY version",
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// The target's tables in an order where each comes after those it refers to.
fn tables_in_order(to: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let names: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         AND table_name <> '__diesel_schema_migrations' ORDER BY table_name",
    )
    .load(to)?;
    let refs: Vec<Pair> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS a, c.confrelid::regclass::text AS b \
         FROM pg_constraint c WHERE c.contype = 'f' \
         AND c.connamespace = 'public'::regnamespace",
    )
    .load(to)?;
    let mut needs: BTreeMap<String, BTreeSet<String>> = names
        .into_iter()
        .map(|n| (n.name, BTreeSet::new()))
        .collect();
    for r in refs {
        if r.a != r.b {
            needs.entry(r.a).or_default().insert(r.b);
        }
    }
    let mut order = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<String> = needs
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| !needs.contains_key(d)))
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            anyhow::bail!(
                "the tables refer to each other in a cycle: {}",
                needs.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        for t in ready {
            needs.remove(&t);
            order.push(t);
        }
    }
    Ok(order)
}

fn columns(to: &mut DbConnection, table: &str) -> anyhow::Result<Vec<Column>> {
    let rows: Vec<Pair> = diesel::sql_query(
        "SELECT column_name::text AS a, data_type::text AS b FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind::<Text, _>(table)
    .load(to)?;
    Ok(rows
        .into_iter()
        .map(|r| Column {
            kind: match r.b.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Integer,
                "boolean" => Kind::Boolean,
                "timestamp without time zone" => Kind::Timestamp,
                "bytea" => Kind::Bytes,
                _ => Kind::Other,
            },
            name: r.a,
        })
        .collect())
}

/// The columns a table's rows are ordered by: its primary key.
fn key(to: &mut DbConnection, table: &str) -> anyhow::Result<Vec<String>> {
    let rows: Vec<Name> = diesel::sql_query(
        "SELECT a.attname::text AS name FROM pg_index i \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
         WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
    )
    .bind::<Text, _>(table)
    .load(to)?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn count(conn: &mut DbConnection, table: &str) -> anyhow::Result<i64> {
    let c: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quoted(table)))
        .get_result(conn)?;
    Ok(c.n)
}

/// Where the next chunk of a table starts.
#[derive(Clone, Copy)]
enum Page {
    /// After the row with this integer key (a table keyed by one integer
    /// column, `id`: the index finds it at once, however far in).
    After(Option<i64>),
    /// After this many rows (a table with another key).
    Offset(usize),
}

impl Page {
    fn first(cols: &[Column], key: &[String]) -> Page {
        match key {
            [k] if cols.iter().any(|c| &c.name == k && c.kind == Kind::Integer) => {
                Page::After(None)
            }
            _ => Page::Offset(0),
        }
    }

    /// The page after `rows`, the chunk just read.
    fn next(self, key: &[String], rows: &[serde_json::Map<String, serde_json::Value>]) -> Page {
        match self {
            Page::After(last) => Page::After(
                rows.last()
                    .and_then(|r| key.first().and_then(|k| r.get(k)))
                    .and_then(serde_json::Value::as_i64)
                    .or(last),
            ),
            Page::Offset(n) => Page::Offset(n + rows.len()),
        }
    }

    fn sql(self, key: &[String]) -> (String, String) {
        match (self, key.first()) {
            (Page::After(Some(last)), Some(k)) => {
                (format!("WHERE {} > {last}", quoted(k)), String::new())
            }
            (Page::Offset(n), _) => (String::new(), format!(" OFFSET {n}")),
            _ => (String::new(), String::new()),
        }
    }
}

/// One chunk of a table as a JSON array of objects, in key order.
fn chunk(
    conn: &mut DbConnection,
    table: &str,
    cols: &[Column],
    key: &[String],
    page: Page,
) -> anyhow::Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let (filter, offset) = page.sql(key);
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    // Text sorts by its bytes on both sides, as SQLite does.
    let order = key
        .iter()
        .map(|k| {
            let text = cols.iter().any(|c| &c.name == k && c.kind == Kind::Other);
            if text && !sqlite {
                format!("{} COLLATE \"C\"", quoted(k))
            } else {
                quoted(k)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = if sqlite {
        let fields = cols
            .iter()
            .map(|c| {
                let v = if c.kind == Kind::Bytes {
                    format!("'\\x' || lower(hex({}))", quoted(&c.name))
                } else {
                    quoted(&c.name)
                };
                format!("'{}', {v}", c.name)
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "SELECT json_group_array(json(r)) AS rows FROM (SELECT json_object({fields}) AS r \
             FROM {} {filter} ORDER BY {order} LIMIT {CHUNK}{offset})",
            quoted(table)
        )
    } else {
        format!(
            "SELECT json_agg(to_json(t))::text AS rows FROM (SELECT * FROM {} {filter} \
             ORDER BY {order} LIMIT {CHUNK}{offset}) t",
            quoted(table)
        )
    };
    let j: Json = diesel::sql_query(sql).get_result(conn)?;
    let rows: Vec<serde_json::Value> = match j.rows {
        Some(text) => serde_json::from_str(&text)?,
        None => Vec::new(),
    };
    Ok(rows
        .into_iter()
        .filter_map(|v| match v {
            serde_json::Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

/// A value in the one form both sides are compared in.
fn canonical(kind: Kind, v: &serde_json::Value) -> String {
    use serde_json::Value;
    match (kind, v) {
        (_, Value::Null) => "∅".to_string(),
        (Kind::Boolean, Value::Bool(b)) => b.to_string(),
        (Kind::Boolean, Value::Number(n)) => (n.as_i64() == Some(1)).to_string(),
        (Kind::Timestamp, Value::String(s)) => {
            let t = s.replace('T', " ");
            match NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f") {
                Ok(t) => t.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                Err(_) => s.clone(),
            }
        }
        (Kind::Bytes, Value::String(s)) => s.to_lowercase(),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// The rows and checksum of a table on one side, reading it chunk by chunk.
fn checksum(
    conn: &mut DbConnection,
    table: &str,
    cols: &[Column],
    key: &[String],
) -> anyhow::Result<(i64, String)> {
    let mut h = Sha256::new();
    let mut rows = 0i64;
    let mut page = Page::first(cols, key);
    loop {
        let chunk = chunk(conn, table, cols, key, page)?;
        if chunk.is_empty() {
            break;
        }
        page = page.next(key, &chunk);
        for r in &chunk {
            for c in cols {
                let v = r.get(&c.name).unwrap_or(&serde_json::Value::Null);
                h.update(canonical(c.kind, v).as_bytes());
                h.update([0x1f]);
            }
            h.update([0x1e]);
            rows += 1;
        }
    }
    Ok((rows, hex::encode(h.finalize())))
}

/// Copies the SQLite database `from` into the PostgreSQL database `to`, which
/// must be migrated to the same version and hold no rows of its own. The
/// target's transaction commits only when every table has the same rows and
/// checksum on both sides.
pub fn move_to(from: &mut DbConnection, to: &mut DbConnection) -> anyhow::Result<Report> {
    if !matches!(from, DbConnection::Sqlite(_)) {
        anyhow::bail!("the installation to move is not on SQLite");
    }
    if !matches!(to, DbConnection::Pg(_)) {
        anyhow::bail!("the target is not a PostgreSQL database (postgres://…)");
    }
    let source = migrations(from)?;
    let target = migrations(to).map_err(|_| {
        anyhow::anyhow!(
            "the target has no migrations: run `JIANGXIN_DATABASE_URL=postgres://… jiangxin migrate` on it first"
        )
    })?;
    if source != target {
        anyhow::bail!(
            "the target is migrated to {} and the installation to {}: migrate both to the same version first (`jiangxin migrate`)",
            target.last().map_or("nothing", String::as_str),
            source.last().map_or("nothing", String::as_str)
        );
    }
    let migration = source.last().cloned().unwrap_or_default();
    let order = tables_in_order(to)?;
    for t in &order {
        if !SEEDED.contains(&t.as_str()) && count(to, t)? > 0 {
            anyhow::bail!("the target is not empty: table {t} has rows; moving never merges two installations");
        }
    }
    to.transaction::<_, anyhow::Error, _>(|to| {
        for t in SEEDED {
            diesel::sql_query(format!("DELETE FROM {}", quoted(t))).execute(to)?;
        }
        let mut tables = Vec::new();
        for t in &order {
            let cols = columns(to, t)?;
            let key = key(to, t)?;
            if key.is_empty() {
                anyhow::bail!("table {t} has no primary key to copy it in order");
            }
            let mut page = Page::first(&cols, &key);
            loop {
                let rows = chunk(from, t, &cols, &key, page)?;
                if rows.is_empty() {
                    break;
                }
                page = page.next(&key, &rows);
                let body = serde_json::to_string(&rows)?;
                diesel::sql_query(format!(
                    "INSERT INTO {0} SELECT * FROM json_populate_recordset(NULL::{0}, $1::json)",
                    quoted(t)
                ))
                .bind::<Text, _>(body)
                .execute(to)?;
            }
            if cols.iter().any(|c| c.name == "id") {
                let seq: Vec<Name> = diesel::sql_query(
                    "SELECT sequence_name::text AS name FROM information_schema.sequences \
                     WHERE sequence_schema = 'public' AND sequence_name = $1",
                )
                .bind::<Text, _>(format!("{t}_id_seq"))
                .load(to)?;
                if !seq.is_empty() {
                    diesel::sql_query(format!(
                        "SELECT setval('{t}_id_seq', (SELECT COALESCE(MAX(id), 0) + 1 FROM {}), false)::text AS name",
                        quoted(t)
                    ))
                    .execute(to)?;
                }
            }
            let (rows, sum) = checksum(from, t, &cols, &key)?;
            let (copied, copied_sum) = checksum(to, t, &cols, &key)?;
            if (rows, &sum) != (copied, &copied_sum) {
                anyhow::bail!(
                    "table {t} differs after copying: {rows} rows ({}) read, {copied} rows ({}) written; nothing was moved",
                    &sum[..12],
                    &copied_sum[..12]
                );
            }
            tables.push(TableReport {
                table: t.clone(),
                rows,
                checksum: sum,
            });
        }
        Ok(Report { migration, tables })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_sides_say_a_value_the_same_way() {
        for (kind, sqlite, postgres) in [
            (
                Kind::Timestamp,
                json!("2026-12-04 17:52:49.464670"),
                json!("2026-12-04T17:52:49.46467"),
            ),
            (
                Kind::Timestamp,
                json!("2026-12-04 17:52:49"),
                json!("2026-12-04T17:52:49"),
            ),
            (Kind::Boolean, json!(1), json!(true)),
            (Kind::Boolean, json!(0), json!(false)),
            (Kind::Bytes, json!("\\x00ff"), json!("\\x00FF")),
            (Kind::Integer, json!(42), json!(42)),
            (Kind::Other, json!("9.50"), json!("9.50")),
            (Kind::Other, json!(null), json!(null)),
        ] {
            assert_eq!(
                canonical(kind, &sqlite),
                canonical(kind, &postgres),
                "{kind:?}"
            );
        }
        assert_ne!(
            canonical(Kind::Other, &json!("9.5")),
            canonical(Kind::Other, &json!("9.50")),
            "decimals are compared as written"
        );
        assert_ne!(
            canonical(Kind::Timestamp, &json!("2026-12-04 17:52:49.000001")),
            canonical(Kind::Timestamp, &json!("2026-12-04 17:52:49")),
        );
        assert_ne!(
            canonical(Kind::Other, &json!(null)),
            canonical(Kind::Other, &json!(""))
        );
    }
}
