//! `shopcast room status paused|live` against a real room server: the
//! host's token pauses and resumes the room, which an audience client
//! sees; an assistant's token is refused; the token never comes from
//! argv.

use std::time::Duration;

use shopcast_room::client::{ClientEvent, recv_until};
use shopcast_room::protocol::{EventBody, Role, RoomStatus};
use shopcast_room::{EmbeddedServer, RoomClient, ServerConfig};

mod room_cli;
use room_cli::{mint, shopcast, text};

#[test]
fn the_host_pauses_and_resumes_the_room_from_the_command_line() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (addr, _server) = rt
        .block_on(EmbeddedServer::start(ServerConfig::new(
            "127.0.0.1:0".parse().expect("address"),
            dir.path(),
        )))
        .expect("room server");
    let room = format!("ws://{addr}/ws/shop");
    let host = mint(dir.path(), Role::Host, "host");
    let asst = mint(dir.path(), Role::Assistant, "asst");
    let viewer = mint(dir.path(), Role::Audience, "v1");
    // The host opens the room; a viewer watches its status.
    let (viewer_client, mut events) = rt.block_on(async {
        let (h, _, _) = RoomClient::connect_welcomed(&room, &host, Duration::from_secs(10))
            .await
            .expect("host joins");
        h.close().await;
        let (v, rx, _) = RoomClient::connect_welcomed(&room, &viewer, Duration::from_secs(10))
            .await
            .expect("viewer joins");
        (v, rx)
    });

    for (word, want) in [("paused", RoomStatus::Paused), ("live", RoomStatus::Live)] {
        let o = shopcast(&["room", "status", word, "--room", &room], Some(&host));
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(text(&o.stdout), word);
        let seen = rt.block_on(recv_until(
            &mut events,
            Duration::from_secs(10),
            |ev| match ev {
                ClientEvent::Event(e) => match &e.body {
                    EventBody::RoomStatus { status } => Some(*status),
                    _ => None,
                },
                _ => None,
            },
        ));
        assert_eq!(seen.ok(), Some(want), "the viewer sees the room {word}");
    }

    let o = shopcast(&["room", "status", "paused", "--room", &room], Some(&asst));
    assert!(!o.status.success(), "an assistant cannot pause the room");
    assert!(text(&o.stderr).contains("refused"), "{}", text(&o.stderr));

    let o = shopcast(&["room", "status", "paused", "--room", &room], None);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("SHOPCAST_TOKEN"),
        "{}",
        text(&o.stderr)
    );

    let o = shopcast(&["room", "status", "over", "--room", &room], Some(&host));
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("paused"), "{}", text(&o.stderr));
    rt.block_on(viewer_client.close());
}
