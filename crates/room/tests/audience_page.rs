//! The audience page in headless Chromium, driven over chromedriver's
//! WebDriver HTTP protocol: two pages in one room see each other's
//! messages, barrage stays text, the product card pops up once.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them the
//! test prints why and passes.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use shopcast_room::protocol::Role;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    base: String,
    http: reqwest::Client,
    _proc: tokio::process::Child,
}

struct Page<'a> {
    d: &'a Driver,
    session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let proc = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let d = Driver {
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            _proc: proc,
        };
        poll("chromedriver ready", || async {
            d.http
                .get(format!("{}/status", d.base))
                .send()
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        d
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {v}");
        v["value"].clone()
    }

    async fn page(&self) -> Page<'_> {
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let v = self.call(reqwest::Method::POST, "/session", caps).await;
        Page {
            d: self,
            session: v["sessionId"]
                .as_str()
                .unwrap_or_else(|| panic!("no session: {v}"))
                .to_string(),
            _profile: profile,
        }
    }
}

/// Polls `f` until it returns `Some`, up to [`PATIENCE`].
async fn poll<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(t) = f().await {
            return t;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Page<'_> {
    fn path(&self, p: &str) -> String {
        format!("/session/{}{p}", self.session)
    }

    async fn goto(&self, url: &str) {
        self.d
            .call(
                reqwest::Method::POST,
                &self.path("/url"),
                json!({ "url": url }),
            )
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .d
            .call(
                reqwest::Method::POST,
                &self.path("/element"),
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("find {css}: {v}"))
            .to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.d
            .call(
                reqwest::Method::POST,
                &self.path(&format!("/element/{e}/value")),
                json!({ "text": text }),
            )
            .await;
    }

    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.d
            .call(
                reqwest::Method::POST,
                &self.path(&format!("/element/{e}/click")),
                json!({}),
            )
            .await;
    }

    async fn js(&self, script: &str) -> Value {
        self.d
            .call(
                reqwest::Method::POST,
                &self.path("/execute/sync"),
                json!({"script": script, "args": []}),
            )
            .await
    }

    async fn wait_js(&self, what: &str, script: &str) {
        poll(what, || async {
            (self.js(script).await == json!(true)).then_some(())
        })
        .await
    }

    async fn join(&self, url: &str, nick: &str) {
        self.goto(url).await;
        self.type_into("#nick", nick).await;
        self.click("#join").await;
        self.wait_js("joined", "return !document.getElementById('room').hidden")
            .await;
    }

    async fn send(&self, text: &str) {
        self.type_into("#text", text).await;
        self.click("#send").await;
    }

    async fn close(self) {
        self.d
            .call(reqwest::Method::DELETE, &self.path(""), json!({}))
            .await;
    }
}

fn barrage_has(text: &str) -> String {
    format!(
        "return document.getElementById('barrage').textContent.includes({})",
        serde_json::to_string(text).unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pages_in_one_room_see_each_other() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        println!(
            "SKIPPED: {CHROMIUM} or {CHROMEDRIVER} missing (apt-get install -y chromium chromium-driver)"
        );
        return;
    }
    let s = start().await;
    let url = s.http("/r/demo");

    // The page is served with a CSP that forbids inline script.
    let resp = reqwest::get(&url).await.unwrap();
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"));

    let driver = Driver::start().await;
    let a = driver.page().await;
    let b = driver.page().await;
    a.join(&url, "Alice").await;
    b.join(&url, "Bob").await;

    // Markup in barrage is shown as text, never run or rendered.
    let evil = "<img src=x onerror=\"document.title='pwned'\">hello from A";
    a.send(evil).await;
    b.wait_js("B sees A's barrage", &barrage_has(evil)).await;
    assert_eq!(
        b.js("return document.querySelectorAll('#barrage img').length")
            .await,
        json!(0)
    );
    assert_ne!(b.js("return document.title").await, json!("pwned"));

    b.send("hi from B 你好 👋").await;
    a.wait_js("A sees B's barrage", &barrage_has("hi from B 你好 👋"))
        .await;
    a.wait_js("A sees Bob's nick", &barrage_has("Bob")).await;

    // Likes and gifts from the page reach the other page.
    a.click("#like").await;
    b.wait_js(
        "B sees the like total",
        "return document.getElementById('likes').textContent.startsWith('1 ')",
    )
    .await;
    b.click("button[data-gift='rose']").await;
    a.wait_js("A sees B's gift", &barrage_has("sent Rose ×1"))
        .await;

    // The host explains a product: one pop-up per page, though it comes
    // by two channels.
    let host = s.token(Role::Host, "demo", "host");
    let msg = json!({"type": "product_explain", "goods_id": "prod_001", "goods_name": "Vintage Watch", "price": 9900});
    let (status, _) = http_json(
        "POST",
        &s.http("/api/rooms/demo/messages"),
        Some(&host),
        Some(&msg),
    )
    .await;
    assert_eq!(status, 202);
    for p in [&a, &b] {
        p.wait_js(
            "card shown",
            "return !document.getElementById('product-card').hidden",
        )
        .await;
    }
    a.send("marker after product").await;
    for p in [&a, &b] {
        p.wait_js("marker", &barrage_has("marker after product"))
            .await;
        assert_eq!(
            p.js("return document.getElementById('product-card').dataset.popups")
                .await,
            json!("1")
        );
        assert_eq!(
            p.js("return document.getElementById('product-name').textContent")
                .await,
            json!("Vintage Watch")
        );
    }

    // A late joiner gets the card from the room metadata, once.
    let c = driver.page().await;
    c.join(&url, "Carol").await;
    c.wait_js(
        "late card",
        "return document.getElementById('product-card').dataset.popups === '1'",
    )
    .await;
    let id = c
        .js("return document.getElementById('product-card').dataset.eventId")
        .await;
    assert!(id.as_str().unwrap().starts_with("attr_prod_001_"), "{id}");

    for p in [a, b, c] {
        p.close().await;
    }
}
