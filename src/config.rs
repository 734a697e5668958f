//! Typed settings. Defaults are built in; every value can be overridden by a
//! `JIANGXIN_…` environment variable. Nothing is read from the working directory.

use std::net::IpAddr;
use std::path::PathBuf;

/// Which database a URL selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Chooses the backend by the URL's scheme. A `postgres://` or `postgresql://`
    /// URL selects PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a bare file path
    /// selects SQLite. Anything else with a scheme is refused, so a mistyped URL
    /// never becomes a new file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty".into());
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return PostgresUri::split(text)
                .map(|_| DatabaseUrl::Postgres(text.to_string()))
                .map_err(|e| format!("is not a valid PostgreSQL URL: {e}"));
        }
        let path = if let Some(rest) = text.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = text.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = text.split_once("://") {
            return Err(format!(
                "has the unsupported scheme '{scheme}' (use postgres://…, sqlite://PATH or a file path)"
            ));
        } else {
            text
        };
        if path.is_empty() {
            return Err("names no SQLite file".into());
        }
        if path == ":memory:" {
            return Err(
                "':memory:' is not supported: each pooled connection would be a different database"
                    .into(),
            );
        }
        let path = PathBuf::from(path);
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() && !parent.is_dir() {
                return Err(format!(
                    "names a SQLite file in '{}', which is not an existing directory",
                    parent.display()
                ));
            }
        }
        Ok(DatabaseUrl::Sqlite(path))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

/// A PostgreSQL connection URI split as libpq reads it:
/// `postgres[ql]://[user[:password]@][host[:port][,host[:port]…]][/dbname][?key=value&…]`.
/// Every part may be empty: `postgres://user@/db?host=/run/dir&port=5433` names the
/// server by its socket directory in the parameters, as libpq allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostgresUri<'a> {
    /// The scheme and the authority, up to the database name.
    pub server: &'a str,
    /// The database name, still percent-encoded; empty when not given.
    pub database: &'a str,
    /// The parameters after `?`, without it.
    pub parameters: Option<&'a str>,
}

impl<'a> PostgresUri<'a> {
    /// Splits and checks a URI; the error says which part is wrong.
    pub fn split(text: &'a str) -> Result<Self, String> {
        let rest = text
            .strip_prefix("postgresql://")
            .or_else(|| text.strip_prefix("postgres://"))
            .ok_or("does not start with postgres:// or postgresql://")?;
        let (before_query, parameters) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let (authority, database) = match before_query.split_once('/') {
            Some((a, d)) => (a, d),
            None => (before_query, ""),
        };
        let hosts = match authority.rsplit_once('@') {
            Some((user, hosts)) => {
                check_encoded(user, "the user")?;
                hosts
            }
            None => authority,
        };
        if !hosts.is_empty() {
            for host in hosts.split(',') {
                check_host(host)?;
            }
        }
        check_encoded(database, "the database name")?;
        if database.contains('/') {
            return Err(format!("the database name '{database}' contains '/'"));
        }
        if let Some(q) = parameters {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                match pair.split_once('=') {
                    Some((key, value)) if !key.is_empty() => {
                        check_encoded(key, "a parameter name")?;
                        check_encoded(value, "a parameter value")?;
                    }
                    _ => return Err(format!("the parameter '{pair}' is not key=value")),
                }
            }
        }
        let server = &text[..text.len() - rest.len() + authority.len()];
        Ok(PostgresUri {
            server,
            database,
            parameters,
        })
    }

    /// The same URI naming another database.
    pub fn with_database(&self, name: &str) -> String {
        match self.parameters {
            Some(q) => format!("{}/{name}?{q}", self.server),
            None => format!("{}/{name}", self.server),
        }
    }
}

