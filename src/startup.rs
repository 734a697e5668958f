//! Builds the application from settings: opens the database, applies migrations,
//! checks the key, and binds the listener, so tests can start the real server on
//! port 0.

use crate::config::{DatabaseUrl, Settings};
use crate::engine::identity::IdentityHasher;
use crate::store::{self, installation, Pool};
use crate::web::{self, AppState};
use actix_web::{middleware, web as aweb, App, HttpServer};
use anyhow::Context as _;
use rand::RngCore;
use std::net::TcpListener;
use std::sync::Arc;

/// Finds the installation's key: the configured one, or for SQLite a key file kept
/// beside the database (created on first use, readable only by its owner).
pub fn load_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = &settings.secret {
        return Ok(s.clone());
    }
    let DatabaseUrl::Sqlite(db) = &settings.database else {
        anyhow::bail!("JIANGXIN_SECRET must be set for PostgreSQL");
    };
    let mut key_path = db.clone().into_os_string();
    key_path.push(".key");
    let key_path = std::path::PathBuf::from(key_path);
    if key_path.exists() {
        let text = std::fs::read_to_string(&key_path)
            .with_context(|| format!("reading the key file {}", key_path.display()))?;
        return crate::config::parse_secret(&text)
            .map_err(|p| anyhow::anyhow!("the key file {} {p}", key_path.display()));
    }
    let mut bytes = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    write_private(&key_path, &hex::encode(&bytes))
        .with_context(|| format!("writing the key file {}", key_path.display()))?;
    Ok(bytes)
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Opens the pool, applies pending migrations and checks that the key is the one the
/// database was first used with.
/// The migrations run on one connection before the pool opens the others, so that the
/// file is in its journal mode before connections are opened side by side.
pub fn prepare(settings: &Settings) -> anyhow::Result<(Pool, Arc<IdentityHasher>, Vec<u8>)> {
    let backend = settings.database.backend_name();
    let mut first = store::establish(&settings.database)
        .with_context(|| format!("opening the {backend} database"))?;
    store::run_migrations(&mut first)?;
    drop(first);
    let pool = store::build_pool(&settings.database, settings.pool_size)
        .with_context(|| format!("opening the {backend} database"))?;
    let secret = load_secret(settings)?;
    let hasher = IdentityHasher::new(&secret);
    let mut conn = pool.get().context("connecting to the database")?;
    let fingerprint = hasher.fingerprint();
    match installation::get(&mut conn, installation::KEY_FINGERPRINT)? {
        Some(f) if f == fingerprint => {}
        Some(_) => anyhow::bail!(
            "JIANGXIN_SECRET does not match the key this database was first used with; identity numbers would not be recognised"
        ),
        None => installation::set(&mut conn, installation::KEY_FINGERPRINT, &fingerprint)?,
    }
    Ok((pool, Arc::new(hasher), secret))
}

/// Open files kept for the database, its journal, the log and the
/// listeners, beside the connections.
const FILES_RESERVED: u64 = 64;

/// The process's soft and hard limits on open files, where there are such.
// `rlim_t` is not `u64` on every system.
#[allow(clippy::unnecessary_cast)]
pub fn open_file_limits() -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes only into the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
            return Some((lim.rlim_cur as u64, lim.rlim_max as u64));
        }
    }
    None
}

/// Raises the soft limit on open files to the hard limit, so that many
/// connections at once do not exhaust it, and logs both. Returns the soft
/// limit in force afterwards.
#[allow(clippy::unnecessary_cast)]
pub fn raise_open_file_limit() -> Option<u64> {
    let (soft, hard) = open_file_limits()?;
    #[cfg(unix)]
    if soft < hard {
        // Some systems report no hard limit but refuse more than this.
        let wanted = hard.min(1 << 20);
        let lim = libc::rlimit {
            rlim_cur: wanted as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: setrlimit only reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } == 0 {
            tracing::info!(from = soft, to = wanted, hard, "raised the open-file limit");
            return Some(wanted);
        }
        tracing::warn!(
            soft,
            hard,
            error = %std::io::Error::last_os_error(),
            "could not raise the open-file limit"
        );
        return Some(soft);
    }
    tracing::info!(soft, hard, "open-file limit");
    Some(soft)
}

