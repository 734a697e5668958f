//! A real headless Chromium (Debian's `chromium`), driven over WebDriver by
//! Debian's `chromedriver`; `scripts/test` installs both. Screenshots go
//! to `target/screenshots/`.

use base64::Engine as _;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts Chromium with a window of the given size (CSS pixels).
    pub fn start(width: u32, height: u32) -> Browser {
        let port = free_port();
        let driver = Command::new(
            std::env::var("JIANGXIN_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()),
        )
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian package chromium-driver; scripts/test installs it)");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let started = Instant::now();
        while client
            .get(format!("{base}/status"))
            .send()
            .map(|r| !r.status().is_success())
            .unwrap_or(true)
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("JIANGXIN_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                ]
            }
        }}});
        let r: Value = client
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {r}"))
            .to_string();
        let b = Browser {
            driver,
            base,
            session,
            client,
            _profile: profile,
        };
        b.resize(width, height);
        b
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = match method {
            "GET" => self.client.get(url),
            "DELETE" => self.client.delete(url),
            _ => self
                .client
                .post(url)
                .json(&body.unwrap_or_else(|| json!({}))),
        };
        let v: Value = req.send().unwrap().json().unwrap();
        if let Some(e) = v["value"].get("error") {
            panic!("WebDriver {method} {path}: {e} {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    /// Sets the viewport to the given size.
    pub fn resize(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
        // The window includes no chrome in headless mode; make the
        // viewport exact all the same.
        let inner = self.exec("return [window.innerWidth, window.innerHeight];");
        let dw = i64::from(width) - inner[0].as_i64().unwrap_or(i64::from(width));
        let dh = i64::from(height) - inner[1].as_i64().unwrap_or(i64::from(height));
        if dw != 0 || dh != 0 {
            self.cmd(
                "POST",
                "/window/rect",
                Some(json!({"width": i64::from(width) + dw, "height": i64::from(height) + dh})),
            );
        }
    }

    /// Opens a page and waits until it has loaded.
    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
        self.wait_loaded();
    }

    /// Waits until the current document has loaded (after a navigation or
    /// a click that navigates).
    pub fn wait_loaded(&self) {
        let started = Instant::now();
        loop {
            let state = self.exec(
                "return document.documentElement && document.body ? document.readyState : 'loading';",
            );
            if state == "complete" {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the page did not load"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn exec(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn element(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub fn click(&self, css: &str) {
        let e = self.element(css);
        self.cmd("POST", &format!("/element/{e}/click"), None);
        self.wait_loaded();
    }

    /// Clicks something that loads a new page (a link, a form's button) and
    /// waits until the new page has replaced the old one and loaded.
    pub fn click_to_load(&self, css: &str) {
        self.exec("window.__jiangxin_old_page = true;");
        let e = self.element(css);
        self.cmd("POST", &format!("/element/{e}/click"), None);
        self.wait_for(
            "return window.__jiangxin_old_page === undefined && document.readyState === 'complete' && !!document.body;",
            json!(true),
        );
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.cmd("POST", &format!("/element/{e}/clear"), None);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn text(&self, css: &str) -> String {
        let e = self.element(css);
        self.cmd("GET", &format!("/element/{e}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Saves a screenshot as `target/screenshots/{name}.png`.
    pub fn screenshot(&self, name: &str) {
        let png = self.cmd("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .client
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Cuts the browser's network off, or gives it back, through
    /// ChromeDriver's network emulation: requests from the page then fail
    /// as they do when a tablet loses its Wi-Fi.
    pub fn set_offline(&self, offline: bool) {
        self.cmd(
            "POST",
            "/chromium/network_conditions",
            Some(json!({"network_conditions": {
                "offline": offline, "latency": 0,
                "download_throughput": -1, "upload_throughput": -1
            }})),
        );
    }

    /// Waits until `script` returns `expected`, or fails after 30 s.
    pub fn wait_for(&self, script: &str, expected: Value) {
        let started = Instant::now();
        loop {
            let got = self.exec(script);
            if got == expected {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "waited for `{script}` to be {expected}, still {got}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Browser {
    /// Chooses a file for an `<input type=file>`, as a user picking it in
    /// the file dialog does.
    pub fn choose_file(&self, css: &str, path: &std::path::Path) {
        let e = self.element(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": path.display().to_string() })),
        );
    }
}
