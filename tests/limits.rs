//! What clients may send: a body that comes too slowly is cut off, one
//! address may have only so many requests in progress, a crowd of trickling
//! connections does not stop the server answering others, the open-file
//! limit is raised at start, and plain forms have the documented size.

mod common;
use common::{Backend, TestDb, TestServer, SECRET};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::time::{Duration, Instant};

/// A TCP connection to `127.0.0.1:port` from the local address `from`.
fn connect_from(from: Ipv4Addr, port: u16) -> std::io::Result<TcpStream> {
    use std::os::fd::FromRawFd;
    fn sockaddr(ip: Ipv4Addr, port: u16) -> libc::sockaddr_in {
        // SAFETY: sockaddr_in is plain data; all zeroes is a valid value.
        let mut a: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        a.sin_family = libc::AF_INET as libc::sa_family_t;
        a.sin_port = port.to_be();
        a.sin_addr = libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        };
        a
    }
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: plain socket calls on a descriptor owned here; it is closed on
    // error and otherwise handed to the TcpStream, which closes it.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let local = sockaddr(from, 0);
        let remote = sockaddr(Ipv4Addr::LOCALHOST, port);
        if libc::bind(fd, &local as *const _ as *const libc::sockaddr, len) != 0
            || libc::connect(fd, &remote as *const _ as *const libc::sockaddr, len) != 0
        {
            let e = std::io::Error::last_os_error();
            libc::close(fd);
            return Err(e);
        }
        Ok(TcpStream::from_raw_fd(fd))
    }
}

/// The head of a request whose body of `length` bytes is still to come.
fn head(path: &str, content_type: &str, length: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
    )
}

/// Everything the server sends until it closes the connection, or `None`
/// when it is still open after `wait`.
fn read_until_closed(conn: &mut TcpStream, wait: Duration) -> Option<String> {
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let until = Instant::now() + wait;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < until {
        match conn.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some(String::from_utf8_lossy(&got).into_owned()),
        }
    }
    None
}

/// The JSON body of a raw HTTP answer.
fn json_of(answer: &str) -> Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or(Value::Null)
}

