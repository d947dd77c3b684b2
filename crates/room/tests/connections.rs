//! Sockets against a real server: a client that stops reading is closed
//! as slow (4008) while a thousand others keep receiving, and shutdown
//! still completes; the connection caps per user, per address (also
//! behind a trusted proxy) and in total refuse what is over them and
//! give slots back when sockets close.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use serde_json::{Value, json};
use shopcast_room::ServerSettings;
use shopcast_room::admission::ConnCaps;
use shopcast_room::protocol::Role;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

const ROOM: &str = "r1";
const READERS: usize = 1000;

/// A thousand readers and the server's sockets need more descriptors
/// than a 1,024 soft limit; the hard limit is the machine's real cap.
#[cfg(unix)]
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on a stack value.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        lim.rlim_cur = lim.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &lim), 0);
    }
    assert!(
        lim.rlim_cur >= (3 * READERS) as libc::rlim_t,
        "this test needs {} open files; the hard limit is {}",
        3 * READERS,
        lim.rlim_cur
    );
}

async fn online(server: &TestServer) -> u64 {
    let token = server.token(Role::Host, ROOM, "host");
    let (status, body) = http_json(
        "GET",
        &server.http(&format!("/api/rooms/{ROOM}/online")),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["online"].as_u64().expect("online")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_closed_while_a_thousand_others_keep_receiving() {
    #[cfg(unix)]
    raise_fd_limit();
    let mut settings = ServerSettings {
        write_timeout: Duration::from_secs(2),
        max_barrage_per_tick: 200,
        conn_caps: ConnCaps {
            per_ip: 5000,
            ..ConnCaps::default()
        },
        ..test_settings()
    };
    settings.limits.barrage_per_s = 10_000.0;
    settings.limits.barrage_burst = 10_000.0;
    let mut server = start_with(settings).await;

    // The stuck client: a real TCP socket with a tiny receive window
    // that joins and then never reads again.
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let tcp = sock.connect(server.addr).await.unwrap();
    let (mut stuck, _) =
        tokio_tungstenite::client_async(server.ws_url_as(ROOM, Role::Audience, "stuck"), tcp)
            .await
            .unwrap();
    let w = next_json_raw(&mut stuck).await;
    assert_eq!(w["type"], "welcome", "{w}");

    // A thousand readers that count the sender's last line.
    let heard = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for i in 0..READERS {
        let (mut ws, _) = tokio_tungstenite::connect_async(server.ws_url_as(
            ROOM,
            Role::Audience,
            &format!("v{i}"),
        ))
        .await
        .unwrap();
        // The room counts a reader when it sends the welcome; the upgrade
        // alone finishes before that, so counting after the last upgrade
        // could miss the last joins.
        let w = next_json_raw(&mut ws).await;
        assert_eq!(w["type"], "welcome", "{w}");
        let heard = heard.clone();
        readers.push(tokio::spawn(async move {
            let mut got = false;
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m
                    && !got
                    && t.as_str().contains("the last line")
                {
                    got = true;
                    heard.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    assert_eq!(online(&server).await, READERS as u64 + 1);

    // Loud barrage until the server lets the stuck client go.
    let mut talker = raw_joined(&server, ROOM, "talker").await;
    let line = "买".repeat(190);
    let gone = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            // About 11 KB a round to each reader: enough to fill a
            // socket nobody reads within seconds, cheap for the rest.
            for _ in 0..20 {
                send_text(&mut talker, &json!({"type": "barrage", "text": line})).await;
            }
            // The talker reads too, so it is never the slow one.
            let pause = tokio::time::sleep(Duration::from_millis(250));
            tokio::pin!(pause);
            loop {
                tokio::select! {
                    _ = &mut pause => break,
                    m = talker.next() => if m.is_none() { panic!("the talker was closed") },
                }
            }
            if online(&server).await == READERS as u64 + 1 {
                break;
            }
        }
    })
    .await;
    assert!(
        gone.is_ok(),
        "the client that stopped reading was never closed"
    );

    // Everyone else still hears the room.
    send_text(
        &mut talker,
        &json!({"type": "barrage", "text": "the last line"}),
    )
    .await;
    tokio::time::timeout(Duration::from_secs(60), async {
        while heard.load(Ordering::Relaxed) < READERS {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "{} of {READERS} readers heard the last line",
            heard.load(Ordering::Relaxed)
        )
    });

    // Shutdown is not held by anyone.
    tokio::time::timeout(Duration::from_secs(30), server.stop())
        .await
        .expect("shutdown completed");
    for r in readers {
        r.await.unwrap();
    }
    // What the stuck client is finally given, once it reads: its
    // backlog, then the end (a close frame, if one got through, says
    // 4008; the socket may also just end).
    let end = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match stuck.next().await {
                Some(Ok(Message::Close(c))) => return c.map(|c| u16::from(c.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    })
    .await
    .expect("the stuck client's socket ended");
    assert!(matches!(end, None | Some(4008)), "closed with {end:?}");
}

async fn next_json_raw(
    ws: &mut (impl futures_util::Stream<Item = Result<Message, WsError>> + Unpin),
) -> Value {
    loop {
        match tokio::time::timeout(PATIENCE, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(t.as_str()).unwrap(),
            Ok(Some(Ok(_))) => {}
            other => panic!("no frame: {other:?}"),
        }
    }
}

/// The HTTP status a refused upgrade got, or None if it was accepted.
async fn upgrade_status(req: impl IntoClientRequest + Unpin) -> Result<Ws, u16> {
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(WsError::Http(resp)) => {
            let body = resp.body().as_deref().unwrap_or_default();
            let v: Value = serde_json::from_slice(body).unwrap_or_default();
            assert_eq!(v["kind"], "limit_exceeded", "{v}");
            Err(resp.status().as_u16())
        }
        Err(e) => panic!("unexpected: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caps_per_user_per_address_and_in_total_refuse_and_give_back() {
    let server = start_with(ServerSettings {
        conn_caps: ConnCaps {
            total: 6,
            per_ip: 3,
            per_user: 2,
        },
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..test_settings()
    })
    .await;

    // Per user: a third socket with the same id is told why and closed.
    let a1 = raw_joined(&server, ROOM, "same").await;
    let _a2 = raw_joined(&server, ROOM, "same").await;
    let mut a3 = raw(&server.ws_url_as(ROOM, Role::Audience, "same")).await;
    let err = next_json(&mut a3).await.expect("an error frame");
    assert_eq!(err["code"], "limit_exceeded", "{err}");
    assert_eq!(wait_close(&mut a3).await.0, Some(4009));
    // Closing one gives its place back.
    drop(a1);
    let mut back = None;
    for _ in 0..100 {
        let mut ws = raw(&server.ws_url_as(ROOM, Role::Audience, "same")).await;
        if next_json(&mut ws)
            .await
            .is_some_and(|v| v["type"] == "welcome")
        {
            back = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _a4 = back.expect("the user's freed slot was taken again");
    // Refused attempts give their address slots back too: only a2 and
    // a4 are held.
    let handle = server.handle.as_ref().unwrap();
    for _ in 0..200 {
        if handle.connections() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(handle.connections(), 2);

    // Per address: behind a trusted proxy (here, loopback) each client
    // counts under the address the proxy names.
    let forwarded = |ip: &str, user: &str| {
        let mut req = server
            .ws_url_as(ROOM, Role::Audience, user)
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("x-forwarded-for", ip.parse().unwrap());
        req
    };
    let _p1 = upgrade_status(forwarded("198.51.100.1", "p1"))
        .await
        .unwrap();
    let _p2 = upgrade_status(forwarded("198.51.100.1", "p2"))
        .await
        .unwrap();
    let _p3 = upgrade_status(forwarded("198.51.100.1", "p3"))
        .await
        .unwrap();
    assert_eq!(
        upgrade_status(forwarded("198.51.100.1", "p4")).await.err(),
        Some(429),
        "a fourth socket from one address"
    );
    // Another address still gets in, until the server's total is met:
    // 2 local + 3 from .1 + this one is 6.
    let _q1 = upgrade_status(forwarded("198.51.100.2", "q1"))
        .await
        .unwrap();
    assert_eq!(
        upgrade_status(forwarded("198.51.100.3", "q2")).await.err(),
        Some(503),
        "over the server's total"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_over_twice_the_app_limit_closes_with_1009() {
    let server = start().await;
    let limits = ServerSettings::default().limits;
    assert_eq!(limits.max_ws_message_bytes, 2 * limits.max_frame_bytes);
    let mut ws = raw_joined(&server, ROOM, "big").await;
    // Just over the app limit: refused with an error, kept open.
    let big = json!({"type": "barrage", "text": "x".repeat(limits.max_frame_bytes)});
    send_text(&mut ws, &big).await;
    let v = wait_json(&mut ws, |v| v["type"] == "error").await;
    assert_eq!(v["code"], "too_large");
    // Over the socket limit: closed.
    use futures_util::SinkExt;
    let _ = ws
        .send(Message::text("y".repeat(limits.max_ws_message_bytes + 1)))
        .await;
    assert_eq!(wait_close(&mut ws).await.0, Some(1009));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_page_cannot_open_a_socket() {
    let server = start().await;
    let with_origin = |origin: &str| {
        let mut req = server
            .ws_url_as(ROOM, Role::Audience, "web")
            .into_client_request()
            .unwrap();
        req.headers_mut().insert("origin", origin.parse().unwrap());
        req
    };
    match tokio_tungstenite::connect_async(with_origin("https://evil.example")).await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status().as_u16(), 403),
        other => panic!("a foreign origin got in: {:?}", other.map(|_| ())),
    }
    // The server's own audience page is same-origin.
    let own = format!("http://{}", server.addr);
    let (mut ws, _) = tokio_tungstenite::connect_async(with_origin(&own))
        .await
        .expect("the server's own origin");
    assert_eq!(next_json(&mut ws).await.unwrap()["type"], "welcome");
}