/// One `host[:port]` of a URI's host list; a host may be an `[IPv6]` literal or a
/// percent-encoded socket directory.
fn check_host(spec: &str) -> Result<(), String> {
    let (host, port) = if let Some(inner) = spec.strip_prefix('[') {
        let (ip, after) = inner
            .split_once(']')
            .ok_or_else(|| format!("the host '{spec}' has no closing ']'"))?;
        if ip.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("the host '{spec}' is not an IPv6 address"));
        }
        match after {
            "" => (ip, None),
            p => match p.strip_prefix(':') {
                Some(port) => (ip, Some(port)),
                None => return Err(format!("the host '{spec}' has text after ']'")),
            },
        }
    } else {
        match spec.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (spec, None),
        }
    };
    check_encoded(host, "a host")?;
    if host.chars().any(|c| c.is_whitespace()) {
        return Err(format!("the host '{host}' contains a space"));
    }
    if let Some(p) = port {
        if !p.is_empty() && !matches!(p.parse::<u16>(), Ok(n) if n > 0) {
            return Err(format!("the port '{p}' is not a number from 1 to 65535"));
        }
    }
    Ok(())
}

/// Every `%` starts a two-digit hexadecimal escape.
fn check_encoded(part: &str, what: &str) -> Result<(), String> {
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                return Err(format!(
                    "{what} '{part}' has a '%' that is not a %XX escape"
                ));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseUrl,
    pub host: IpAddr,
    pub port: u16,
    /// Key for identity-number hashes and signed cookies. `None` keeps a key file
    /// beside a SQLite database; PostgreSQL deployments must set it.
    pub secret: Option<Vec<u8>>,
    pub pool_size: u32,
    /// Lifetime of sign-in sessions and API tokens, in hours.
    pub session_hours: i64,
    /// Whether cookies are marked `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    pub workers: Option<usize>,
    /// Seconds a request body may take at any speed; after them it must keep
    /// up [`Settings::body_min_rate`] on average.
    pub body_seconds: u64,
    /// Bytes a second a slow body must average once its first
    /// [`Settings::body_seconds`] are spent.
    pub body_min_rate: u64,
    /// Requests one client address may have in progress at once; 0 for no cap.
    pub requests_per_address: usize,
    /// The zone of new contests, and of the times on pages tied to no contest.
    pub time_zone: chrono_tz::Tz,
    /// The installation's public address (`https://skills.example.cn`, no
    /// trailing '/'), printed on certificates for their verification; the
    /// address a request came to when `None`.
    pub public_url: Option<String>,
    /// The reverse proxies in front of the server (`JIANGXIN_TRUSTED_PROXIES`):
    /// only from these peers are `X-Forwarded-For`, `X-Forwarded-Proto` and
    /// `X-Forwarded-Host` believed. Empty: no proxy, the headers are ignored.
    pub trusted_proxies: Vec<IpAddr>,
}

pub const DEFAULT_DATABASE: &str = "jiangxin.db";
pub const DEFAULT_PORT: u16 = 8080;
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database: DatabaseUrl::Sqlite(PathBuf::from(DEFAULT_DATABASE)),
            host: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
            secret: None,
            pool_size: 8,
            session_hours: 12,
            secure_cookies: false,
            workers: None,
            body_seconds: 30,
            body_min_rate: 1024,
            requests_per_address: 128,
            time_zone: DEFAULT_TIME_ZONE,
            public_url: None,
            trusted_proxies: Vec::new(),
        }
    }
}

/// How the log is written: `JIANGXIN_LOG` filters it (`tracing` syntax) and
/// `JIANGXIN_LOG_FORMAT` chooses lines of text or one JSON object per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSettings {
    pub filter: String,
    pub json: bool,
}

