//! End-to-end behaviour of the room server over loopback WebSockets.

mod common;

use common::*;
use serde_json::json;
use shopcast_room::ServerSettings;
use shopcast_room::client::ClientEvent;
use shopcast_room::protocol::{
    ClientMsg, ErrorCode, EventBody, ProductExplainReq, ResumeMode, Role,
};

fn product(goods: &str) -> ClientMsg {
    ClientMsg::ProductExplain(ProductExplainReq {
        goods_id: goods.into(),
        goods_name: "Vintage Watch".into(),
        goods_name_zh: "复古手表".into(),
        goods_name_en: "Vintage Watch".into(),
        price: 9900,
        price_usd: 99.0,
        price_cny: 712.8,
        image_url: "/static/products/watch.png".into(),
        start_timestamp: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_viewers_see_each_others_barrage_with_identity() {
    let s = start().await;
    let (a, mut arx) = s.client(Role::Audience, "r1", "alice");
    let (b, mut brx) = s.client(Role::Audience, "r1", "bob");
    connected(&mut arx).await;
    connected(&mut brx).await;
    a.send(ClientMsg::Barrage {
        text: "<b>hi</b> 你好 👋".into(),
    })
    .await
    .unwrap();
    let (sender, text) = wait_event(&mut brx, |e| match e {
        ClientEvent::Event(ev) => match &ev.body {
            EventBody::Barrage { sender, text } => Some((sender.clone(), text.clone())),
            _ => None,
        },
        _ => None,
    })
    .await;
    // Text is data: delivered exactly as typed, markup and all.
    assert_eq!(text, "<b>hi</b> 你好 👋");
    assert_eq!(sender.id, "alice");
    assert_eq!(sender.nick, "nick_alice");
    assert_eq!(sender.role, Role::Audience);
    assert!(sender.level >= 1);
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_forged_and_wrong_room_tokens_are_refused() {
    let s = start().await;
    let expired = s.signer.mint(&shopcast_room::Claims {
        user: "u".into(),
        room: "r1".into(),
        role: Role::Audience,
        nick: String::new(),
        time: 1_000,
        expire: 10,
    });
    let other = shopcast_room::TokenSigner::new(vec![9; 32]).unwrap();
    let forged = other.mint(&shopcast_room::Claims {
        user: "u".into(),
        room: "r1".into(),
        role: Role::Host,
        nick: String::new(),
        time: shopcast_room::token::now_unix(),
        expire: 100,
    });
    let wrong_room = s.token(Role::Audience, "r2", "u");
    for (name, token) in [
        ("expired", expired.unwrap()),
        ("forged", forged.unwrap()),
        ("wrong room", wrong_room),
        ("garbage", "not-a-token".to_string()),
    ] {
        let mut ws = raw(&format!("{}?token={token}", s.ws_url("r1"))).await;
        let err = next_json(&mut ws).await.expect("error frame");
        assert_eq!(err["type"], "error", "{name}");
        assert_eq!(err["code"], "unauthorized", "{name}");
        assert!(
            !err.to_string().contains(&token),
            "token echoed back ({name})"
        );
        let (code, _) = wait_close(&mut ws).await;
        assert_eq!(code, Some(4001), "{name}");
    }
    // No token at all and no hello: refused too.
    let mut ws = raw(&s.ws_url("r1")).await;
    send_text(&mut ws, &json!({"type": "barrage", "text": "hi"})).await;
    assert_eq!(wait_close(&mut ws).await.0, Some(4001));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_in_first_frame_works() {
    let s = start().await;
    let mut cfg =
        shopcast_room::ClientConfig::new(s.ws_url("r1"), s.token(Role::Audience, "r1", "u1"));
    cfg.token_in_hello = true;
    let (_c, mut rx) = shopcast_room::RoomClient::connect(cfg);
    let you = wait_event(&mut rx, |e| match e {
        ClientEvent::Connected { you, .. } => Some(you.clone()),
        _ => None,
    })
    .await;
    assert_eq!(you.id, "u1");
}

fn gift_counts(e: &ClientEvent) -> Option<(u32, u32, String)> {
    match e {
        ClientEvent::Event(ev) => match &ev.body {
            EventBody::Gift {
                count,
                combo_total,
                combo_id,
                ..
            } => Some((*count, *combo_total, combo_id.clone())),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gift_combo_is_merged_every_twenty_or_after_a_second() {
    let s = start_with(gifting()).await;
    let (g, mut grx) = s.client(Role::Audience, "r1", "giver");
    let (_w, mut wrx) = s.client(Role::Audience, "r1", "watcher");
    connected(&mut grx).await;
    connected(&mut wrx).await;
    for _ in 0..25 {
        g.send(ClientMsg::Gift {
            gift_id: "rose".into(),
            count: 1,
        })
        .await
        .unwrap();
    }
    let first = wait_event(&mut wrx, gift_counts).await;
    let second = wait_event(&mut wrx, gift_counts).await;
    assert_eq!((first.0, first.1), (20, 20));
    assert_eq!((second.0, second.1), (5, 25));
    assert_eq!(first.2, second.2, "one combo");
    // Unknown gifts are refused with an error frame.
    g.send(ClientMsg::Gift {
        gift_id: "yacht".into(),
        count: 1,
    })
    .await
    .unwrap();
    let code = wait_event(&mut grx, |e| match e {
        ClientEvent::Error { code, .. } => Some(*code),
        _ => None,
    })
    .await;
    assert_eq!(code, ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn likes_are_aggregated_and_levels_grow_with_gifts() {
    let s = start_with(gifting()).await;
    let (a, mut arx) = s.client(Role::Audience, "r1", "a");
    let (b, mut brx) = s.client(Role::Audience, "r1", "b");
    connected(&mut arx).await;
    connected(&mut brx).await;
    for _ in 0..5 {
        a.send(ClientMsg::Like { count: 3 }).await.unwrap();
        b.send(ClientMsg::Like { count: 1 }).await.unwrap();
    }
    let (mut seen, mut like_events) = (0, 0);
    while seen < 20 {
        let (count, likers) = wait_event(&mut arx, |e| match e {
            ClientEvent::Event(ev) => match &ev.body {
                EventBody::Like { count, likers, .. } => Some((*count, *likers)),
                _ => None,
            },
            _ => None,
        })
        .await;
        assert!(likers >= 1);
        seen += count;
        like_events += 1;
    }
    assert_eq!(seen, 20, "every like counted once");
    assert!(
        like_events < 10,
        "10 like messages arrive merged, not one by one"
    );
    // A rocket (1000 coins) moves `a` up the ladder; the next barrage
    // carries the new level.
    a.send(ClientMsg::Gift {
        gift_id: "rocket".into(),
        count: 2,
    })
    .await
    .unwrap();
    a.send(ClientMsg::Barrage {
        text: "rich now".into(),
    })
    .await
    .unwrap();
    let level = wait_event(&mut brx, |e| match e {
        ClientEvent::Event(ev) => match &ev.body {
            EventBody::Barrage { sender, .. } => Some((sender.level, sender.badges.clone())),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(level.0, 5, "2000 points is platinum");
    assert!(level.1.iter().any(|b| b.name == "VIP"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_words_are_masked_or_rejected_and_rate_limits_apply() {
    let s = start().await;
    let (a, mut arx) = s.client(Role::Audience, "r1", "a");
    connected(&mut arx).await;
    a.send(ClientMsg::Barrage {
        text: "you are a 傻逼".into(),
    })
    .await
    .unwrap();
    let text = wait_event(&mut arx, |e| match e {
        ClientEvent::Event(ev) => match &ev.body {
            EventBody::Barrage { text, .. } => Some(text.clone()),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(text, "you are a **");
    a.send(ClientMsg::Barrage {
        text: "加微信 123".into(),
    })
    .await
    .unwrap();
    let code = wait_event(&mut arx, |e| match e {
        ClientEvent::Error { code, .. } => Some(*code),
        _ => None,
    })
    .await;
    assert_eq!(code, ErrorCode::Rejected);
    // Burst of barrage beyond the per-user bucket: refused, told why.
    for i in 0..10 {
        a.send(ClientMsg::Barrage {
            text: format!("spam {i}"),
        })
        .await
        .unwrap();
    }
    let code = wait_event(&mut arx, |e| match e {
        ClientEvent::Error { code, .. } if *code == ErrorCode::RateLimited => Some(*code),
        _ => None,
    })
    .await;
    assert_eq!(code, ErrorCode::RateLimited);
    // Too long.
    a.send(ClientMsg::Barrage {
        text: "x".repeat(201),
    })
    .await
    .unwrap();
    wait_event(&mut arx, |e| {
        matches!(
            e,
            ClientEvent::Error {
                code: ErrorCode::TooLarge | ErrorCode::RateLimited,
                ..
            }
        )
        .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderation_is_role_checked_and_mute_and_kick_work() {
    let s = start().await;
    let (assistant, mut asx) = s.client(Role::Assistant, "r1", "helper");
    let (viewer, mut vrx) = s.client(Role::Audience, "r1", "troll");
    let (_host, mut hrx) = s.client(Role::Host, "r1", "host");
    connected(&mut asx).await;
    connected(&mut vrx).await;
    connected(&mut hrx).await;
    // Audience cannot moderate; assistant cannot touch stream status or the host.
    viewer
        .send(ClientMsg::Mute {
            user_id: "helper".into(),
            duration_secs: 60,
        })
        .await
        .unwrap();
    wait_event(&mut vrx, |e| {
        matches!(
            e,
            ClientEvent::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        )
        .then_some(())
    })
    .await;
    assistant
        .send(ClientMsg::SetStatus {
            status: shopcast_room::protocol::RoomStatus::Ended,
        })
        .await
        .unwrap();
    wait_event(&mut asx, |e| {
        matches!(
            e,
            ClientEvent::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        )
        .then_some(())
    })
    .await;
    assistant
        .send(ClientMsg::Kick {
            user_id: "host".into(),
            reason: String::new(),
        })
        .await
        .unwrap();
    wait_event(&mut asx, |e| {
        matches!(
            e,
            ClientEvent::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        )
        .then_some(())
    })
    .await;
    // Mute: the troll's barrage is refused.
    assistant
        .send(ClientMsg::Mute {
            user_id: "troll".into(),
            duration_secs: 60,
        })
        .await
        .unwrap();
    wait_event(&mut vrx, |e| match e {
        ClientEvent::Event(ev) => matches!(&ev.body, EventBody::Mute { user_id, until, .. } if user_id == "troll" && *until > 0).then_some(()),
        _ => None,
    })
    .await;
    viewer
        .send(ClientMsg::Barrage {
            text: "let me talk".into(),
        })
        .await
        .unwrap();
    wait_event(&mut vrx, |e| {
        matches!(
            e,
            ClientEvent::Error {
                code: ErrorCode::Muted,
                ..
            }
        )
        .then_some(())
    })
    .await;
    // Kick: closed with 4003, and the client does not come back.
    assistant
        .send(ClientMsg::Kick {
            user_id: "troll".into(),
            reason: "spam".into(),
        })
        .await
        .unwrap();
    let (code, will_retry) = wait_event(&mut vrx, |e| match e {
        ClientEvent::Disconnected {
            code, will_retry, ..
        } => Some((*code, *will_retry)),
        _ => None,
    })
    .await;
    assert_eq!(code, Some(4003));
    assert!(!will_retry);
    wait_event(&mut hrx, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::Kick { user_id, .. } if user_id == "troll").then_some(())
        }
        _ => None,
    })
    .await;
    // A kicked user cannot rejoin during the ban.
    let mut ws = raw(&format!(
        "{}?token={}",
        s.ws_url("r1"),
        s.token(Role::Audience, "r1", "troll")
    ))
    .await;
    assert_eq!(next_json(&mut ws).await.unwrap()["code"], "forbidden");
    assert_eq!(wait_close(&mut ws).await.0, Some(4003));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_joiner_gets_metadata_and_sees_one_popup_per_event() {
    let s = start().await;
    let (host, mut hrx) = s.client(Role::Host, "r1", "host");
    let (_early, mut erx) = s.client(Role::Audience, "r1", "early");
    connected(&mut hrx).await;
    connected(&mut erx).await;
    host.send(product("prod_001")).await.unwrap();
    let card = wait_event(&mut erx, |e| match e {
        ClientEvent::Popup(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    // Both channels arrive in one batch, metadata first (it is written
    // first); whichever comes first makes the one pop-up.
    assert_eq!(card.goods_id, "prod_001");
    let suffix = format!("_prod_001_{}", card.start_timestamp);
    assert!(card.event_id == format!("evt{suffix}") || card.event_id == format!("attr{suffix}"));
    // The early viewer got the metadata event too, but no second pop-up:
    // send another barrage as a marker and check nothing popped before it.
    host.send(ClientMsg::Barrage {
        text: "marker".into(),
    })
    .await
    .unwrap();
    let mut popups = 0;
    wait_event(&mut erx, |e| match e {
        ClientEvent::Popup(_) => {
            popups += 1;
            None
        }
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::Barrage { text, .. } if text == "marker").then_some(())
        }
        _ => None,
    })
    .await;
    assert_eq!(popups, 0);
    // A late joiner finds it in the welcome's metadata: attr_ id.
    let (_late, mut lrx) = s.client(Role::Audience, "r1", "late");
    let card = wait_event(&mut lrx, |e| match e {
        ClientEvent::Popup(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        card.event_id,
        format!("attr_prod_001_{}", card.start_timestamp)
    );
    assert_eq!(card.goods_name, "Vintage Watch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_replays_missed_events_or_sends_a_snapshot() {
    let settings = ServerSettings {
        replay_capacity: 8,
        ..test_settings()
    };
    let s = start_with(settings).await;
    let (host, mut hrx) = s.client(Role::Host, "r1", "host");
    connected(&mut hrx).await;
    let announce = |i: usize| ClientMsg::Announce {
        text: format!("note {i}"),
    };
    host.send(announce(0)).await.unwrap();
    let seq0 = wait_event(&mut hrx, |e| match e {
        ClientEvent::Event(ev) if matches!(ev.body, EventBody::Announcement { .. }) => ev.seq,
        _ => None,
    })
    .await;
    for i in 1..=3 {
        host.send(announce(i)).await.unwrap();
    }
    wait_event(&mut hrx, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::Announcement { text } if text == "note 3").then_some(())
        }
        _ => None,
    })
    .await;
    // Resume from seq0: notes 1..3 are replayed.
    let url = format!(
        "{}?token={}&last_seq={seq0}",
        s.ws_url("r1"),
        s.token(Role::Audience, "r1", "v")
    );
    let mut ws = raw(&url).await;
    let w = next_json(&mut ws).await.unwrap();
    assert_eq!(w["resume"], "replayed");
    let batch = wait_json(&mut ws, |v| v["type"] == "batch").await;
    let texts: Vec<_> = events_of(&batch, "announcement")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, vec!["note 1", "note 2", "note 3"]);
    // Push the old seq out of the 8-event buffer: snapshot instead.
    for i in 4..=15 {
        host.send(announce(i)).await.unwrap();
    }
    wait_event(&mut hrx, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::Announcement { text } if text == "note 15").then_some(())
        }
        _ => None,
    })
    .await;
    let mut ws = raw(&url).await;
    let w = next_json(&mut ws).await.unwrap();
    assert_eq!(w["resume"], "snapshot");
    assert_eq!(
        w["announcement"], "note 15",
        "the snapshot carries the state"
    );
    let _ = ResumeMode::Snapshot;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_limits_are_enforced() {
    let s = start().await;
    let host = s.token(Role::Host, "r1", "host");
    let put = |k: String, v: String| {
        let url = s.http(&format!("/api/rooms/r1/metadata/{k}"));
        let host = host.clone();
        async move { http_json("PUT", &url, Some(&host), Some(&json!({ "value": v }))).await }
    };
    for i in 0..16 {
        assert_eq!(put(format!("k{i}"), "v".into()).await.0, 204);
    }
    let (status, body) = put("k16".into(), "v".into()).await;
    assert_eq!(status, 400);
    assert_eq!(body["kind"], "limit_exceeded");
    let (status, body) = put("k0".into(), "x".repeat(2049)).await;
    assert_eq!(status, 413);
    assert_eq!(body["kind"], "too_large");
    assert_eq!(put("bad-key!".into(), "v".into()).await.0, 400);
    let (status, meta) =
        http_json("GET", &s.http("/api/rooms/r1/metadata"), Some(&host), None).await;
    assert_eq!(status, 200);
    assert_eq!(meta["version"], 16);
    assert_eq!(meta["entries"].as_object().unwrap().len(), 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_enforces_roles_and_reaches_rooms() {
    let s = start().await;
    let (_v1, mut r1) = s.client(Role::Audience, "r1", "v1");
    let (_v2, mut r2) = s.client(Role::Audience, "r2", "v2");
    connected(&mut r1).await;
    connected(&mut r2).await;
    let audience = s.token(Role::Audience, "r1", "v9");
    let assistant = s.token(Role::Assistant, "r1", "helper");
    let admin = s.token(Role::Admin, "*", "ops");
    // No token, audience token: refused.
    assert_eq!(
        http_json("GET", &s.http("/api/rooms/r1/online"), None, None)
            .await
            .0,
        401
    );
    assert_eq!(
        http_json(
            "GET",
            &s.http("/api/rooms/r1/online"),
            Some(&audience),
            None
        )
        .await
        .0,
        403
    );
    // Assistant reads the count and the first 100 viewers.
    let (status, online) = http_json(
        "GET",
        &s.http("/api/rooms/r1/online"),
        Some(&assistant),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(online["online"], 1);
    assert_eq!(online["audience"][0]["id"], "v1");
    // Assistant token is for r1 only.
    assert_eq!(
        http_json(
            "GET",
            &s.http("/api/rooms/r2/online"),
            Some(&assistant),
            None
        )
        .await
        .0,
        401
    );
    // Assistant sends a custom message (a product explain) and an
    // announcement.
    let coupon =
        json!({"type": "product_explain", "goods_id": "c1", "goods_name": "Tea", "price": 1000});
    assert_eq!(
        http_json(
            "POST",
            &s.http("/api/rooms/r1/messages"),
            Some(&assistant),
            Some(&coupon)
        )
        .await
        .0,
        202
    );
    wait_event(&mut r1, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::ProductExplain { product, .. } if product.goods_id == "c1")
                .then_some(())
        }
        _ => None,
    })
    .await;
    let ann = json!({"text": "sale at 8pm"});
    assert_eq!(
        http_json(
            "POST",
            &s.http("/api/rooms/r1/announcement"),
            Some(&assistant),
            Some(&ann)
        )
        .await
        .0,
        202
    );
    // Assistant cannot broadcast or change the room status; admin can.
    let b = json!({"text": "maintenance at midnight"});
    assert_eq!(
        http_json(
            "POST",
            &s.http("/api/broadcast"),
            Some(&assistant),
            Some(&b)
        )
        .await
        .0,
        403
    );
    let status_msg = json!({"type": "set_status", "status": "live"});
    assert_eq!(
        http_json(
            "POST",
            &s.http("/api/rooms/r1/messages"),
            Some(&assistant),
            Some(&status_msg)
        )
        .await
        .0,
        403
    );
    // An admin of one room speaks only there: the broadcast and the
    // gift catalogue are every room's.
    let room_admin = s.token(Role::Admin, "r1", "r1-ops");
    let (status, body) = http_json(
        "POST",
        &s.http("/api/broadcast"),
        Some(&room_admin),
        Some(&b),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let lamp = json!([{"id": "lamp", "name": "Lamp", "value": 0, "effect_url": ""}]);
    let (status, body) =
        http_json("PUT", &s.http("/api/gifts"), Some(&room_admin), Some(&lamp)).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        http_json("POST", &s.http("/api/broadcast"), Some(&admin), Some(&b))
            .await
            .0,
        202
    );
    for rx in [&mut r1, &mut r2] {
        wait_event(rx, |e| match e {
            ClientEvent::Event(ev) => matches!(&ev.body, EventBody::Broadcast { text } if text == "maintenance at midnight").then_some(()),
            _ => None,
        })
        .await;
    }
    // Malformed body: a typed error, not a crash.
    let resp = reqwest::Client::new()
        .post(s.http("/api/rooms/r1/messages"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    // Gift catalogue change reaches viewers.
    let gifts = json!([{"id": "lamp", "name": "Lamp", "value": 5, "effect_url": ""}]);
    assert_eq!(
        http_json("PUT", &s.http("/api/gifts"), Some(&admin), Some(&gifts))
            .await
            .0,
        204
    );
    wait_event(&mut r2, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::GiftListChanged { gifts } if gifts[0].id == "lamp")
                .then_some(())
        }
        _ => None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_tokens_are_rate_limited_per_ip() {
    let settings = ServerSettings {
        guest_tokens_per_min: 2.0,
        ..test_settings()
    };
    let s = start_with(settings).await;
    let body = json!({"room": "r1", "nick": "Guest"});
    let mut ok = 0;
    let mut limited = 0;
    for _ in 0..6 {
        let (status, v) = http_json("POST", &s.http("/api/guest-token"), None, Some(&body)).await;
        match status {
            200 => {
                ok += 1;
                let claims = s
                    .signer
                    .verify_for_room(
                        v["token"].as_str().unwrap(),
                        "r1",
                        shopcast_room::token::now_unix(),
                    )
                    .unwrap();
                assert_eq!(claims.role, Role::Audience);
            }
            429 => limited += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!(ok, 4, "burst of 2x the per-minute rate");
    assert_eq!(limited, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_samples_barrage_but_never_gifts_or_products() {
    let settings = ServerSettings {
        max_barrage_per_tick: 2,
        // A long tick so the burst below lands in one or two ticks.
        tick: std::time::Duration::from_millis(1000),
        ..gifting()
    };
    let s = start_with(settings).await;
    let (_w, mut wrx) = s.client(Role::Audience, "r1", "watcher");
    connected(&mut wrx).await;
    let mut senders = Vec::new();
    for i in 0..12 {
        let (c, mut rx) = s.client(Role::Audience, "r1", &format!("s{i}"));
        connected(&mut rx).await;
        senders.push((c, rx));
    }
    let (host, mut hrx) = s.client(Role::Host, "r1", "host");
    connected(&mut hrx).await;
    for (i, (c, _)) in senders.iter().enumerate() {
        c.send(ClientMsg::Barrage {
            text: format!("b{i}"),
        })
        .await
        .unwrap();
        c.send(ClientMsg::Gift {
            gift_id: "heart".into(),
            count: 2,
        })
        .await
        .unwrap();
    }
    host.send(product("prod_009")).await.unwrap();
    let (mut barrage, mut skipped, mut gifts, mut products) = (0u64, 0u64, 0u64, 0);
    while gifts < 24 || products < 1 || barrage + skipped < 12 {
        let e = wait_event(&mut wrx, |e| Some(e.clone())).await;
        match e {
            ClientEvent::Skipped(n) => skipped += n,
            ClientEvent::Event(ev) => match ev.body {
                EventBody::Barrage { .. } => barrage += 1,
                EventBody::Gift { count, .. } => gifts += count as u64,
                EventBody::ProductExplain { .. } => products += 1,
                _ => {}
            },
            _ => {}
        }
    }
    assert_eq!(gifts, 24, "every gift arrives");
    assert_eq!(products, 1);
    assert_eq!(
        barrage + skipped,
        12,
        "every barrage is delivered or counted as skipped"
    );
    assert!(skipped > 0, "the room was over its barrage budget");
}