struct Server {
    child: std::process::Child,
    port: u16,
    log: std::path::PathBuf,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `jiangxin serve` started by `sh` after `limits` (a `ulimit` command,
    /// or nothing), with more variables; waits until `/healthz` answers.
    fn start(limits: &str, env: &[(&str, &str)]) -> Server {
        let db = TestDb::new(Backend::Sqlite);
        let url = match &db.url {
            jiangxin::config::DatabaseUrl::Sqlite(p) => p.to_string_lossy().into_owned(),
            jiangxin::config::DatabaseUrl::Postgres(u) => u.clone(),
        };
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{limits}\nexec \"$0\" serve"))
            .arg(env!("CARGO_BIN_EXE_jiangxin"))
            .env("JIANGXIN_DATABASE_URL", url)
            .env("JIANGXIN_SECRET", SECRET)
            .env("JIANGXIN_HOST", "127.0.0.1")
            .env("JIANGXIN_PORT", port.to_string())
            .env("JIANGXIN_POOL_SIZE", "4")
            .env("JIANGXIN_WORKERS", "2")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let s = Server {
            child,
            port,
            log,
            _db: db,
            _dir: dir,
        };
        let started = Instant::now();
        while s.healthz(Duration::from_secs(2)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start: {}",
                std::fs::read_to_string(&s.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        s
    }

    fn healthz(&self, timeout: Duration) -> Result<(), String> {
        let c = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        match c
            .get(format!("http://127.0.0.1:{}/healthz", self.port))
            .send()
        {
            Ok(r) if r.status() == 200 => Ok(()),
            Ok(r) => Err(format!("status {}", r.status())),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The server process's open-file limits, as Linux reports them.
    fn open_files(&self) -> Option<(u64, u64)> {
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", self.child.id())).ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        let mut n = line["Max open files".len()..].split_whitespace();
        Some((n.next()?.parse().ok()?, n.next()?.parse().ok()?))
    }
}

/// A body that stops coming gets `408` in the error shape and its
/// connection is closed; an address over its share of requests in progress
/// gets `429` at once, and is closed too.
#[test]
fn slow_bodies_time_out_and_addresses_get_a_share() {
    let s = Server::start(
        "",
        &[
            ("JIANGXIN_BODY_SECONDS", "2"),
            ("JIANGXIN_REQUESTS_PER_ADDRESS", "2"),
        ],
    );
    let from = Ipv4Addr::new(127, 0, 0, 2);
    let mut slow: Vec<TcpStream> = Vec::new();
    for path in ["/api/v1/auth/login", "/signin"] {
        let mut c = connect_from(from, s.port).unwrap();
        let ct = if path.starts_with("/api") {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        c.write_all(head(path, ct, 100).as_bytes()).unwrap();
        c.write_all(b"{\"user").unwrap();
        slow.push(c);
    }
    std::thread::sleep(Duration::from_millis(300));
    // A third request from the same address, while two are in progress.
    let mut third = connect_from(from, s.port).unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut third, Duration::from_secs(20))
        .expect("the refused connection is closed");
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"));
    assert_eq!(json_of(&answer)["error"]["code"], "too_many_requests");
    // Another address is not affected.
    s.healthz(Duration::from_secs(10)).unwrap();
    // The two slow bodies are cut off after their two seconds.
    let started = Instant::now();
    let api = read_until_closed(&mut slow[0], Duration::from_secs(20))
        .expect("the slow API request is closed");
    assert!(api.starts_with("HTTP/1.1 408"), "{api}");
    assert!(api.to_ascii_lowercase().contains("connection: close"));
    let error = &json_of(&api)["error"];
    assert_eq!(error["code"], "request_timeout", "{api}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    let page = read_until_closed(&mut slow[1], Duration::from_secs(20))
        .expect("the slow page request is closed");
    assert!(page.starts_with("HTTP/1.1 408"), "{page}");
    assert!(
        page.contains("text/html"),
        "pages answer with a page: {page}"
    );
    assert!(
        page.contains("到达太慢") || page.contains("arrived too slowly"),
        "the page says why: {page}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    // With both done, the address may send again.
    let mut again = connect_from(from, s.port).unwrap();
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut again, Duration::from_secs(20)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// 1,100 connections trickle bodies into a server that may open only 1,024
/// files. They come from 127.0.0.2, so that the probe of `/healthz` from
/// 127.0.0.1 is not counted against their address: the server keeps
/// answering it, and closes every trickling connection within the body
/// deadline (plus a wide margin for a loaded machine).
#[test]
fn a_crowd_of_trickling_bodies_does_not_stop_the_server() {
    const CONNECTIONS: usize = 1_100;
    const BODY_SECONDS: u64 = 3;
    // The test itself needs more than 1,100 open files.
    jiangxin::startup::raise_open_file_limit();
    let s = Server::start("ulimit -n 1024", &[("JIANGXIN_BODY_SECONDS", "3")]);
    if let Some((soft, hard)) = s.open_files() {
        assert_eq!(
            (soft, hard),
            (1024, 1024),
            "the server runs under 1,024 files"
        );
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = {
        let stop = stop.clone();
        let port = s.port;
        std::thread::spawn(move || {
            let c = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .unwrap();
            let mut answered = 0;
            let mut failures = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match c.get(format!("http://127.0.0.1:{port}/healthz")).send() {
                    Ok(r) if r.status() == 200 => answered += 1,
                    Ok(r) => failures.push(format!("status {}", r.status())),
                    Err(e) => failures.push(e.to_string()),
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            (answered, failures)
        })
    };
    let from = Ipv4Addr::new(127, 0, 0, 2);
    struct Trickle {
        conn: TcpStream,
        opened: Instant,
        closed: Option<Instant>,
        answer: Vec<u8>,
    }
    let mut crowd = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let mut conn = connect_from(from, s.port).expect("connect");
        let opened = Instant::now();
        let closed = conn
            .write_all(head("/signin", "application/x-www-form-urlencoded", 4096).as_bytes())
            .err()
            .map(|_| Instant::now());
        conn.set_nonblocking(true).unwrap();
        crowd.push(Trickle {
            conn,
            opened,
            closed,
            answer: Vec::new(),
        });
    }
    let last_opened = Instant::now();
    let mut buf = [0u8; 2048];
    while crowd.iter().any(|t| t.closed.is_none())
        && last_opened.elapsed() < Duration::from_secs(BODY_SECONDS + 40)
    {
        for t in crowd.iter_mut().filter(|t| t.closed.is_none()) {
            loop {
                match t.conn.read(&mut buf) {
                    Ok(0) => {
                        t.closed = Some(Instant::now());
                        break;
                    }
                    Ok(n) => t.answer.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(_) => {
                        t.closed = Some(Instant::now());
                        break;
                    }
                }
            }
            if t.closed.is_none() {
                match t.conn.write(b"a") {
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => t.closed = Some(Instant::now()),
                }
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (answered, failures) = probe.join().unwrap();
    let open = crowd.iter().filter(|t| t.closed.is_none()).count();
    assert_eq!(open, 0, "{open} trickling connections were never closed");
    let slowest = crowd
        .iter()
        .filter_map(|t| t.closed.map(|c| c.duration_since(t.opened)))
        .max()
        .unwrap_or_default();
    let status = |t: &Trickle| {
        String::from_utf8_lossy(&t.answer)
            .chars()
            .skip(9)
            .take(3)
            .collect::<String>()
    };
    let timed_out = crowd.iter().filter(|t| status(t) == "408").count();
    let refused = crowd.iter().filter(|t| status(t) == "429").count();
    eprintln!(
        "closed all {CONNECTIONS}: {timed_out} with 408, {refused} with 429, the slowest after {slowest:?}; /healthz answered {answered} times"
    );
    assert!(
        slowest < Duration::from_secs(BODY_SECONDS + 30),
        "a connection stayed open {slowest:?}"
    );
    assert!(timed_out >= 1, "some bodies ran out of time");
    assert!(refused >= 1, "the address's share was enforced");
    assert!(failures.is_empty(), "/healthz failed: {failures:?}");
    assert!(answered >= 5, "/healthz answered only {answered} times");
    s.healthz(Duration::from_secs(10)).unwrap();
}

/// `jiangxin serve` raises its soft open-file limit to the hard limit and
/// says so.
#[test]
fn the_open_file_limit_is_raised_at_start() {
    let s = Server::start("ulimit -S -n 256", &[]);
    let Some((soft, hard)) = s.open_files() else {
        return; // Not Linux: nothing to read the limits from.
    };
    assert!(hard > 256, "the hard limit here is {hard}");
    assert_eq!(soft, hard.min(1 << 20));
    let log = std::fs::read_to_string(&s.log).unwrap();
    // Without the terminal's colours.
    let mut plain = String::new();
    let mut rest = log.as_str();
    while let Some(at) = rest.find('\u{1b}') {
        plain.push_str(&rest[..at]);
        rest = rest[at..].split_once('m').map_or("", |(_, r)| r);
    }
    plain.push_str(rest);
    let log = plain;
    assert!(
        log.contains("raised the open-file limit") && log.contains("from=256"),
        "{log}"
    );
}

/// A plain form may be 64 KiB, as the operations guide says; a larger one
/// gets `413` and changes nothing.
#[test]
fn plain_forms_have_the_documented_limit() {
    let guide = include_str!("../docs/operations.md");
    let limit = jiangxin::web::limits::PLAIN_FORM;
    assert!(
        guide.contains(&format!("| a plain form | {} KiB |", limit / 1024)),
        "docs/operations.md states the plain form limit"
    );
    let json = jiangxin::web::limits::JSON_BODY;
    assert!(guide.contains(&format!("| a JSON body | {} MiB |", json / 1024 / 1024)));
    let s = TestServer::start(Backend::Sqlite);
    let c = s.client();
    let page = c.get(s.url("/signin")).send().unwrap();
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jiangxin_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("the form token cookie")
        .to_string();
    let token = cookie.trim_start_matches("jiangxin_csrf=").to_string();
    let sign_out = |padding: usize| {
        c.post(s.url("/signout"))
            .header("Cookie", &cookie)
            .form(&[("csrf", token.as_str()), ("note", &"x".repeat(padding))])
            .send()
            .unwrap()
    };
    let big = sign_out(limit + 1024);
    assert_eq!(big.status(), 413);
    assert!(big.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let small = sign_out(1024);
    assert_eq!(small.status(), 303, "a small form is taken");
    let near = sign_out(limit - 1024);
    assert_eq!(near.status(), 303, "a form just under the limit is taken");
}
