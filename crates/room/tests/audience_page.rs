//! The audience page in headless Chromium, driven over chromedriver's
//! WebDriver HTTP protocol: two pages in one room see each other's
//! messages, barrage stays text, the product card pops up once; the
//! product bag shows the shared lineup and buys from it.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them the
//! tests fail and say so (a test that cannot run is not a pass).
//! Screenshots of the product bag go to `tests/e2e/artifacts/`
//! (`audience-lineup.png`, `audience-card-zh.png`, `audience-lineup-zh.png`).
//! Activities (coupons, flash sales, draws, lucky bags) are in
//! `audience_page/activities.rs`.

// A crate root's modules resolve beside it, where `tests/activities.rs`
// is a test target of its own.
#[path = "audience_page/activities.rs"]
mod activities_on_page;
mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
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
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: this test drives a real browser \
                 (apt-get install -y chromium chromium-driver)"
            );
        }
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
        self.page_in("en-US").await
    }

    /// A page whose `navigator.language` is `lang`.
    async fn page_in(&self, lang: &str) -> Page<'_> {
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run",
                    format!("--lang={lang}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": { "intl.accept_languages": lang },
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

    /// Sets the window (and so the viewport) size, e.g. a phone's.
    async fn resize(&self, width: u32, height: u32) {
        self.d
            .call(
                reqwest::Method::POST,
                &self.path("/window/rect"),
                json!({ "width": width, "height": height }),
            )
            .await;
    }

    /// Saves a PNG of the viewport under `tests/e2e/artifacts/` (ignored
    /// by git) and returns its path.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let v = self
            .d
            .call(reqwest::Method::GET, &self.path("/screenshot"), json!({}))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("screenshot is base64"))
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
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
    // A guest has no coins: the page says so, and nothing is sent.
    b.click("button[data-gift='rose']").await;
    b.wait_js(
        "B is told the gift is not paid for",
        "return document.getElementById('error').textContent.includes('you have 0')",
    )
    .await;
    // The shop credits Bob (found by his nick); now the gift goes.
    let (_, online) = http_json(
        "GET",
        &s.http("/api/rooms/demo/online"),
        Some(&s.token(Role::Host, "demo", "host")),
        None,
    )
    .await;
    let bob = online["audience"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["nick"] == "Bob")
        .unwrap_or_else(|| panic!("Bob online: {online}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = s.token(Role::Admin, "*", "shop");
    let (status, body) = http_json(
        "POST",
        &s.http(&format!("/api/wallets/{bob}/credit")),
        Some(&admin),
        Some(&json!({"amount": 10})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
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

    // The host pauses (the studio's Pause sends this): every page says
    // so, and says live again on resume.
    for (want, status) in [("paused", "paused"), ("live", "live")] {
        let msg = json!({"type": "set_status", "status": status});
        let (code, body) = http_json(
            "POST",
            &s.http("/api/rooms/demo/messages"),
            Some(&host),
            Some(&msg),
        )
        .await;
        assert_eq!(code, 202, "{body}");
        for p in [&a, &b] {
            p.wait_js(
                "the room's status on the page",
                &format!("return document.getElementById('status').textContent === '{want}'"),
            )
            .await;
        }
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

/// A `size`×`size` RGB PNG written by hand (stored deflate blocks), so
/// the test needs no image crate: a gold dial on a blue gradient.
fn product_png(size: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    }

    let mut raw = Vec::new();
    for y in 0..size {
        raw.push(0); // filter: none
        for x in 0..size {
            let (fx, fy) = (x as f32 / size as f32, y as f32 / size as f32);
            let d = ((fx - 0.5).powi(2) + (fy - 0.5).powi(2)).sqrt();
            let rgb = if d < 0.26 {
                [242, 201, 110]
            } else if d < 0.31 {
                [70, 58, 40]
            } else {
                [(30.0 + 40.0 * fy) as u8, (70.0 + 60.0 * fx) as u8, 150]
            };
            raw.extend_from_slice(&rgb);
        }
    }
    // zlib: header, stored blocks of at most 65,535 bytes, Adler-32.
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = u16::try_from(block.len()).unwrap();
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Sends one lineup operation and waits for it to be applied; returns
/// the new lineup version (the next operation's base).
async fn lineup_op(ws: &mut Ws, op_id: &str, base: u64, op: Value) -> u64 {
    send_text(
        ws,
        &json!({"type": "lineup", "op_id": op_id, "base": base, "op": op}),
    )
    .await;
    let r = wait_json(ws, |v| v["type"] == "lineup_reply" && v["op_id"] == op_id).await;
    assert_eq!(r["status"], "applied", "{op_id}: {r}");
    r["version"].as_u64().unwrap()
}

fn row(goods_id: &str, rest: &str) -> String {
    format!("document.querySelector(\"#bag-list li[data-goods-id='{goods_id}']{rest}\")")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_bag_shows_the_lineup_and_buys_from_it() {
    const ROOM: &str = "shop";
    const EVIL: &str = "<img src=x onerror=alert(1)>";
    const WATCH: &str = "watch_01";
    const TEA: &str = "tea_02";
    let s = start().await;
    let url = s.http(&format!("/r/{ROOM}"));
    let host_token = s.token(Role::Host, ROOM, "host");

    // The host's product image, stored by the room server.
    let resp = reqwest::Client::new()
        .put(s.http(&format!("/api/rooms/{ROOM}/media")))
        .bearer_auth(&host_token)
        .body(product_png(96))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let image: Value = resp.json().await.unwrap();
    let image = image["url"].as_str().unwrap().to_string();
    assert!(image.starts_with("/media/"), "{image}");

    let driver = Driver::start().await;
    let a = driver.page().await;
    a.resize(430, 900).await;
    a.join(&url, "Dana").await;
    a.wait_js(
        "empty bag",
        "return document.getElementById('bag-count').textContent === '0'",
    )
    .await;

    let mut host = raw(&format!("{}?token={host_token}", s.ws_url(ROOM))).await;
    let welcome = wait_json(&mut host, |v| v["type"] == "welcome").await;
    let mut version = welcome["lineup"]["version"].as_u64().unwrap();
    let watch = json!({
        "goods_id": WATCH, "name_zh": EVIL, "name_en": EVIL,
        "price": 9900, "list_price": 12900, "currency": "CNY", "stock": 12,
        "image_url": image, "link": "",
    });
    // Another server's image is ignored; yen have no minor unit.
    let tea = json!({
        "goods_id": TEA, "name_zh": "西湖龙井", "name_en": "Longjing Tea",
        "price": 1280, "list_price": null, "currency": "JPY", "stock": 40,
        "image_url": "https://evil.example/x.png", "link": "",
    });
    version = lineup_op(
        &mut host,
        "h1",
        version,
        json!({"kind": "add", "product": watch}),
    )
    .await;
    version = lineup_op(
        &mut host,
        "h2",
        version,
        json!({"kind": "add", "product": tea}),
    )
    .await;
    // The next base comes from the stock change a purchase makes.
    lineup_op(
        &mut host,
        "h3",
        version,
        json!({"kind": "explain", "goods_id": WATCH}),
    )
    .await;

    a.wait_js(
        "two products in the bag",
        "return document.querySelectorAll('#bag-list li').length === 2 \
         && document.getElementById('bag-count').textContent === '2'",
    )
    .await;
    a.wait_js(
        "current marker on the explained product",
        &format!("return {} !== null", row(WATCH, ".current .now")),
    )
    .await;
    assert_eq!(
        a.js("return document.querySelectorAll('#bag-list .now').length")
            .await,
        json!(1)
    );
    // The markup in the name is text: no element made of it.
    assert_eq!(
        a.js(&format!("return {}.textContent", row(WATCH, " .name")))
            .await,
        json!(EVIL)
    );
    assert_eq!(
        a.js("return document.querySelectorAll('#bag-list img').length")
            .await,
        json!(1),
        "only the watch has an image"
    );
    assert_eq!(
        a.js(&format!(
            "return {}.getAttribute('src')",
            row(WATCH, " img")
        ))
        .await,
        json!(image)
    );
    assert_eq!(
        a.js(&format!("return {} !== null", row(TEA, " .placeholder")))
            .await,
        json!(true)
    );
    a.wait_js(
        "the bag's image loaded",
        &format!(
            "const i = {}; return i.complete && i.naturalWidth > 0",
            row(WATCH, " img")
        ),
    )
    .await;
    // Prices in the item's currency, minor units scaled by its digits.
    let price = |id: &str, cls: &str| format!("return {}.textContent", row(id, cls));
    let watch_price = a.js(&price(WATCH, " .price")).await;
    assert!(
        watch_price.as_str().unwrap().contains("99.00"),
        "{watch_price}"
    );
    let watch_list = a.js(&price(WATCH, " s.list-price")).await;
    assert!(
        watch_list.as_str().unwrap().contains("129.00"),
        "{watch_list}"
    );
    let tea_price = a.js(&price(TEA, " .price")).await;
    assert!(tea_price.as_str().unwrap().contains("1,280"), "{tea_price}");
    assert_eq!(
        a.js(&format!("return {} === null", row(TEA, " .list-price")))
            .await,
        json!(true)
    );

    // The pop-up card shows the lineup's copy: image, price, list price.
    a.wait_js(
        "card from the lineup",
        "const i = document.querySelector('#product-thumb img'); \
         return !document.getElementById('product-card').hidden \
         && i !== null && i.complete && i.naturalWidth > 0 \
         && document.getElementById('product-name').textContent === '<img src=x onerror=alert(1)>' \
         && document.getElementById('product-list-price').textContent.includes('129.00')",
    )
    .await;
    assert_eq!(
        a.js("return document.getElementById('product-card').dataset.popups")
            .await,
        json!("1")
    );

    // Buy the other product from the bag: the host sees the purchase.
    a.click("#bag-toggle").await;
    a.click(&format!("#bag-list li[data-goods-id='{TEA}'] button.buy"))
        .await;
    let batch = wait_json(&mut host, |v| {
        v["type"] == "batch" && events_of(v, "purchase").next().is_some()
    })
    .await;
    let bought: Vec<&Value> = events_of(&batch, "purchase").collect();
    assert_eq!(bought.len(), 1, "{batch}");
    assert_eq!(bought[0]["order"]["goods_id"], TEA, "{batch}");
    assert_eq!(bought[0]["order"]["quantity"], 1);
    a.wait_js("purchase in the barrage", &barrage_has("bought 1 × "))
        .await;
    // The sale took the unit off the lineup's stock: a new version.
    let stock_taken = |v: &Value| {
        events_of(v, "lineup")
            .find(|e| e["record"]["op"]["goods_id"] == TEA)
            .and_then(|e| e["lineup"]["version"].as_u64())
    };
    version = match stock_taken(&batch) {
        Some(v) => v,
        None => {
            let b = wait_json(&mut host, |v| stock_taken(v).is_some()).await;
            stock_taken(&b).unwrap()
        }
    };

    // Sold out: its Buy is disabled; a third product, in dollars.
    version = lineup_op(
        &mut host,
        "h4",
        version,
        json!({"kind": "sold_out", "goods_id": TEA}),
    )
    .await;
    a.wait_js(
        "sold out disables Buy",
        &format!(
            "return {}.disabled === true && {} !== null",
            row(TEA, " button.buy"),
            row(TEA, ".sold-out")
        ),
    )
    .await;
    assert_eq!(
        a.js(&format!("return {}.disabled", row(WATCH, " button.buy")))
            .await,
        json!(false)
    );
    let scarf = json!({
        "goods_id": "scarf_03", "name_zh": "真丝围巾", "name_en": "Silk Scarf",
        "price": 25900, "list_price": 32900, "currency": "USD", "stock": 3,
        "image_url": "", "link": "",
    });
    lineup_op(
        &mut host,
        "h5",
        version,
        json!({"kind": "add", "product": scarf}),
    )
    .await;
    a.wait_js(
        "three products, replaced whole",
        "return document.querySelectorAll('#bag-list li').length === 3 \
         && document.getElementById('bag-count').textContent === '3'",
    )
    .await;
    let scarf_price = a.js(&price("scarf_03", " .price")).await;
    assert!(
        scarf_price.as_str().unwrap().contains("$259.00"),
        "{scarf_price}"
    );
    a.screenshot("audience-lineup.png").await;
    assert_eq!(
        a.js("return document.getElementById('error').textContent")
            .await,
        json!("")
    );

    // A late joiner gets the lineup from its welcome, the card once;
    // a Chinese browser gets the Chinese names and labels.
    let b = driver.page_in("zh-CN").await;
    b.resize(430, 900).await;
    assert_eq!(b.js("return navigator.language").await, json!("zh-CN"));
    b.join(&url, "Eve").await;
    b.wait_js(
        "late joiner's bag",
        &format!(
            "return document.querySelectorAll('#bag-list li').length === 3 && {} !== null",
            row(WATCH, ".current")
        ),
    )
    .await;
    assert_eq!(
        b.js(&format!("return {}.textContent", row(TEA, " .name")))
            .await,
        json!("西湖龙井")
    );
    assert_eq!(
        b.js(&format!("return {}.textContent", row(WATCH, " .now")))
            .await,
        json!("讲解中")
    );
    assert_eq!(
        b.js("return document.getElementById('bag-label').textContent")
            .await,
        json!("购物袋")
    );
    b.wait_js(
        "late joiner's card",
        "const i = document.querySelector('#product-thumb img'); \
         return document.getElementById('product-card').dataset.popups === '1' \
         && i !== null && i.complete && i.naturalWidth > 0",
    )
    .await;
    b.send("Is the watch waterproof?").await;
    b.wait_js("own barrage", &barrage_has("waterproof")).await;
    b.screenshot("audience-card-zh.png").await;
    b.click("#bag-toggle").await;
    b.screenshot("audience-lineup-zh.png").await;

    for p in [a, b] {
        p.close().await;
    }
}
