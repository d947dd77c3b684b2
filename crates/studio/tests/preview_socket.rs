//! The preview socket's pause and resume (a page that cannot show frames
//! gets none, and the program stops feeding the preview once every open
//! socket has paused), and the preview at launch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use shopcast_media::{PreviewFrame, PreviewGate};
use shopcast_studio::notice::Notice;
use shopcast_studio::preview_server::{PreviewHub, PreviewServer, decode_header};
use shopcast_studio::{Mode, PhaseName};
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::{Rig, canvas, preview_frames};

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

/// A page that cannot show the preview (hidden panel, minimised window)
/// pauses its socket: the program then stops making preview frames at
/// all, and makes them again on resume.
#[test]
fn a_paused_page_stops_the_programs_preview() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    let mut s = canvas(&session, 320, 180, "none");
    s.rehearsal.viewers = 2;
    session.save_settings(s).unwrap();
    session.enter_mode(Mode::Rehearsal, None, None).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (mut ws, _) = tokio_tungstenite::connect_async(session.preview_url())
            .await
            .expect("preview socket");
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .expect("a frame within 10 s")
                .expect("socket open")
                .expect("frame");
            if msg.is_binary() {
                break;
            }
        }
        ws.send(Message::text("pause")).await.expect("pause");
        // Frames already in the preview pipeline still come out; then
        // the count stands still.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = session.preview_frames();
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let now = session.preview_frames();
            if now == last {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "preview frames kept coming with the only socket paused"
            );
            last = now;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            session.preview_frames(),
            last,
            "no preview frame is made while every socket is paused"
        );
        ws.send(Message::text("resume")).await.expect("resume");
        let deadline = Instant::now() + Duration::from_secs(10);
        while session.preview_frames() <= last + 3 {
            assert!(
                Instant::now() < deadline,
                "frames never came back on resume"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = ws.close(None).await;
    });
}

/// `--rehearsal`: the mode is entered before the shell answers the page,
/// and the preview follows on its own thread; if it cannot start, the
/// host is told, in the mode, rather than left with a black preview.
#[test]
fn opening_into_rehearsal_enters_the_mode_first_and_the_preview_follows() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = Arc::new(rig.open());
    let mut s = canvas(&session, 320, 180, "none");
    s.rehearsal.viewers = 2;
    session.save_settings(s).unwrap();
    session.open_into(Mode::Rehearsal);
    let view = session.view();
    assert_eq!(view.mode, Some(Mode::Rehearsal));
    assert_eq!(view.phase, PhaseName::Preview);
    assert!(view.room.url.is_some(), "the rehearsal room runs at once");
    let frames = preview_frames(&session.preview_url(), 2);
    assert_eq!(frames.len(), 2, "the preview started behind the mode");

    let rig = Rig::new();
    let session = Arc::new(rig.open());
    let mut s = canvas(&session, 320, 180, "none");
    s.rehearsal.viewers = 2;
    // A camera that is not there: the preview cannot start at all.
    s.video = shopcast_studio::settings::VideoChoice::Camera {
        id: "no-such-camera".into(),
    };
    session.save_settings(s).unwrap();
    session.open_into(Mode::Rehearsal);
    assert_eq!(session.view().mode, Some(Mode::Rehearsal));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let warnings = session.view().warnings;
        if warnings
            .iter()
            .any(|w| matches!(w.notice, Notice::PreviewDidNotStart { .. }))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no warning about the preview: {warnings:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        session.view().phase,
        PhaseName::Preview,
        "still in the mode"
    );
}
