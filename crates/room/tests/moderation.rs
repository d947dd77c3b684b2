//! Moderation against a real server: the host is never kicked, banned or
//! muted (online, reconnecting, or not yet seen), a refused kick leaves
//! no ban, each connection acts with its own token's role, the audience
//! list is rate-limited, and room text arrives without control or
//! invisible characters.

mod common;

use common::*;
use serde_json::{Value, json};
use shopcast_room::protocol::Role;

const ROOM: &str = "r1";

async fn error_code(ws: &mut Ws) -> Value {
    wait_json(ws, |v| v["type"] == "error").await["code"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_is_never_kicked_even_while_reconnecting() {
    let server = start().await;
    let mut assistant = joined_as(&server, ROOM, Role::Assistant, "helper").await;

    // Kicked before the server ever saw the id as the host's: the host's
    // own token still gets in, and the ban is void.
    send_text(&mut assistant, &json!({"type": "kick", "user_id": "boss"})).await;
    wait_json(&mut assistant, |v| {
        events_of(v, "kick").any(|e| e["user_id"] == "boss")
    })
    .await;
    let host = joined_as(&server, ROOM, Role::Host, "boss").await;

    // Offline for a moment (a reconnect): still protected.
    drop(host);
    let mut watcher = joined_as(&server, ROOM, Role::Audience, "watcher").await;
    for msg in [
        json!({"type": "kick", "user_id": "boss"}),
        json!({"type": "mute", "user_id": "boss", "duration_secs": 600}),
    ] {
        send_text(&mut assistant, &msg).await;
        assert_eq!(error_code(&mut assistant).await, "forbidden", "{msg}");
    }
    // An admin may not either.
    let mut admin = joined_as(&server, ROOM, Role::Admin, "ops").await;
    send_text(&mut admin, &json!({"type": "kick", "user_id": "boss"})).await;
    assert_eq!(error_code(&mut admin).await, "forbidden");
    let mut back = joined_as(&server, ROOM, Role::Host, "boss").await;
    send_text(
        &mut back,
        &json!({"type": "barrage", "text": "still the host"}),
    )
    .await;
    wait_json(&mut watcher, |v| {
        events_of(v, "barrage").any(|e| e["text"] == "still the host")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_kick_leaves_no_ban() {
    let server = start().await;
    let mut host = joined_as(&server, ROOM, Role::Host, "host").await;
    let _victim = joined_as(&server, ROOM, Role::Audience, "victim").await;
    // A reason the word filter rejects: the kick is refused...
    let bad = json!({"type": "kick", "user_id": "victim", "reason": "加微信 or else"});
    send_text(&mut host, &bad).await;
    assert_eq!(error_code(&mut host).await, "rejected");
    // ...and the victim can still come and go.
    let mut again = joined_as(&server, ROOM, Role::Audience, "victim").await;
    send_text(&mut again, &json!({"type": "barrage", "text": "hi"})).await;
    wait_json(&mut host, |v| {
        events_of(v, "barrage").any(|e| e["text"] == "hi")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_connection_acts_with_its_own_tokens_role() {
    let server = start().await;
    // The same id as a viewer on a phone and as an assistant in the
    // studio, joined in that order.
    let mut phone = joined_as(&server, ROOM, Role::Audience, "amy").await;
    let mut studio = joined_as(&server, ROOM, Role::Assistant, "amy").await;
    let ann = json!({"type": "announce", "text": "free shipping today"});
    send_text(&mut studio, &ann).await;
    wait_json(&mut studio, |v| {
        events_of(v, "announcement").any(|e| e["text"] == "free shipping today")
    })
    .await;
    send_text(&mut phone, &ann).await;
    assert_eq!(error_code(&mut phone).await, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audience_list_is_rate_limited() {
    let server = start().await;
    let mut v = joined_as(&server, ROOM, Role::Audience, "curious").await;
    let burst = shopcast_room::limits::Limits::default().other_burst as usize;
    // Past the burst, but short of the refused-frame flood limit, which
    // would close the connection.
    let extra = 20;
    for _ in 0..burst + extra {
        send_text(&mut v, &json!({"type": "get_audience"})).await;
    }
    let (mut lists, mut limited) = (0, 0);
    while lists + limited < burst + extra {
        let f = wait_json(&mut v, |v| {
            v["type"] == "audience_list" || v["type"] == "error"
        })
        .await;
        if f["type"] == "audience_list" {
            lists += 1;
        } else {
            assert_eq!(f["code"], "rate_limited", "{f}");
            limited += 1;
        }
    }
    // The bucket refills a little while the frames go out.
    assert!(lists >= burst - 1 && lists <= burst + 5, "{lists} lists");
    assert!(limited >= extra - 5, "{limited} refusals");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_text_arrives_without_control_or_invisible_characters() {
    let server = start().await;
    let mut host = joined_as(&server, ROOM, Role::Host, "host").await;
    let mut v = joined_as(&server, ROOM, Role::Audience, "trick").await;
    send_text(
        &mut v,
        &json!({"type": "barrage", "text": "\u{202E}gnp.exe\u{200B} 👩\u{200D}🍳"}),
    )
    .await;
    wait_json(&mut host, |v| {
        events_of(v, "barrage").any(|e| e["text"] == "gnp.exe 👩\u{200D}🍳")
    })
    .await;
    send_text(
        &mut host,
        &json!({"type": "announce", "text": "line one\nline\u{2066} two"}),
    )
    .await;
    wait_json(&mut v, |v| {
        events_of(v, "announcement").any(|e| e["text"] == "line one line two")
    })
    .await;
    // A nick is cleaned the same way.
    let token = server
        .signer
        .mint(&shopcast_room::token::Claims {
            user: "anon".into(),
            room: ROOM.into(),
            role: Role::Audience,
            nick: "\u{202E}evil\u{200B}".into(),
            time: shopcast_room::token::now_unix(),
            expire: 600,
        })
        .unwrap();
    let mut ws = raw(&format!("{}?token={token}", server.ws_url(ROOM))).await;
    let w = next_json(&mut ws).await.expect("welcome");
    assert_eq!(w["you"]["nick"], "evil");
}