impl LogSettings {
    /// Reads the log's variables; a bad value is an error naming it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let filter = lookup("JIANGXIN_LOG").unwrap_or_else(|| "info".into());
        if let Err(e) = filter.parse::<tracing_subscriber::EnvFilter>() {
            return Err(ConfigError {
                variable: "JIANGXIN_LOG",
                problem: format!(
                    "'{filter}' is not a log filter (e.g. info or jiangxin=debug): {e}"
                ),
            });
        }
        let json = match lookup("JIANGXIN_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "JIANGXIN_LOG_FORMAT",
                    problem: format!("'{other}' is not a log format (text or json)"),
                })
            }
        };
        Ok(LogSettings { filter, json })
    }

    /// Installs the log for the process: to standard error, each request's
    /// lines carrying its span (request id, method and path). Colours are used
    /// only when standard error is a terminal, never in a file or a pipe.
    pub fn install(&self) {
        use std::io::IsTerminal as _;
        let filter = tracing_subscriber::EnvFilter::new(&self.filter);
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr);
        // A second installation (tests call this more than once) is ignored.
        let _ = if self.json {
            builder
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .try_init()
        } else {
            builder.try_init()
        };
    }
}

/// A configuration problem, naming the variable and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl Settings {
    /// Reads the environment over the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut s = Settings::default();
        let err = |variable: &'static str, problem: String| ConfigError { variable, problem };
        if let Some(v) = lookup("JIANGXIN_DATABASE_URL") {
            s.database = DatabaseUrl::parse(&v).map_err(|p| err("JIANGXIN_DATABASE_URL", p))?;
        }
        if let Some(v) = lookup("JIANGXIN_HOST") {
            s.host = v.trim().parse().map_err(|_| {
                err(
                    "JIANGXIN_HOST",
                    format!("'{v}' is not an IP address (e.g. 127.0.0.1)"),
                )
            })?;
        }
        if let Some(v) = lookup("JIANGXIN_PORT") {
            s.port = v.trim().parse().map_err(|_| {
                err(
                    "JIANGXIN_PORT",
                    format!("'{v}' is not a port number (0–65535)"),
                )
            })?;
        }
        if let Some(v) = lookup("JIANGXIN_SECRET") {
            s.secret = Some(parse_secret(&v).map_err(|p| err("JIANGXIN_SECRET", p))?);
        }
        if let Some(v) = lookup("JIANGXIN_POOL_SIZE") {
            s.pool_size = match v.trim().parse::<u32>() {
                Ok(n) if (1..=256).contains(&n) => n,
                _ => {
                    return Err(err(
                        "JIANGXIN_POOL_SIZE",
                        format!("'{v}' is not a number from 1 to 256"),
                    ))
                }
            };
        }
        if let Some(v) = lookup("JIANGXIN_SESSION_HOURS") {
            s.session_hours = match v.trim().parse::<i64>() {
                Ok(n) if (1..=24 * 90).contains(&n) => n,
                _ => {
                    return Err(err(
                        "JIANGXIN_SESSION_HOURS",
                        format!("'{v}' is not a number of hours from 1 to 2160"),
                    ))
                }
            };
        }
        if let Some(v) = lookup("JIANGXIN_SECURE_COOKIES") {
            s.secure_cookies = parse_bool(&v).map_err(|p| err("JIANGXIN_SECURE_COOKIES", p))?;
        }
        if let Some(v) = lookup("JIANGXIN_WORKERS") {
            s.workers = match v.trim().parse::<usize>() {
                Ok(n) if (1..=512).contains(&n) => Some(n),
                _ => {
                    return Err(err(
                        "JIANGXIN_WORKERS",
                        format!("'{v}' is not a number from 1 to 512"),
                    ))
                }
            };
        }
        if let Some(v) = lookup("JIANGXIN_BODY_SECONDS") {
            s.body_seconds = match v.trim().parse::<u64>() {
                Ok(n) if (1..=600).contains(&n) => n,
                _ => {
                    return Err(err(
                        "JIANGXIN_BODY_SECONDS",
                        format!("'{v}' is not a number of seconds from 1 to 600"),
                    ))
                }
            };
        }
        if let Some(v) = lookup("JIANGXIN_BODY_MIN_RATE") {
            s.body_min_rate = match v.trim().parse::<u64>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(err(
                        "JIANGXIN_BODY_MIN_RATE",
                        format!("'{v}' is not a number of bytes a second (at least 1)"),
                    ))
                }
            };
        }
        if let Some(v) = lookup("JIANGXIN_REQUESTS_PER_ADDRESS") {
            s.requests_per_address = v.trim().parse::<usize>().map_err(|_| {
                err(
                    "JIANGXIN_REQUESTS_PER_ADDRESS",
                    format!("'{v}' is not a number of requests (0 for no cap)"),
                )
            })?;
        }
        if let Some(v) = lookup("JIANGXIN_TIME_ZONE") {
            s.time_zone = parse_time_zone(&v).map_err(|p| err("JIANGXIN_TIME_ZONE", p))?;
        }
        if let Some(v) = lookup("JIANGXIN_PUBLIC_URL").filter(|v| !v.trim().is_empty()) {
            let v = v.trim().trim_end_matches('/');
            match url::Url::parse(v) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {
                    s.public_url = Some(v.to_string());
                }
                _ => {
                    return Err(err(
                        "JIANGXIN_PUBLIC_URL",
                        format!("'{v}' is not an http:// or https:// address"),
                    ))
                }
            }
        }
        if let Some(v) = lookup("JIANGXIN_TRUSTED_PROXIES") {
            s.trusted_proxies =
                parse_addresses(&v).map_err(|p| err("JIANGXIN_TRUSTED_PROXIES", p))?;
        }
        if matches!(s.database, DatabaseUrl::Postgres(_)) && s.secret.is_none() {
            return Err(err(
                "JIANGXIN_SECRET",
                "must be set when JIANGXIN_DATABASE_URL is PostgreSQL, so that every server shares one key (64 hex characters)".into(),
            ));
        }
        Ok(s)
    }
}

