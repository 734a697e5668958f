//! Several servers behind one address: `jiangxin serve` processes on
//! loopback ports sharing one PostgreSQL, and Debian's nginx in front of
//! them, configured by the example `docs/nginx.conf` itself with its
//! servers and address replaced. Used by `bench marks-http --servers N`
//! and by the tests of several servers.

use super::Scratch;
use anyhow::{anyhow, Context as _};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The example configuration the deployment guide shows.
pub const EXAMPLE: &str = include_str!("../../docs/nginx.conf");

/// A free loopback port (bound and released; taken by the caller at once).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Waits until something accepts connections on the port, or `child` exits.
fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            let mut text = String::new();
            if let Ok(mut f) = std::fs::File::open(log) {
                let _ = f.read_to_string(&mut text);
            }
            return Err(anyhow!("{what} stopped ({status}): {}", text.trim()));
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(anyhow!("{what} did not answer on port {port} within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The example's `http`-block text with its upstream servers replaced by
/// `servers` (loopback ports) and its address by `127.0.0.1:port`.
pub fn site(port: u16, servers: &[u16]) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut in_upstream = false;
    let mut replaced = (false, false);
    for line in EXAMPLE.lines() {
        let code = line.trim();
        if code.starts_with("upstream ") {
            in_upstream = true;
        } else if in_upstream && code == "}" {
            in_upstream = false;
        }
        if in_upstream && code.starts_with("server ") {
            if !replaced.0 {
                let options = code
                    .trim_end_matches(';')
                    .split_whitespace()
                    .skip(2)
                    .collect::<Vec<_>>()
                    .join(" ");
                for s in servers {
                    out.push_str(&format!("    server 127.0.0.1:{s} {options};\n"));
                }
                replaced.0 = true;
            }
            continue;
        }
        if code.starts_with("listen ") {
            out.push_str(&format!("    listen 127.0.0.1:{port};\n"));
            replaced.1 = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if replaced != (true, true) {
        return Err(anyhow!(
            "docs/nginx.conf has no upstream servers or no listen line to replace"
        ));
    }
    Ok(out)
}

/// The nginx binary: on the path, or where Debian puts it.
pub fn nginx_binary() -> anyhow::Result<PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("nginx"));
    for c in candidates {
        if c.is_file() {
            return Ok(c);
        }
    }
    Err(anyhow!(
        "nginx was not found (on the path or in /usr/sbin); install it (Debian, Ubuntu: \
         apt-get install nginx) and run it again"
    ))
}

/// nginx in the foreground, in a scratch directory of its own, in front of
/// the given servers; stopped when dropped.
pub struct Nginx {
    child: Child,
    /// Where it answers, on 127.0.0.1.
    pub port: u16,
    _dir: Scratch,
}

impl Nginx {
    pub fn start(servers: &[u16]) -> anyhow::Result<Nginx> {
        let binary = nginx_binary()?;
        let dir = Scratch::new("nginx")?;
        let port = free_port()?;
        let root = &dir.0;
        // The workers may run as another user than the master (as root,
        // nginx's default user): the directories they write are open to them.
        for sub in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            let path = root.join(sub);
            std::fs::create_dir_all(&path)?;
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o777))?;
        }
        std::fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        let site_file = root.join("jiangxin.conf");
        std::fs::write(&site_file, site(port, servers)?)?;
        let r = root.display();
        let main = format!(
            "worker_processes 1;\npid {r}/nginx.pid;\nerror_log {r}/error.log warn;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {r}/client_body;\n  \
             proxy_temp_path {r}/proxy;\n  fastcgi_temp_path {r}/fastcgi;\n  \
             uwsgi_temp_path {r}/uwsgi;\n  scgi_temp_path {r}/scgi;\n  \
             include {};\n}}\n",
            site_file.display()
        );
        let conf = root.join("nginx.conf");
        std::fs::write(&conf, main)?;
        let log = root.join("error.log");
        let mut child = Command::new(&binary)
            .arg("-p")
            .arg(root)
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(&log)
            .arg("-g")
            .arg("daemon off;")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        if let Err(e) = wait_for_port(port, &mut child, "nginx", &log) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        Ok(Nginx {
            child,
            port,
            _dir: dir,
        })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `jiangxin serve` process of this binary on a loopback port, on the
/// given database with the given key, trusting the proxy on this machine;
/// stopped when dropped.
pub struct ServeProcess {
    child: Child,
    pub port: u16,
    _log: Scratch,
}

impl ServeProcess {
    pub fn start(database: &str, secret: &[u8], pool_size: u32) -> anyhow::Result<ServeProcess> {
        let binary = std::env::current_exe().context("finding this program")?;
        let port = free_port()?;
        let log_dir = Scratch::new("serve")?;
        let log = log_dir.0.join("serve.log");
        let mut child = Command::new(binary)
            .arg("serve")
            .env("JIANGXIN_DATABASE_URL", database)
            .env("JIANGXIN_SECRET", hex::encode(secret))
            .env("JIANGXIN_HOST", "127.0.0.1")
            .env("JIANGXIN_PORT", port.to_string())
            .env("JIANGXIN_POOL_SIZE", pool_size.to_string())
            .env("JIANGXIN_TRUSTED_PROXIES", "127.0.0.1")
            // Every simulated client comes from this machine's one address.
            .env("JIANGXIN_REQUESTS_PER_ADDRESS", "0")
            .env("JIANGXIN_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .context("starting jiangxin serve")?;
        if let Err(e) = wait_for_port(port, &mut child, "jiangxin serve", &log) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        Ok(ServeProcess {
            child,
            port,
            _log: log_dir,
        })
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
