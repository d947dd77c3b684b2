//! Rooms come and go: only a host or admin token opens a room that was
//! never open (a viewer is told it is not open yet, 4004, and reading its
//! metadata creates nothing); an idle room leaves memory and comes back
//! from the store as it was, to anyone.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use shopcast_room::ServerSettings;
use shopcast_room::protocol::Role;

/// Waits (within PATIENCE) for the number of loaded rooms.
async fn wait_loaded(server: &TestServer, n: usize) {
    tokio::time::timeout(PATIENCE, async {
        while loaded_now(server) != n {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{} rooms loaded, not {n}", loaded_now(server)));
}

fn loaded_now(server: &TestServer) -> usize {
    server.handle.as_ref().unwrap().rooms_loaded()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_host_or_admin_opens_a_room_and_idle_rooms_unload() {
    let server = start_with(ServerSettings {
        room_idle_unload: Duration::from_millis(300),
        ..ServerSettings::default()
    })
    .await;

    // Viewers and assistants cannot bring rooms into being.
    for (role, user) in [(Role::Audience, "v1"), (Role::Assistant, "helper")] {
        let mut ws = raw(&server.ws_url_as("fresh", role, user)).await;
        let err = next_json(&mut ws).await.expect("an error frame");
        assert_eq!(err["code"], "not_found", "{err}");
        assert_eq!(wait_close(&mut ws).await.0, Some(4004));
    }
    let viewer = server.token(Role::Audience, "fresh", "v1");
    let (status, _) = http_json(
        "GET",
        &server.http("/api/rooms/fresh/metadata"),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(loaded_now(&server), 0, "nothing was created");

    // The host opens it; then viewers get in.
    let mut host = raw(&server.ws_url_as("fresh", Role::Host, "host")).await;
    assert_eq!(next_json(&mut host).await.unwrap()["type"], "welcome");
    send_text(
        &mut host,
        &json!({"type": "announce", "text": "open till 9"}),
    )
    .await;
    wait_json(&mut host, |v| events_of(v, "announcement").next().is_some()).await;
    let mut v = raw(&server.ws_url_as("fresh", Role::Audience, "v1")).await;
    assert_eq!(next_json(&mut v).await.unwrap()["type"], "welcome");
    assert_eq!(loaded_now(&server), 1);

    // Everyone leaves: the room unloads.
    drop((host, v));
    wait_loaded(&server, 0).await;

    // A viewer brings it back, as it was.
    let mut back = raw(&server.ws_url_as("fresh", Role::Audience, "v2")).await;
    let w = next_json(&mut back).await.unwrap();
    assert_eq!(w["type"], "welcome", "{w}");
    assert_eq!(w["announcement"], "open till 9", "{w}");
    assert_eq!(loaded_now(&server), 1);
}
