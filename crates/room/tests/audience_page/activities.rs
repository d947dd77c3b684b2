//! Activities on the audience page: a viewer claims a coupon, watches a
//! flash sale's countdown and stock and buys in it, enters a draw by
//! its keyword and sees the winners and seed once it is drawn, and
//! joins a follow bag after following. Markup in a title or a nick
//! stays text. Screenshots: `audience-activities.png` (phone) and
//! `audience-activities-wide.png`.

use super::*;

const ROOM: &str = "deals";
const TEA: &str = "tea_01";
/// A nick the guest-token endpoint keeps whole (at most 32 characters).
const EVIL_NICK: &str = "<img src=x onerror=alert(1)>";
const EVIL_TITLE: &str = "<img src=x onerror=\"document.title='pwned'\">";

/// Creates or ends an activity as the host; returns its id.
async fn activity_op(ws: &mut Ws, op_id: &str, op: Value) -> String {
    send_text(ws, &json!({"type": "activity", "op_id": op_id, "op": op})).await;
    let r = wait_json(ws, |v| v["type"] == "action_reply" && v["op_id"] == op_id).await;
    assert_eq!(r["status"], "done", "{op_id}: {r}");
    r["activity_id"].as_str().unwrap().to_string()
}

fn card(kind: &str, rest: &str) -> String {
    format!("document.querySelector(\"#activities .activity.{kind}{rest}\")")
}

