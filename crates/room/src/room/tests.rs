use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{Joining, Room, RoomCmd, RoomCtx, keep_sampled};
use crate::config::{ServerSettings, default_gifts};
use crate::fanout::Sink;
use crate::protocol::{ClientMsg, Role};
use crate::store::Store;
use crate::token::{Claims, now_unix};

#[test]
fn sampling_keeps_exactly_max_evenly() {
    for (n, max) in [(200, 50), (51, 50), (7, 3), (50, 50), (10, 0)] {
        let kept: Vec<usize> = (0..n).filter(|&i| keep_sampled(i, n, max)).collect();
        assert_eq!(kept.len(), max.min(n), "n={n} max={max}");
    }
    let kept: Vec<usize> = (0..10).filter(|&i| keep_sampled(i, 10, 5)).collect();
    assert_eq!(kept, vec![1, 3, 5, 7, 9]);
}

/// A client that sends and closes at once: its socket task ends (and
/// drops its queue) while its last message still waits in the room's
/// channel behind others. The room's tick sees the socket gone first.
/// Found by the load benchmark, where the last gifts of the closing
/// senders reached no viewer.
async fn room_with_viewer() -> (
    Room,
    mpsc::Receiver<crate::fanout::Outbound>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _thread) = Store::open(dir.path()).unwrap();
    let ctx = Arc::new(RoomCtx {
        settings: Arc::new(ServerSettings::default()),
        store,
        gifts: parking_lot::RwLock::new(Arc::new(default_gifts())),
    });
    let mut room = Room::load("r".into(), ctx).await.unwrap();
    let (tx, rx) = mpsc::channel(16);
    let (reply, joined) = oneshot::channel();
    let claims = Claims {
        user: "viewer".into(),
        room: "r".into(),
        role: Role::Audience,
        nick: "viewer".into(),
        time: now_unix(),
        expire: 60,
    };
    room.handle(RoomCmd::Join {
        conn_id: 1,
        joining: Joining {
            claims,
            nick: "viewer".into(),
            points: 0,
            last_seq: None,
        },
        out: Sink::Local(tx),
        reply,
    });
    joined.await.unwrap().unwrap();
    (room, rx, dir)
}

/// A client that sends and closes at once: its socket task ends (and
/// drops its queue) while its last message still waits in the room's
/// channel behind others. The room's tick sees the socket gone first.
/// Found by the load benchmark, where the last gifts of the closing
/// senders reached no viewer.
#[tokio::test]
async fn a_message_sent_just_before_the_socket_closed_is_kept() {
    let (mut room, rx, _dir) = room_with_viewer().await;
    // The socket's task read the client's close and ended.
    drop(rx);
    room.tick(true).await;
    // …and then the room takes what the client sent before closing.
    room.handle(RoomCmd::Msg {
        conn_id: 1,
        msg: ClientMsg::Barrage {
            text: "last words".into(),
        },
    });
    room.tick(true).await;
    let logged: Vec<&str> = room.replay.iter().map(|(_, e)| &**e).collect();
    assert!(
        logged.iter().any(|e| e.contains("last words")),
        "the barrage was dropped: {logged:?}"
    );
    // The socket's leave, queued after its messages, removes it.
    room.handle(RoomCmd::Leave { conn_id: 1 });
    assert!(room.members.is_empty());
    assert_eq!(room.online(), 0);
}

/// A gone socket whose leave never came (lost while the room's queue
/// was full) does not stay in the audience for ever.
#[tokio::test]
async fn a_gone_member_whose_leave_never_came_is_swept() {
    let (mut room, rx, _dir) = room_with_viewer().await;
    drop(rx);
    room.tick(true).await;
    room.sweep_gone();
    assert_eq!(room.online(), 1, "within the grace it waits for its leave");
    let m = room.members.get_mut(&1).unwrap();
    m.gone_at = m.gone_at.map(|at| at - 31_000);
    room.sweep_gone();
    assert!(room.members.is_empty());
    assert_eq!(room.online(), 0);
    assert!(
        room.pending
            .iter()
            .any(|(_, e)| matches!(e, crate::protocol::EventBody::Leave { .. })),
        "its leave is announced"
    );
}
