//! Tokens after connect: a socket is closed (4001) when its token runs
//! out, and an admin's revocation closes the user's sockets and refuses
//! their older tokens on the WebSocket and over REST, across a restart,
//! while a token minted afterwards works.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use shopcast_room::protocol::Role;
use shopcast_room::token::{Claims, now_unix};

const ROOM: &str = "r1";

fn url(server: &TestServer, token: &str) -> String {
    format!("{}?token={token}", server.ws_url(ROOM))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_closes_when_its_token_runs_out() {
    let server = start().await;
    let token = server.token_ttl(Role::Audience, ROOM, "brief", 2);
    let mut ws = raw(&url(&server, &token)).await;
    assert_eq!(next_json(&mut ws).await.unwrap()["type"], "welcome");
    let (code, reason) = wait_close(&mut ws).await;
    assert_eq!((code, reason.as_str()), (Some(4001), "token expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_users_old_tokens_stop_working_everywhere() {
    let mut server = start().await;
    let admin = server.token(Role::Admin, "*", "ops");
    let old = server.token(Role::Assistant, ROOM, "leaky");
    let mut ws = raw(&url(&server, &old)).await;
    assert_eq!(next_json(&mut ws).await.unwrap()["type"], "welcome");
    let meta = server.http(&format!("/api/rooms/{ROOM}/metadata"));
    assert_eq!(http_json("GET", &meta, Some(&old), None).await.0, 200);

    // Only an admin for every room revokes.
    let revoke = server.http("/api/tokens/revoke");
    let body = json!({"user": "leaky"});
    let room_admin = server.token(Role::Admin, ROOM, "r1-ops");
    assert_eq!(
        http_json("POST", &revoke, Some(&room_admin), Some(&body))
            .await
            .0,
        403
    );
    let (status, answer) = http_json("POST", &revoke, Some(&admin), Some(&body)).await;
    assert_eq!(status, 200, "{answer}");
    let before = answer["revoked_before"].as_u64().unwrap();

    // The open socket is closed; the old token is refused everywhere.
    assert_eq!(
        wait_close(&mut ws).await,
        (Some(4001), "token revoked".to_string())
    );
    let mut again = raw(&url(&server, &old)).await;
    let err = next_json(&mut again).await.unwrap();
    assert_eq!(err["code"], "unauthorized", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("revoked"),
        "{err}"
    );
    assert_eq!(http_json("GET", &meta, Some(&old), None).await.0, 401);

    // Still so after a restart.
    let addr = server.addr;
    server.stop().await;
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let server = start_in(dir, addr, test_settings()).await;
    assert_eq!(http_json("GET", &meta, Some(&old), None).await.0, 401);

    // A token signed after the revocation works.
    while now_unix() <= before {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fresh = server
        .signer
        .mint(&Claims {
            user: "leaky".into(),
            room: ROOM.into(),
            role: Role::Assistant,
            nick: String::new(),
            time: now_unix(),
            expire: 600,
        })
        .unwrap();
    let mut ws = raw(&url(&server, &fresh)).await;
    assert_eq!(next_json(&mut ws).await.unwrap()["type"], "welcome");
}