fn text_is(kind: &str, rest: &str, want: &str) -> String {
    let c = card(kind, rest);
    format!(
        "return {c} !== null && {c}.textContent === {}",
        serde_json::to_string(want).unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_claims_buys_enters_and_sees_the_draw() {
    let s = start().await;
    let url = s.http(&format!("/r/{ROOM}"));
    let host_token = s.token(Role::Host, ROOM, "host");
    let mut host = raw(&format!("{}?token={host_token}", s.ws_url(ROOM))).await;
    let welcome = wait_json(&mut host, |v| v["type"] == "welcome").await;
    let version = welcome["lineup"]["version"].as_u64().unwrap();
    let tea = json!({
        "goods_id": TEA, "name_zh": "乌龙茶", "name_en": "Oolong Tea",
        "price": 5000, "list_price": null, "currency": "CNY", "stock": 10,
        "image_url": "", "link": "",
    });
    let version = lineup_op(
        &mut host,
        "h1",
        version,
        json!({"kind": "add", "product": tea}),
    )
    .await;
    // Live, so the session counts card views and clicks.
    send_text(&mut host, &json!({"type": "set_status", "status": "live"})).await;
    lineup_op(
        &mut host,
        "h2",
        version,
        json!({"kind": "explain", "goods_id": TEA}),
    )
    .await;

    let driver = Driver::start().await;
    let a = driver.page().await;
    a.resize(430, 900).await;
    a.join(&url, EVIL_NICK).await;
    a.wait_js(
        "the product card",
        "return document.getElementById('product-name').textContent === 'Oolong Tea'",
    )
    .await;

    let coupon = activity_op(
        &mut host,
        "c1",
        json!({"op": "create", "spec": {
            "kind": "coupon", "title": EVIL_TITLE, "discount": {"type": "amount", "minor": 1000},
            "min_spend": 5000, "currency": "CNY", "quantity": 3, "duration_secs": 600,
        }}),
    )
    .await;
    let sale = activity_op(&mut host, "c2", json!({"op": "create", "spec": {
        "kind": "flash_sale", "goods_id": TEA, "price": 2900, "quantity": 5, "duration_secs": 90,
    }}))
    .await;
    let draw = activity_op(
        &mut host,
        "c3",
        json!({"op": "create", "spec": {
            "kind": "draw", "prize": "Tea set for two", "keyword": "tea please",
            "winners": 1, "duration_secs": 600,
        }}),
    )
    .await;
    activity_op(
        &mut host,
        "c4",
        json!({"op": "create", "spec": {
            "kind": "lucky_bag", "prize": "Mystery tea box", "pool": 8800, "currency": "CNY",
            "winners": 3, "duration_secs": 600, "condition": {"type": "follow"},
        }}),
    )
    .await;
    a.wait_js(
        "four activity cards",
        "return document.querySelectorAll('#activities .activity').length === 4",
    )
    .await;

    // The coupon: its title is text, its terms in the room's currency.
    assert_eq!(
        a.js(&format!("return {}.textContent", card("coupon", " h3")))
            .await,
        json!(EVIL_TITLE)
    );
    let terms = a
        .js(&format!("return {}.textContent", card("coupon", "")))
        .await;
    let terms = terms.as_str().unwrap();
    assert!(
        terms.contains("¥10.00 off") && terms.contains("orders over CN¥50.00"),
        "{terms}"
    );
    a.wait_js(
        "3 coupons",
        &text_is("coupon", " .remaining", "3 of 3 left"),
    )
    .await;
    a.click("#activities .activity.coupon button[data-act='claim']")
        .await;
    a.wait_js("claimed", &text_is("coupon", " .mine", "Claimed ✓"))
        .await;
    a.wait_js(
        "one taken",
        &text_is("coupon", " .remaining", "2 of 3 left"),
    )
    .await;
    a.click("#activities .activity.coupon button[data-act='claim']")
        .await;
    a.wait_js(
        "one per viewer",
        &text_is("coupon", " .mine", "Limit reached"),
    )
    .await;

    // The flash sale: the lineup's name, both prices, a running
    // countdown from 01:30 and the units left.
    assert_eq!(
        a.js(&format!("return {}.textContent", card("flash_sale", " h3")))
            .await,
        json!("Oolong Tea")
    );
    let price = a
        .js(&format!(
            "return {}.textContent",
            card("flash_sale", " .prices")
        ))
        .await;
    assert!(price.as_str().unwrap().contains("29.00"), "{price}");
    assert!(price.as_str().unwrap().contains("50.00"), "{price}");
    a.wait_js(
        "5 units",
        &text_is("flash_sale", " .remaining", "5 of 5 left"),
    )
    .await;
    let countdown = format!("return {}.textContent", card("flash_sale", " .countdown"));
    let first = a.js(&countdown).await;
    let first = first.as_str().unwrap().to_string();
    assert!(
        first.len() == 5 && ("00:01"..="01:30").contains(&first.as_str()),
        "mm:ss within the sale: {first}"
    );
    a.wait_js(
        "the countdown runs",
        &format!(
            "const t = {}.textContent; return /^0[01]:[0-5][0-9]$/.test(t) && t < {}",
            card("flash_sale", " .countdown"),
            serde_json::to_string(&first).unwrap()
        ),
    )
    .await;
    a.click("#activities .activity.flash_sale button[data-act='sale']")
        .await;
    a.wait_js("bought", &text_is("flash_sale", " .mine", "Bought ✓"))
        .await;
    a.wait_js(
        "one sold",
        &text_is("flash_sale", " .remaining", "4 of 5 left"),
    )
    .await;
    let batch = wait_json(&mut host, |v| {
        v["type"] == "batch" && events_of(v, "purchase").next().is_some()
    })
    .await;
    let order = &events_of(&batch, "purchase").next().unwrap()["order"];
    assert_eq!(
        (&order["sale_id"], &order["unit_price"], &order["quantity"]),
        (&json!(sale), &json!(2900), &json!(1)),
        "{order}"
    );
    assert_ne!(sale, coupon);

    // The draw: its keyword, sent from the card, enters the viewer; the
    // commitment is shown before the draw and the seed after it.
    a.wait_js(
        "how to enter",
        &text_is("draw", " .how", "Send “tea please” to enter"),
    )
    .await;
    let commitment = a
        .js(&format!("return {}.textContent", card("draw", " .hash")))
        .await;
    let commitment = commitment
        .as_str()
        .unwrap()
        .trim_start_matches("Commitment ")
        .to_string();
    assert!(
        commitment.len() == 64 && commitment.chars().all(|c| c.is_ascii_hexdigit()),
        "{commitment}"
    );
    a.click("#activities .activity.draw button[data-act='keyword']")
        .await;
    a.wait_js("entered", &text_is("draw", " .remaining", "1 entered"))
        .await;
    activity_op(&mut host, "e1", json!({"op": "end", "activity_id": draw})).await;
    a.wait_js(
        "the viewer won",
        &text_is("draw", "[data-phase='ended'] .winner", EVIL_NICK),
    )
    .await;
    let (status, record) = http_json(
        "GET",
        &s.http(&format!("/api/rooms/{ROOM}/activities/{draw}/draw")),
        Some(&host_token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["commitment"], json!(commitment));
    let drawn = a
        .js(&format!("return {}.textContent", card("draw", "")))
        .await;
    let drawn = drawn.as_str().unwrap();
    assert!(drawn.contains(record["seed"].as_str().unwrap()), "{drawn}");
    assert!(
        drawn.contains(&format!("shopcast draw verify --room {url} --id {draw}")),
        "{drawn}"
    );
    a.wait_js(
        "the result in the barrage",
        &barrage_has("→ <img src=x onerror=alert(1)>"),
    )
    .await;

    // The follow bag: joining first asks to follow; after Follow it joins.
    a.click("#activities .activity.lucky_bag button[data-act='enter']")
        .await;
    a.wait_js(
        "follow first",
        &format!(
            "const m = {}; return m !== null && m.textContent.includes('follow')",
            card("lucky_bag", " .mine")
        ),
    )
    .await;
    a.click("#follow").await;
    a.wait_js(
        "following",
        "const f = document.getElementById('follow'); return f.disabled && f.textContent === 'Following'",
    )
    .await;
    a.click("#activities .activity.lucky_bag button[data-act='enter']")
        .await;
    a.wait_js("joined", &text_is("lucky_bag", " .mine", "Joined ✓"))
        .await;
    a.wait_js(
        "one in the bag",
        &text_is("lucky_bag", " .remaining", "1 entered"),
    )
    .await;

    // Nothing in a title or a nick became an element or ran.
    assert_eq!(
        a.js("return document.querySelectorAll('#activities img, #barrage img').length")
            .await,
        json!(0)
    );
    assert_ne!(a.js("return document.title").await, json!("pwned"));
    assert_eq!(
        a.js("return document.getElementById('error').textContent")
            .await,
        json!("")
    );
    // The phone shows the newest cards; the wide page scrolls the row
    // to its end, where the drawn draw is.
    a.js("window.scrollTo(0, 0); document.getElementById('activities').scrollLeft = 0")
        .await;
    a.screenshot("audience-activities.png").await;
    a.resize(1000, 900).await;
    a.js("const r = document.getElementById('activities'); r.scrollLeft = r.scrollWidth")
        .await;
    a.screenshot("audience-activities-wide.png").await;

    // Opening the card is a click; its pop-up was a view. Both are in
    // the session's report once the session ends.
    a.click("#product-name").await;
    a.wait_js(
        "the bag opens",
        "return !document.getElementById('bag').hidden",
    )
    .await;
    send_text(&mut host, &json!({"type": "set_status", "status": "ended"})).await;
    let sessions_url = s.http(&format!("/api/rooms/{ROOM}/sessions"));
    let figures = poll("the session's report", || async {
        let (_, list) = http_json("GET", &sessions_url, Some(&host_token), None).await;
        let id = list[0]["id"].as_str()?.to_string();
        let (_, r) = http_json(
            "GET",
            &s.http(&format!("/api/rooms/{ROOM}/sessions/{id}/report")),
            Some(&host_token),
            None,
        )
        .await;
        let p = r["products"]
            .as_array()?
            .iter()
            .find(|p| p["goods_id"] == TEA)?
            .clone();
        (p["clicks_during"].as_u64()? >= 1).then_some(p)
    })
    .await;
    assert_eq!(
        figures["views_during"], 1,
        "one pop-up, one view: {figures}"
    );
    assert_eq!(figures["clicks_during"], 1, "{figures}");
    a.close().await;
}
