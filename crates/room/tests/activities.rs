//! Coupons and flash sales over a real room server: the server alone
//! decides, concurrent buyers never oversell, per-user limits hold
//! across reconnects, and every kind of bad request is refused with a
//! clear reason and nothing changed.

mod common;

use std::collections::HashMap;

use common::shop::*;
use common::*;
use serde_json::json;
use shopcast_room::activity::{ActionOutcome, ActivitySpec, Discount, EndReason, Order};
use shopcast_room::client::ClientEvent;
use shopcast_room::protocol::{ClientMsg, EventBody, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_buys_never_sell_more_than_the_sale_holds() {
    let server = start_with(settings()).await;
    stock_lineup(&server, &[product("tea", 5000, 1000)]).await;
    let mut host = remote(&server, Role::Host, "host").await;
    let sale = create_ok(&mut host, flash_sale("tea", 3900, 50, 2)).await;

    // 500 viewers, all connected before the first buy.
    let mut viewers = Vec::new();
    for i in 0..500 {
        viewers.push(Viewer::join(&server, &format!("v{i:03}")).await);
    }
    // Two buys each (1,000 attempts), every one sent before any answer
    // is read; a tenth of the viewers also try 3 units at once.
    let mut tasks = Vec::new();
    for (i, mut v) in viewers.into_iter().enumerate() {
        let sale = sale.clone();
        tasks.push(tokio::spawn(async move {
            v.buy("tea", 1, Some(&sale)).await;
            v.buy("tea", 1, Some(&sale)).await;
            let greedy = i % 10 == 0;
            if greedy {
                v.buy("tea", 3, Some(&sale)).await;
            }
            let answers = v.answers(if greedy { 3 } else { 2 }).await;
            (v.user.clone(), answers, v)
        }));
    }
    let mut units_by_user: HashMap<String, u32> = HashMap::new();
    let mut orders: Vec<Order> = Vec::new();
    let mut refusals: HashMap<String, usize> = HashMap::new();
    let mut keep = Vec::new();
    for t in tasks {
        let (user, answers, v) = t.await.expect("viewer task");
        for (_, a) in answers {
            match a {
                ActionOutcome::Done { order: Some(o), .. } => {
                    assert_eq!(o.unit_price, 3900, "the sale price, not the lineup's");
                    assert_eq!(o.sale_id.as_deref(), Some(sale.as_str()));
                    *units_by_user.entry(user.clone()).or_default() += o.quantity;
                    orders.push(o);
                }
                other => {
                    *refusals
                        .entry(code_of(&other).expect("a code"))
                        .or_default() += 1;
                }
            }
        }
        keep.push(v);
    }
    let sold: u32 = orders.iter().map(|o| o.quantity).sum();
    assert_eq!(sold, 50, "exactly the sale's quantity is sold");
    assert!(
        units_by_user.values().all(|&u| u <= 2),
        "per-user limit broken: {units_by_user:?}"
    );
    let mut ids: Vec<&str> = orders.iter().map(|o| o.order_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), orders.len(), "order ids are unique");
    assert!(refusals["sold_out"] > 900, "{refusals:?}");
    assert!(
        refusals
            .keys()
            .all(|k| k == "sold_out" || k == "limit_exceeded"),
        "{refusals:?}"
    );

    let a = &activities(&server).await[&sale];
    assert_eq!((a.taken, a.remaining), (50, Some(0)));
    assert_eq!(a.end_reason, Some(EndReason::SoldOut));
    // The lineup's stock went down by what was sold, once (at the next
    // timer tick).
    let stock = tokio::time::timeout(PATIENCE, async {
        loop {
            let s = lineup_stock(&server, "tea").await;
            // Orders of one rush may come off over several ticks.
            if s <= 950 {
                return s;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the stock never went down");
    assert_eq!(stock, 950);
    for v in keep {
        v.close().await;
    }
}

#[tokio::test]
async fn coupon_claims_stop_at_the_quantity_and_limits_hold_across_reconnects() {
    let server = start_with(settings()).await;
    let mut host = remote(&server, Role::Host, "host").await;
    let id = create_ok(&mut host, coupon(5, 2)).await;

    /// One claim on a fresh connection: the limit is the server's, not
    /// the connection's.
    async fn claim_once(server: &TestServer, user: &str, id: &str) -> Option<String> {
        let mut v = Viewer::join(server, user).await;
        v.claim(id).await;
        let got = code_of(&v.answer().await);
        v.close().await;
        got
    }
    // ana claims her two, reconnecting in between; a third is refused.
    assert_eq!(claim_once(&server, "ana", &id).await, None);
    assert_eq!(claim_once(&server, "ana", &id).await, None);
    assert_eq!(
        claim_once(&server, "ana", &id).await.as_deref(),
        Some("limit_exceeded")
    );
    // Three more claims use up the five.
    for user in ["bo", "cy", "bo"] {
        assert_eq!(claim_once(&server, user, &id).await, None, "{user}");
    }
    let a = &activities(&server).await[&id];
    assert_eq!((a.taken, a.remaining, a.people), (5, Some(0), 3));
    assert_eq!(a.end_reason, Some(EndReason::SoldOut));
    // Once they ran out, every further claim is `sold_out`, whoever asks.
    for user in ["di", "cy", "ana"] {
        assert_eq!(
            claim_once(&server, user, &id).await.as_deref(),
            Some("sold_out"),
            "{user}"
        );
    }
    assert_eq!(activities(&server).await[&id].taken, 5);
}

#[tokio::test]
async fn a_muted_viewer_cannot_claim_when_muted_viewers_are_excluded() {
    let server = start_with(settings()).await;
    let mut host = remote(&server, Role::Host, "host").await;
    let strict = create_ok(&mut host, coupon(10, 1)).await;
    let ActivitySpec::Coupon(mut open) = coupon(10, 1) else {
        unreachable!()
    };
    open.exclude_muted = false;
    open.title = "所有人".into();
    let lenient = create_ok(&mut host, ActivitySpec::Coupon(open)).await;

    let mut v = Viewer::join(&server, "loud").await;
    let mod_ = Viewer::join_as(&server, Role::Assistant, "helper").await;
    mod_.send(ClientMsg::Mute {
        user_id: "loud".into(),
        duration_secs: 600,
    })
    .await;
    wait_event(&mut v.rx, |e| match e {
        ClientEvent::Event(ev) => matches!(ev.body, EventBody::Mute { .. }).then_some(()),
        _ => None,
    })
    .await;
    v.claim(&strict).await;
    assert_eq!(code_of(&v.answer().await).as_deref(), Some("muted"));
    v.claim(&lenient).await;
    assert!(matches!(v.answer().await, ActionOutcome::Done { .. }));
    assert_eq!(activities(&server).await[&strict].taken, 0);
}

#[tokio::test]
async fn bad_activities_and_buys_are_refused_and_change_nothing() {
    let server = start_with(settings()).await;
    stock_lineup(
        &server,
        &[product("tea", 5000, 10), product("mug", 2000, 3)],
    )
    .await;
    let mut host = remote(&server, Role::Host, "host").await;
    let refused = |o: ActionOutcome| code_of(&o).unwrap_or_else(|| panic!("accepted: {o:?}"));

    // Coupons: no quantity, no discount, a percentage over 100.
    assert_eq!(
        refused(create(&mut host, coupon(0, 1)).await),
        "invalid_argument"
    );
    let ActivitySpec::Coupon(mut c) = coupon(5, 1) else {
        unreachable!()
    };
    c.discount = Discount::Amount { minor: 0 };
    assert_eq!(
        refused(create(&mut host, ActivitySpec::Coupon(c.clone())).await),
        "invalid_argument"
    );
    c.discount = Discount::Percent { percent: 101 };
    assert_eq!(
        refused(create(&mut host, ActivitySpec::Coupon(c)).await),
        "invalid_argument"
    );
    // Flash sales: a product not in the lineup; more than its stock.
    assert_eq!(
        refused(create(&mut host, flash_sale("ghost", 100, 1, 1)).await),
        "not_found"
    );
    match create(&mut host, flash_sale("mug", 100, 4, 1)).await {
        ActionOutcome::Refused { reason, .. } => assert!(reason.contains("stock"), "{reason}"),
        other => panic!("accepted: {other:?}"),
    }
    // Draws: too many winners, an empty keyword, a keyword in use.
    assert_eq!(
        refused(create(&mut host, draw("666", 101)).await),
        "invalid_argument"
    );
    assert_eq!(
        refused(create(&mut host, draw("  ", 1)).await),
        "invalid_argument"
    );
    create_ok(&mut host, draw("666", 3)).await;
    match create(&mut host, draw("666", 1)).await {
        ActionOutcome::Refused { code, reason } => {
            assert_eq!(serde_json::to_value(code).unwrap(), "conflict");
            assert!(reason.contains("666"), "{reason}");
        }
        other => panic!("accepted: {other:?}"),
    }
    // Only the draw was created.
    assert_eq!(activities(&server).await.len(), 1);

    // Buys: beyond stock, zero units, and after the countdown.
    let mut v = Viewer::join(&server, "v1").await;
    v.buy("mug", 4, None).await;
    assert_eq!(code_of(&v.answer().await).as_deref(), Some("sold_out"));
    v.buy("mug", 0, None).await;
    assert_eq!(
        code_of(&v.answer().await).as_deref(),
        Some("invalid_argument")
    );
    let ActivitySpec::FlashSale(mut f) = flash_sale("tea", 100, 5, 5) else {
        unreachable!()
    };
    f.duration_secs = 1;
    let sale = create_ok(&mut host, ActivitySpec::FlashSale(f)).await;
    wait_event(&mut v.rx, |e| match e {
        ClientEvent::Event(ev) => match &ev.body {
            EventBody::Activity { activity, .. }
                if activity.id == sale && !activity.is_running() =>
            {
                Some(())
            }
            _ => None,
        },
        _ => None,
    })
    .await;
    v.buy("tea", 1, Some(&sale)).await;
    assert_eq!(code_of(&v.answer().await).as_deref(), Some("ended"));
    // Without naming the sale it is a plain buy at the lineup's price.
    v.buy("tea", 1, None).await;
    match v.answer().await {
        ActionOutcome::Done { order: Some(o), .. } => {
            assert_eq!((o.unit_price, o.sale_id), (5000, None))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn only_managers_run_activities_and_viewers_cannot_claim_a_purchase() {
    let server = start_with(settings()).await;
    stock_lineup(&server, &[product("tea", 5000, 10)]).await;
    let mut viewer = remote(&server, Role::Audience, "sneaky").await;
    assert_eq!(
        code_of(&create(&mut viewer, coupon(5, 1)).await).as_deref(),
        Some("forbidden")
    );
    let mut host = remote(&server, Role::Host, "host").await;
    let id = create_ok(&mut host, coupon(5, 1)).await;
    assert_eq!(
        code_of(&end(&mut viewer, &id).await).as_deref(),
        Some("forbidden")
    );
    let mut assistant = remote(&server, Role::Assistant, "helper").await;
    assert!(matches!(
        end(&mut assistant, &id).await,
        ActionOutcome::Done { .. }
    ));
    assert_eq!(
        code_of(&end(&mut host, &id).await).as_deref(),
        Some("ended")
    );

    // The old viewer-sent purchase notice is gone from the protocol.
    let mut ws = raw_joined(&server, ROOM, "faker").await;
    send_text(
        &mut ws,
        &json!({"type": "purchase", "goods_id": "tea", "quantity": 99}),
    )
    .await;
    let err = wait_json(&mut ws, |v| v["type"] == "error").await;
    assert_eq!(err["code"], "unknown_type", "{err}");
    // A negative amount never parses, so nothing is created.
    send_text(
        &mut ws,
        &json!({"type": "activity", "op_id": "x", "op": {"op": "create", "spec": {
            "kind": "coupon", "title": "t", "discount": {"type": "amount", "minor": -5},
            "currency": "CNY", "quantity": 1, "duration_secs": 60}}}),
    )
    .await;
    let err = wait_json(&mut ws, |v| v["type"] == "error").await;
    assert_eq!(err["code"], "invalid_argument", "{err}");
    assert!(err["message"].as_str().unwrap().contains("-5"), "{err}");

    // External orders: admin only, counted once per order id.
    let order = json!({"order_id": "shop-1", "user_id": "buyer", "goods_id": "tea",
        "quantity": 2, "unit_price": 4500, "currency": "CNY"});
    let url = server.http(&format!("/api/rooms/{ROOM}/orders"));
    let audience = server.token(Role::Audience, ROOM, "buyer");
    let (status, _) = http_json("POST", &url, Some(&audience), Some(&order)).await;
    assert_eq!(status, 403);
    let admin = server.token(Role::Admin, ROOM, "backoffice");
    let (status, body) = http_json("POST", &url, Some(&admin), Some(&order)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 9000);
    let (status, body) = http_json("POST", &url, Some(&admin), Some(&order)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["kind"], "conflict");
}
