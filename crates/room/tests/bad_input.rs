//! Bad input: each kind gets an error frame or a clean close with a
//! reason, the server stays up, and other clients lose nothing.

mod common;

use common::*;
use futures_util::SinkExt;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use shopcast_room::ServerSettings;
use shopcast_room::client::ClientEvent;
use shopcast_room::limits::Limits;
use shopcast_room::protocol::{ClientMsg, EventBody, Role};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame as WsFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

fn invalid_utf8_text() -> Message {
    Message::Frame(WsFrame::message(
        vec![b'{', 0xff, 0xfe, b'}'],
        OpCode::Data(Data::Text),
        true,
    ))
}

async fn expect_error(ws: &mut Ws, code: &str) {
    // Room traffic (batches with joins, the audience list) may come
    // before the answer; nothing else may.
    let v = loop {
        let v = next_json(ws).await.expect("an error frame");
        if !matches!(v["type"].as_str(), Some("batch" | "audience_list")) {
            break v;
        }
    };
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["code"], code, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_bad_frame_gets_an_error_or_a_clean_close() {
    let s = start().await;
    let (_obs, mut orx) = s.client(Role::Audience, "r1", "observer");
    connected(&mut orx).await;
    let mut ws = raw_joined(&s, "r1", "bad").await;

    ws.send(Message::text("{\"type\": \"barrage\", "))
        .await
        .unwrap();
    expect_error(&mut ws, "bad_json").await;
    ws.send(Message::text("{\"type\": \"teleport\"}"))
        .await
        .unwrap();
    expect_error(&mut ws, "unknown_type").await;
    ws.send(Message::text("{\"type\": \"like\", \"count\": \"many\"}"))
        .await
        .unwrap();
    expect_error(&mut ws, "invalid_argument").await;
    ws.send(Message::text("{\"type\": \"like\", \"count\": 0}"))
        .await
        .unwrap();
    expect_error(&mut ws, "invalid_argument").await;
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    expect_error(&mut ws, "binary_not_supported").await;
    let big = json!({"type": "barrage", "text": "x".repeat(Limits::default().max_frame_bytes)});
    ws.send(Message::text(big.to_string())).await.unwrap();
    expect_error(&mut ws, "too_large").await;
    let hello = json!({"type": "hello", "v": 1});
    send_text(&mut ws, &hello).await;
    expect_error(&mut ws, "invalid_argument").await;

    // After all that the connection still works.
    send_text(&mut ws, &json!({"type": "barrage", "text": "still here"})).await;
    wait_json(&mut ws, |v| {
        events_of(v, "barrage").any(|e| e["text"] == "still here")
    })
    .await;

    // Invalid UTF-8 in a text frame: closed with 1007.
    let mut ws2 = raw_joined(&s, "r1", "bad2").await;
    ws2.send(invalid_utf8_text()).await.unwrap();
    let (code, reason) = wait_close(&mut ws2).await;
    assert_eq!(code, Some(1007), "{reason}");

    // Over the WebSocket message limit: closed with 1009.
    let mut ws3 = raw_joined(&s, "r1", "bad3").await;
    let huge = "y".repeat(Limits::default().max_ws_message_bytes + 10);
    let _ = ws3.send(Message::text(huge)).await;
    let (code, reason) = wait_close(&mut ws3).await;
    assert_eq!(code, Some(1009), "{reason}");

    // The observer saw the good barrage and the server still serves.
    wait_event(&mut orx, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::Barrage { text, .. } if text == "still here")
                .then_some(())
        }
        _ => None,
    })
    .await;
    let _fresh = raw_joined(&s, "r1", "fresh").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_of_bad_frames_closes_the_connection_with_a_reason() {
    let s = start().await;
    let mut ws = raw_joined(&s, "r1", "flooder").await;
    for _ in 0..Limits::default().flood_errors + 5 {
        if ws.send(Message::text("nope")).await.is_err() {
            break;
        }
    }
    let (code, reason) = wait_close(&mut ws).await;
    assert_eq!(code, Some(4029), "{reason}");
}