/// A secret is given as hex and must carry at least 256 bits.
pub fn parse_secret(text: &str) -> Result<Vec<u8>, String> {
    let bytes = hex::decode(text.trim()).map_err(|_| "is not hexadecimal".to_string())?;
    if bytes.len() < 32 {
        return Err(format!(
            "is too short: {} bytes, at least 32 (64 hex characters) are needed",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// A comma-separated list of IP addresses (`127.0.0.1, ::1`).
fn parse_addresses(text: &str) -> Result<Vec<IpAddr>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse::<IpAddr>()
                .map_err(|_| format!("'{a}' is not an IP address (a list such as 127.0.0.1, ::1)"))
        })
        .collect()
}

fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("'{other}' is not true or false")),
    }
}

/// A time zone by its IANA name (`Asia/Shanghai`, `Europe/Paris`, `UTC`).
pub fn parse_time_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    let name = text.trim();
    name.parse::<chrono_tz::Tz>().map_err(|_| {
        format!("'{name}' is not a time zone name of the IANA database (e.g. Asia/Shanghai)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@localhost/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@localhost/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert_eq!(
            DatabaseUrl::parse("sqlite://x.db"),
            Ok(DatabaseUrl::Sqlite("x.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("x.db"),
            Ok(DatabaseUrl::Sqlite("x.db".into()))
        );
    }

    #[test]
    fn postgres_uris_are_read_as_libpq_reads_them() {
        for ok in [
            "postgres://user@/db?host=/run/dir&port=5433",
            "postgresql://",
            "postgres:///db",
            "postgres://%2Fvar%2Frun%2Fpostgresql/db",
            "postgres://u:p%40ss@h1:5432,h2:5433/db?sslmode=require",
            "postgres://[::1]:5432/db",
            "postgres://localhost",
        ] {
            assert!(
                matches!(DatabaseUrl::parse(ok), Ok(DatabaseUrl::Postgres(_))),
                "{ok}"
            );
        }
        for (bad, says) in [
            ("postgres://h:port/db", "port"),
            ("postgres://h:70000/db", "70000"),
            ("postgres://h/db?sslmode", "sslmode"),
            ("postgres://h/d%zz", "%"),
            ("postgres://[::1/db", "]"),
            ("postgres://h/db/x", "'/'"),
        ] {
            let e = DatabaseUrl::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let uri = PostgresUri::split("postgres://user@/db?host=/run/dir&port=5433").unwrap();
        assert_eq!(uri.database, "db");
        assert_eq!(
            uri.with_database("other"),
            "postgres://user@/other?host=/run/dir&port=5433"
        );
        assert_eq!(
            PostgresUri::split("postgres://h:1")
                .unwrap()
                .with_database("x"),
            "postgres://h:1/x"
        );
    }

    #[test]
    fn trusted_proxies_are_a_list_of_addresses() {
        let s = settings(&[("JIANGXIN_TRUSTED_PROXIES", "127.0.0.1, ::1,")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        assert!(settings(&[]).unwrap().trusted_proxies.is_empty());
        let e = settings(&[("JIANGXIN_TRUSTED_PROXIES", "10.0.0.0/8")]).unwrap_err();
        assert_eq!(e.variable, "JIANGXIN_TRUSTED_PROXIES");
    }

    #[test]
    fn a_bad_url_is_refused_not_a_new_file() {
        assert!(DatabaseUrl::parse("postgress://u@h/db")
            .unwrap_err()
            .contains("postgress"));
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
        assert!(DatabaseUrl::parse("").is_err());
        assert!(DatabaseUrl::parse(":memory:").is_err());
        assert!(DatabaseUrl::parse("/no/such/dir/x.db")
            .unwrap_err()
            .contains("/no/such/dir"));
    }

    #[test]
    fn errors_name_the_variable() {
        let e = settings(&[("JIANGXIN_PORT", "eighty")]).unwrap_err();
        assert_eq!(e.variable, "JIANGXIN_PORT");
        assert!(e.to_string().contains("eighty"));
        let e = settings(&[("JIANGXIN_DATABASE_URL", "postgres://h/db")]).unwrap_err();
        assert_eq!(e.variable, "JIANGXIN_SECRET");
        let e = settings(&[("JIANGXIN_SECRET", "abcd")]).unwrap_err();
        assert!(e.to_string().contains("too short"));
        let ok = settings(&[
            ("JIANGXIN_PORT", "0"),
            ("JIANGXIN_SECRET", &"ab".repeat(32)),
        ])
        .unwrap();
        assert_eq!(ok.port, 0);
        assert_eq!(ok.secret.map(|s| s.len()), Some(32));
    }

    #[test]
    fn slow_client_settings_are_read_and_checked() {
        let s = settings(&[
            ("JIANGXIN_BODY_SECONDS", "3"),
            ("JIANGXIN_BODY_MIN_RATE", "10"),
            ("JIANGXIN_REQUESTS_PER_ADDRESS", "0"),
        ])
        .unwrap();
        assert_eq!(
            (s.body_seconds, s.body_min_rate, s.requests_per_address),
            (3, 10, 0)
        );
        let d = Settings::default();
        assert_eq!(
            (d.body_seconds, d.body_min_rate, d.requests_per_address),
            (30, 1024, 128)
        );
        for (var, bad) in [
            ("JIANGXIN_BODY_SECONDS", "0"),
            ("JIANGXIN_BODY_SECONDS", "601"),
            ("JIANGXIN_BODY_MIN_RATE", "0"),
            ("JIANGXIN_REQUESTS_PER_ADDRESS", "many"),
        ] {
            assert_eq!(settings(&[(var, bad)]).unwrap_err().variable, var);
        }
    }

    #[test]
    fn the_time_zone_is_read_and_checked() {
        assert_eq!(Settings::default().time_zone, chrono_tz::Asia::Shanghai);
        let s = settings(&[("JIANGXIN_TIME_ZONE", " Europe/Paris ")]).unwrap();
        assert_eq!(s.time_zone, chrono_tz::Europe::Paris);
        let e = settings(&[("JIANGXIN_TIME_ZONE", "Mars/Olympus")]).unwrap_err();
        assert_eq!(e.variable, "JIANGXIN_TIME_ZONE");
        assert!(
            e.to_string().contains("'Mars/Olympus' is not a time zone"),
            "{e}"
        );
    }
}
