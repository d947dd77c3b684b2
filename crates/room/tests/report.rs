//! The end-of-session report over a real room server: a scripted
//! session with known views, clicks, buys, gifts, likes and a coupon
//! gives exactly those figures in the JSON export, and the CSV opens
//! with the documented columns.

mod common;

use common::shop::*;
use common::*;
use shopcast_room::activity::{ActionOutcome, ActivitySpec};
use shopcast_room::client::ClientEvent;
use shopcast_room::lineup::LineupOp;
use shopcast_room::protocol::{ClientMsg, EventBody, Role, RoomStatus};
use shopcast_room::report::SessionReport;

async fn set_status(host: &mut Viewer, status: RoomStatus) {
    host.send(ClientMsg::SetStatus { status }).await;
    wait_event(&mut host.rx, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::RoomStatus { status: s } if *s == status).then_some(())
        }
        _ => None,
    })
    .await;
}

/// The newest session, which has ended, and its report (as the host).
async fn newest_report(server: &TestServer) -> (String, SessionReport) {
    let token = server.token(Role::Host, ROOM, "host");
    let (status, list) = http_json(
        "GET",
        &server.http(&format!("/api/rooms/{ROOM}/sessions")),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let id = list[0]["id"].as_str().expect("a session").to_string();
    assert!(list[0]["ended_at"].is_u64(), "{list}");
    let r = serde_json::from_value(report_json(server, &id).await).unwrap();
    (id, r)
}

fn explain(goods: &str) -> LineupOp {
    LineupOp::Explain {
        goods_id: goods.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_session_reports_exactly_what_happened() {
    let server = start_with(settings()).await;
    stock_lineup(
        &server,
        &[product("tea", 1000, 50), product("mug", 2000, 50)],
    )
    .await;
    let mut host = Viewer::join_as(&server, Role::Host, "host").await;
    let mut v1 = Viewer::join(&server, "v1").await;
    let mut v2 = Viewer::join(&server, "v2").await;
    // Before the session: not counted.
    v1.send(ClientMsg::CardClick {
        goods_id: "tea".into(),
    })
    .await;
    v1.buy("mug", 1, None).await;
    assert!(matches!(v1.answer().await, ActionOutcome::Done { .. }));

    set_status(&mut host, RoomStatus::Live).await;
    lineup_op(&server, explain("tea")).await;
    for msg in [
        ClientMsg::CardView {
            goods_id: "tea".into(),
        },
        ClientMsg::CardClick {
            goods_id: "tea".into(),
        },
        ClientMsg::CardClick {
            goods_id: "tea".into(),
        },
        ClientMsg::Follow {},
        ClientMsg::Barrage {
            text: "how much?".into(),
        },
        ClientMsg::Barrage {
            text: "nice".into(),
        },
    ] {
        v1.send(msg).await;
    }
    // A buy's answer comes after everything v1 sent before it.
    v1.buy("tea", 2, None).await;
    assert!(matches!(v1.answer().await, ActionOutcome::Done { .. }));
    v2.send(ClientMsg::Gift {
        gift_id: "heart".into(),
        count: 3,
    })
    .await;
    v2.send(ClientMsg::Like { count: 5 }).await;
    let mut manager = remote(&server, Role::Assistant, "helper").await;
    let ActivitySpec::Coupon(mut c) = coupon(10, 1) else {
        unreachable!()
    };
    c.goods_id = Some("tea".into());
    let coupon_id = create_ok(&mut manager, ActivitySpec::Coupon(c)).await;
    v2.claim(&coupon_id).await;
    assert!(matches!(v2.answer().await, ActionOutcome::Done { .. }));

    lineup_op(&server, explain("mug")).await;
    v1.send(ClientMsg::CardClick {
        goods_id: "tea".into(),
    })
    .await;
    v2.buy("mug", 1, None).await;
    assert!(matches!(v2.answer().await, ActionOutcome::Done { .. }));
    v1.buy("tea", 1, None).await; // after v1's click, in order
    assert!(matches!(v1.answer().await, ActionOutcome::Done { .. }));
    set_status(&mut host, RoomStatus::Ended).await;

    let token = server.token(Role::Host, ROOM, "host");
    let (id, r) = newest_report(&server).await;

    let h = &r.headline;
    assert_eq!((h.orders, h.units), (3, 4));
    assert_eq!(h.revenue["CNY"], 2 * 1000 + 2000 + 1000);
    assert_eq!((h.gifts, h.gift_value, h.likes), (3, 30, 5));
    assert_eq!((h.barrage, h.new_followers, h.coupon_claims), (2, 1, 1));
    assert!(h.peak_online >= 3, "{h:?}");
    assert_eq!(r.timeline.iter().map(|m| m.orders).sum::<u64>(), 3);
    assert_eq!(r.timeline.iter().map(|m| m.barrage).sum::<u64>(), 2);

    let tea = r.products.iter().find(|p| p.goods_id == "tea").unwrap();
    assert_eq!(tea.name, "商品tea");
    assert_eq!((tea.views_during, tea.views_after), (1, 0));
    assert_eq!((tea.clicks_during, tea.clicks_after), (2, 1));
    assert_eq!((tea.orders, tea.units, tea.revenue["CNY"]), (2, 3, 3000));
    assert_eq!(
        (tea.coupon_claims, tea.gifts, tea.gift_value, tea.likes),
        (1, 3, 30, 5)
    );
    assert_eq!(tea.explains, 1);
    let mug = r.products.iter().find(|p| p.goods_id == "mug").unwrap();
    assert_eq!((mug.orders, mug.units, mug.revenue["CNY"]), (1, 1, 2000));
    assert_eq!((mug.gifts, mug.likes, mug.clicks_during), (0, 0, 0));
    // Two explain windows, in order, the first closed by the second.
    let goods: Vec<&str> = r.windows.iter().map(|w| w.goods_id.as_str()).collect();
    assert_eq!(goods, ["tea", "mug"]);
    assert_eq!(r.windows[0].end, Some(r.windows[1].start));
    assert!(r.windows[1].end.is_some(), "closed with the session");
    assert_eq!(r.activities.len(), 1);
    assert_eq!(r.activities[0].id, coupon_id);

    // The CSV's header is the documented columns; one row per product.
    let resp = reqwest::Client::new()
        .get(server.http(&format!(
            "/api/rooms/{ROOM}/sessions/{id}/report?format=csv"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = resp.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        shopcast_room::report::csv::COLUMNS.join(",")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows.iter().any(|r| r.starts_with("mug,商品mug,1,")),
        "{csv}"
    );

    // Reports are for the people who run the room.
    let viewer = server.token(Role::Audience, ROOM, "v1");
    let (status, _) = http_json(
        "GET",
        &server.http(&format!("/api/rooms/{ROOM}/sessions/{id}/report")),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(status, 403);
}

/// A coupon the host set up while getting ready (before going live)
/// runs into the session: the report holds it, and once only. One that
/// ended before the session is not this session's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_started_before_going_live_is_in_the_report() {
    let server = start_with(settings()).await;
    stock_lineup(&server, &[product("tea", 1000, 50)]).await;
    let mut host = Viewer::join_as(&server, Role::Host, "host").await;
    let mut manager = remote(&server, Role::Assistant, "helper").await;
    let over = create_ok(&mut manager, coupon(10, 1)).await;
    assert!(matches!(
        end(&mut manager, &over).await,
        ActionOutcome::Done { .. }
    ));
    let early = create_ok(&mut manager, coupon(10, 1)).await;

    set_status(&mut host, RoomStatus::Live).await;
    let during = create_ok(&mut manager, coupon(5, 1)).await;
    let mut v = Viewer::join(&server, "v1").await;
    v.claim(&early).await;
    assert!(matches!(v.answer().await, ActionOutcome::Done { .. }));
    set_status(&mut host, RoomStatus::Ended).await;

    let (_, r) = newest_report(&server).await;
    let ids: Vec<&str> = r.activities.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [early.as_str(), during.as_str()]);
    assert_eq!(r.headline.coupon_claims, 1);
    // Both ended with the session.
    assert!(r.activities.iter().all(|a| a.ended_at.is_some()), "{ids:?}");
}