/// How long a stopping server waits for the requests in flight.
pub const SHUTDOWN_SECONDS: u64 = 30;

pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
}

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((settings.host, settings.port))
            .with_context(|| format!("binding {}:{}", settings.host, settings.port))?;
        Self::with_listener(settings, listener)
    }

    pub fn with_listener(settings: Settings, listener: TcpListener) -> anyhow::Result<Self> {
        let (pool, hasher, secret) = prepare(&settings)?;
        let cookie_key = actix_web::cookie::Key::derive_from(&secret);
        let schemes = Arc::new(crate::workflow::marking::Schemes::default());
        let marks = Arc::new(
            crate::workflow::marking::MarkWriter::start(pool.clone(), schemes.clone())
                .context("starting the mark writer")?,
        );
        let live = Arc::new(web::live::Hub::default());
        if let crate::config::DatabaseUrl::Postgres(url) = &settings.database {
            let tx =
                crate::store::notify::start(&live, url).context("starting the live notifier")?;
            live.set_remote(tx);
        }
        let hub = Arc::downgrade(&live);
        marks.on_commit(Box::new(move |c| {
            if let Some(h) = hub.upgrade() {
                h.changed(c);
            }
        }));
        let state = aweb::Data::new(AppState {
            schemes,
            marks,
            live,
            pool,
            hasher,
            cookie_key,
            templates: web::pages::templates()?,
            catalog: crate::i18n::Catalog::load()?,
            settings: settings.clone(),
            sign_in_limits: web::limits::SignInLimits::default(),
            publications: crate::workflow::results::PublicationCache::default(),
            shared: web::shared::SharedAnswers::default(),
        });
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let client_limits = aweb::Data::new(web::limits::ClientLimits::new(&settings));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(client_limits.clone())
                .app_data(
                    aweb::JsonConfig::default()
                        .limit(web::limits::JSON_BODY)
                        .error_handler(web::json_error),
                )
                .app_data(aweb::PathConfig::default().error_handler(web::path_error))
                .app_data(aweb::QueryConfig::default().error_handler(web::query_error))
                // A plain form, read whole or as raw bytes; the API and the
                // pages that take files or documents set their own limits.
                .app_data(aweb::FormConfig::default().limit(web::limits::PLAIN_FORM))
                .app_data(aweb::PayloadConfig::new(web::limits::PLAIN_FORM))
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("Content-Security-Policy", web::CONTENT_SECURITY_POLICY)),
                )
                .wrap(middleware::ErrorHandlers::new().handler(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    web::too_large,
                ))
                .wrap(
                    middleware::ErrorHandlers::new()
                        .default_handler(web::pages::errors::html_for_pages),
                )
                .wrap(middleware::from_fn(web::limits::pace_clients))
                .wrap(middleware::from_fn(web::trace_request))
                .configure(web::config)
        })
        .listen(listener)?
        // SIGTERM stops taking new connections and lets the requests in
        // flight finish, for up to this long.
        .shutdown_timeout(SHUTDOWN_SECONDS);
        if let Some(w) = workers {
            server = server.workers(w);
        }
        // Past this many connections a worker stops accepting (they wait in
        // the listener's queue) rather than run out of open files.
        if let Some((soft, _)) = open_file_limits() {
            let n = workers
                .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
                .unwrap_or(1) as u64;
            let spare = soft.saturating_sub(FILES_RESERVED + u64::from(settings.pool_size));
            let per_worker = (spare / n).clamp(16, 25_000);
            server = server.max_connections(per_worker as usize);
        }
        Ok(Application {
            port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The running server, for callers that need its handle to stop it.
    pub fn into_server(self) -> actix_web::dev::Server {
        self.server
    }
}

/// Several servers on one PostgreSQL database: the process's live hub hears
/// the other processes' changes through the store's LISTEN/NOTIFY threads.
impl crate::store::notify::Changes for web::live::Hub {
    fn changed_elsewhere(&self, contest: crate::engine::model::ContestId) {
        self.local(contest);
    }

    fn everything_changed(&self) {
        web::live::Hub::everything_changed(self);
    }
}
