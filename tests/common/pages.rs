//! A visitor of the pages without a browser: a cookie jar, the form token
//! read from each page, forms sent as a browser sends them.

use super::{TestServer, PASSWORD};

pub struct Visitor<'a> {
    s: &'a TestServer,
    client: reqwest::blocking::Client,
    /// The form token of the last page read.
    pub csrf: String,
    pub lang: &'static str,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub html: String,
}

impl Page {
    /// The page's text without its tags, spaces collapsed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut tag = false;
        for c in self.html.chars() {
            match c {
                '<' => tag = true,
                '>' => {
                    tag = false;
                    out.push(' ');
                }
                _ if !tag => out.push(c),
                _ => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

impl<'a> Visitor<'a> {
    pub fn new(s: &'a TestServer, lang: &'static str) -> Visitor<'a> {
        Visitor {
            s,
            client: reqwest::blocking::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            csrf: String::new(),
            lang,
        }
    }

    /// Signs in through the form.
    pub fn signed_in(s: &'a TestServer, username: &str, lang: &'static str) -> Visitor<'a> {
        let mut v = Visitor::new(s, lang);
        v.get("/signin");
        let p = v.post("/signin", &[("username", username), ("password", PASSWORD)]);
        assert_eq!(p.status, 303, "sign in as {username}: {}", p.text());
        v
    }

    fn read(&mut self, resp: reqwest::blocking::Response) -> Page {
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let html = resp.text().unwrap();
        let marker = "name=\"csrf\" value=\"";
        if let Some(at) = html.find(marker) {
            let rest = &html[at + marker.len()..];
            self.csrf = rest.split('"').next().unwrap_or("").to_string();
        }
        Page {
            status,
            location,
            html,
        }
    }

    pub fn get(&mut self, path: &str) -> Page {
        let resp = self
            .client
            .get(self.s.url(path))
            .header("Accept-Language", self.lang)
            .send()
            .unwrap();
        self.read(resp)
    }

    /// Sends a form with the page's token.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone();
        all.push(("csrf", &token));
        let resp = self
            .client
            .post(self.s.url(path))
            .header("Accept-Language", self.lang)
            .form(&all)
            .send()
            .unwrap();
        self.read(resp)
    }

    /// Sends a form with extra request headers (a client claiming to come
    /// through a proxy).
    pub fn post_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone();
        all.push(("csrf", &token));
        let mut req = self
            .client
            .post(self.s.url(path))
            .header("Accept-Language", self.lang);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.form(&all).send().unwrap();
        self.read(resp)
    }

    /// Sends a form without any token, as a forged request would.
    pub fn post_forged(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let resp = self
            .client
            .post(self.s.url(path))
            .header("Accept-Language", self.lang)
            .form(fields)
            .send()
            .unwrap();
        self.read(resp)
    }

    /// Sends any body with any content type, as a hostile client would.
    pub fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        let resp = self
            .client
            .post(self.s.url(path))
            .header("Accept-Language", self.lang)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .unwrap();
        self.read(resp)
    }

    /// Sends a `multipart/form-data` form with one file, with the page's token.
    pub fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Page {
        let mut form = reqwest::blocking::multipart::Form::new().text("csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "file",
                reqwest::blocking::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        }
        let resp = self
            .client
            .post(self.s.url(path))
            .header("Accept-Language", self.lang)
            .multipart(form)
            .send()
            .unwrap();
        self.read(resp)
    }

    /// Sends a `multipart/form-data` form with files under their own field
    /// names (`field`, file name, bytes), with the page's token.
    pub fn upload_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Page {
        let mut form = reqwest::blocking::multipart::Form::new().text("csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (field, name, bytes) in files {
            form = form.part(
                field.to_string(),
                reqwest::blocking::multipart::Part::bytes(bytes.clone())
                    .file_name(name.to_string()),
            );
        }
        let resp = self
            .client
            .post(self.s.url(path))
            .header("Accept-Language", self.lang)
            .multipart(form)
            .send()
            .unwrap();
        self.read(resp)
    }
}