/// One generated bad frame.
fn bad_frame(rng: &mut ChaCha8Rng) -> Message {
    let kinds = 12;
    match rng.random_range(0..kinds) {
        0 => {
            let n = rng.random_range(0..64);
            let s: String = (0..n).map(|_| rng.random_range(' '..='~')).collect();
            Message::text(s)
        }
        1 => {
            // Truncated valid JSON.
            let full = json!({"type": "gift", "gift_id": "rose", "count": 1}).to_string();
            let cut = rng.random_range(0..full.len());
            Message::text(full[..cut].to_string())
        }
        2 => Message::text(json!({"type": format!("t{}", rng.random::<u32>())}).to_string()),
        3 => Message::text(json!({"type": "barrage", "text": rng.random::<i64>()}).to_string()),
        4 => Message::text(json!({"type": "gift", "gift_id": "rose", "count": -1}).to_string()),
        5 => Message::text(json!({"type": "like", "count": u64::MAX}).to_string()),
        6 => {
            let depth = rng.random_range(100..400);
            Message::text(format!("{}{}", "[".repeat(depth), "]".repeat(depth)))
        }
        7 => {
            let n = rng.random_range(1..256);
            Message::binary((0..n).map(|_| rng.random::<u8>()).collect::<Vec<u8>>())
        }
        8 => {
            Message::text("z".repeat(Limits::default().max_frame_bytes + rng.random_range(1..1000)))
        }
        9 => Message::text(json!({"type": "kick", "user_id": "observer"}).to_string()),
        10 => Message::text(
            json!({"type": "set_metadata", "key": "../../etc", "value": "x"}).to_string(),
        ),
        _ => invalid_utf8_text(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzz_ten_thousand_bad_frames_server_stays_up_and_others_get_everything() {
    let settings = ServerSettings {
        limits: Limits {
            flood_errors: 400,
            ..Limits::default()
        },
        ..test_settings()
    };
    let s = start_with(settings).await;
    let (_obs, mut orx) = s.client(Role::Audience, "r1", "observer");
    let (host, mut hrx) = s.client(Role::Host, "r1", "host");
    connected(&mut orx).await;
    connected(&mut hrx).await;

    // The host talks throughout; the observer must get every message.
    const NOTES: usize = 200;
    let host_task = tokio::spawn(async move {
        for i in 0..NOTES {
            host.send(ClientMsg::Announce {
                text: format!("note {i}"),
            })
            .await
            .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        host
    });

    // Four fuzzers in parallel, each reconnecting whenever it is closed
    // and draining what the server sends so nobody blocks on TCP.
    async fn open(url: &str) -> futures_util::stream::SplitSink<Ws, Message> {
        use futures_util::StreamExt;
        let (tx, mut rx) = raw(url).await.split();
        tokio::spawn(async move { while rx.next().await.is_some() {} });
        tx
    }
    let mut tasks = Vec::new();
    for f in 0..4u64 {
        let url = format!(
            "{}?token={}",
            s.ws_url("r1"),
            s.token(Role::Audience, "r1", &format!("fuzz{f}"))
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(0xBAD + f);
            let mut ws = open(&url).await;
            let (mut delivered, mut conns) = (0usize, 1usize);
            while delivered < 2500 {
                if ws.send(bad_frame(&mut rng)).await.is_ok() {
                    delivered += 1;
                } else {
                    ws = open(&url).await;
                    conns += 1;
                }
            }
            (delivered, conns)
        }));
    }
    let (mut sent, mut connections) = (0, 0);
    for t in tasks {
        let (n, c) = t.await.unwrap();
        sent += n;
        connections += c;
    }
    assert!(sent >= 10_000);
    assert!(connections >= 4);

    let _host = host_task.await.unwrap();
    let mut got = Vec::new();
    while got.len() < NOTES {
        let text = wait_event(&mut orx, |e| match e {
            ClientEvent::Event(ev) => match &ev.body {
                EventBody::Announcement { text } => Some(text.clone()),
                _ => None,
            },
            _ => None,
        })
        .await;
        got.push(text);
    }
    let want: Vec<String> = (0..NOTES).map(|i| format!("note {i}")).collect();
    assert_eq!(got, want, "the observer got every message, in order, once");
    // Still serving new clients.
    let _fresh = raw_joined(&s, "r1", "after-fuzz").await;
}
