//! The preview socket's pause and resume: a page that cannot show frames
//! gets none, and the program stops feeding the preview once every open
//! socket has paused.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use shopcast_media::{PreviewFrame, PreviewGate};
use shopcast_studio::preview_server::{PreviewHub, PreviewServer, decode_header};
use tokio_tungstenite::tungstenite::Message;

fn frame(seq: u32) -> PreviewFrame {
    PreviewFrame::new(seq, 0, 4, 2, &[seq as u8; 4 * 2 * 4])
}

/// Waits (up to 10 s: a liveness bound, not a speed check) for `cond`.
async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next frame's sequence number on `ws`, past any `stale` ones
/// still in flight from before.
async fn next_seq(ws: &mut Socket, stale: u32) -> u32 {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("no socket error");
        if let Message::Binary(b) = msg {
            let seq = decode_header(&b).expect("a preview frame").0;
            if seq != stale {
                return seq;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_sockets_get_no_frames_and_close_the_gate() {
    let hub = Arc::new(PreviewHub::default());
    let gate = PreviewGate::default();
    hub.set_gate(Some(gate.clone()));
    assert!(gate.watched(), "no socket yet: frames keep coming");

    let server = PreviewServer::start(hub.clone()).await.expect("server");
    let (mut a, _) = tokio_tungstenite::connect_async(server.url())
        .await
        .expect("socket a");

    // The socket is registered once the upgrade ran; keep publishing
    // until a frame arrives.
    let publisher = {
        let hub = hub.clone();
        tokio::spawn(async move {
            for _ in 0..2000 {
                hub.publish(frame(1));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    assert_eq!(next_seq(&mut a, 0).await, 1);
    publisher.abort();

    a.send(Message::text("pause")).await.expect("pause");
    until("the gate closes after the only socket paused", || {
        !gate.watched()
    })
    .await;
    assert!(!hub.watched());
    // Published while paused: never sent.
    hub.publish(frame(2));
    hub.publish(frame(3));

    // A second page that wants frames opens the gate again; closing it
    // closes the gate.
    let (mut b, _) = tokio_tungstenite::connect_async(server.url())
        .await
        .expect("socket b");
    until("the gate opens for a socket that did not pause", || {
        gate.watched()
    })
    .await;
    b.close(None).await.expect("close b");
    until("the gate closes when that socket goes", || !gate.watched()).await;

    a.send(Message::text("resume")).await.expect("resume");
    until("the gate opens on resume", || gate.watched()).await;
    hub.publish(frame(4));
    assert_eq!(
        next_seq(&mut a, 1).await,
        4,
        "frames published while paused were dropped, not queued"
    );

    // A program started later gets the gate in the state the sockets ask.
    a.send(Message::text("pause")).await.expect("pause again");
    until("paused again", || !gate.watched()).await;
    let later = PreviewGate::default();
    hub.set_gate(Some(later.clone()));
    assert!(!later.watched(), "a new program's gate starts closed");

    a.close(None).await.expect("close a");
    until("no socket left: the gate opens", || later.watched()).await;
}
